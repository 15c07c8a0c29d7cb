package otp_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otp"
)

// A Verifier over otp and the fake Sender: the code is made by otp and
// read back from the text the Sender recorded, as a user would hear it.
// The secret is random: 32 bytes or more from the environment, the same
// on every instance (such as: openssl rand -base64 32); without one, a
// fresh random secret, good for this process only.
func Example() {
	secret, err := base64.StdEncoding.DecodeString(os.Getenv("OTP_SECRET"))
	if err != nil {
		panic(err)
	}
	if len(secret) == 0 {
		secret = make([]byte, otp.MinSecretLen)
		rand.Read(secret)
	}
	sender := fake.NewSender()
	p, err := otp.New(sender, secret)
	if err != nil {
		panic(err)
	}
	v, err := verify.New(p)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678", verify.WithLanguage("en-gb"))
	if err != nil {
		panic(err)
	}
	code, _ := sender.LastCode("+31612345678") // "1, 2, 3, …" in the call's text
	ver, err = v.Check(ctx, ver.ID, code)
	fmt.Println(ver.Verified(), ver.Provider, err)
	// Output: true otp <nil>
}
