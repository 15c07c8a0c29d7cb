package verify_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

func ExampleNew() {
	v, err := verify.New(fake.New(),
		verify.WithChannel(verify.Voice),
		verify.WithLanguage("nl-nl"),
		verify.WithTemplate("Uw code is %token."),
		verify.WithDefaultRegion("NL"),
	)
	fmt.Println(v != nil, err)

	_, err = verify.New(fake.New(), verify.WithTokenLength(4))
	fmt.Println(err)
	// Output:
	// true <nil>
	// verify: invalid option: WithTokenLength(4): must be from 6 to 10
}

func ExampleVerifier_Start() {
	ctx := context.Background()
	provider := fake.New(fake.WithCode("123456")) // a known code, for the example
	v, _ := verify.New(provider, verify.WithDefaultRegion("NL"))

	ver, err := v.Start(ctx, "06 12345678")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ver.Phone, ver.Channel, ver.Language, ver.Status)
	fmt.Println(provider.Messages()[0].Text) // what the call says

	// The user types the code they heard, with a space.
	ver, err = v.Check(ctx, ver.ID, "123 456")
	fmt.Println(ver.Phone, ver.Status, err)
	// Output:
	// +31612345678 voice nl-nl pending
	// Hallo. Je verificatiecode is 123456. Nogmaals: 123456. Deel deze code met niemand.
	// +31612345678 verified <nil>
}

func ExampleVerifier_Check_errors() {
	ctx := context.Background()
	v, _ := verify.New(fake.New(fake.WithCode("123456")), verify.WithMaxAttempts(2))
	ver, _ := v.Start(ctx, "+31612345678")

	for _, code := range []string{"12", "654321", "654321", "123456"} {
		_, err := v.Check(ctx, ver.ID, code)
		switch {
		case errors.Is(err, verify.ErrInvalidCode):
			fmt.Println("wrong code, try again:", err)
		case errors.Is(err, verify.ErrTooManyAttempts):
			fmt.Println("too many wrong codes, start again:", err)
		case err != nil:
			fmt.Println("other error:", err)
		default:
			fmt.Println("verified")
		}
	}
	// Output:
	// wrong code, try again: verify: invalid code: a code is 4 to 10 digits
	// wrong code, try again: verify: invalid code
	// too many wrong codes, start again: verify: too many attempts
	// too many wrong codes, start again: verify: too many attempts
}

func ExampleRateLimitError() {
	ctx := context.Background()
	v, _ := verify.New(fake.New()) // default: 30 s between starts to one number
	v.Start(ctx, "+31612345678")

	_, err := v.Start(ctx, "+31612345678")
	var rl *verify.RateLimitError
	if errors.As(err, &rl) {
		fmt.Println(rl.Limit, "- try again in", rl.RetryAfter.Round(10*time.Second))
	}
	// Output:
	// resend_cooldown - try again in 30s
}

func ExamplePhoneError() {
	v, _ := verify.New(fake.New(), verify.WithDefaultRegion("NL"))
	for _, input := range []string{"06 12", "0900 1234567", "06-CALLME"} {
		_, err := v.Start(context.Background(), input)
		var pe *verify.PhoneError
		if errors.As(err, &pe) {
			fmt.Println(pe.Reason)
		}
	}
	// Output:
	// the number is too short
	// premium-rate numbers cannot be verified
	// a phone number can only contain digits, spaces, dashes and a leading +
}

func ExampleParsePhone() {
	for _, input := range []string{"+31 6 12345678", "0031612345678", "(06) 1234 5678"} {
		e164, err := verify.ParsePhone(input, "NL")
		fmt.Println(e164, err)
	}
	// Output:
	// +31612345678 <nil>
	// +31612345678 <nil>
	// +31612345678 <nil>
}

func ExampleWithAppName() {
	ctx := context.Background()
	provider := fake.New(fake.WithCode("123456"))
	v, _ := verify.New(provider, verify.WithAppName("Acme"))

	v.Start(ctx, "+447400123456")
	v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS))
	for _, m := range provider.Messages() {
		fmt.Println(m.Text)
	}
	// Output:
	// Hello. Your Acme verification code is 123456. Once again: 123456. Never share this code with anyone.
	// Je verificatiecode voor Acme is 123456. Deel deze code met niemand.
}
