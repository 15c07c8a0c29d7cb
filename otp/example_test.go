package otp_test

import (
	"context"
	"fmt"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otp"
)

// A Verifier over otp and the fake Sender: the code is made by otp and
// read back from the text the Sender recorded, as a user would hear it.
func Example() {
	sender := fake.NewSender()
	p, err := otp.New(sender, []byte("a secret of at least 32 bytes, random in real life"))
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
