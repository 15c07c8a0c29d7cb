// Command quickstart runs one whole phone verification against the fake
// provider and prints each step: nothing is sent, no account is needed.
//
//	go run -C examples ./quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	provider := fake.New()
	v, err := verify.New(provider, verify.WithDefaultRegion("NL"))
	if err != nil {
		return err
	}

	const typed = "06 12345678"
	fmt.Printf("1. The user types %q.\n", typed)
	ver, err := v.Start(ctx, typed)
	if err != nil {
		return err
	}
	fmt.Printf("2. Start: calling %s (%s); verification %s is %s until %s.\n",
		verify.MaskPhone(ver.Phone), ver.Channel, ver.ID, ver.Status, ver.ExpiresAt.Format("15:04:05"))

	msg := provider.Messages()[0]
	fmt.Printf("3. The phone rings and a %s voice says: %q\n", msg.Voice, msg.Text)

	_, err = v.Check(ctx, ver.ID, "000000")
	if msg.Code != "000000" && !errors.Is(err, verify.ErrInvalidCode) {
		return fmt.Errorf("a wrong code gave %v", err)
	}
	fmt.Printf("4. A mistyped code: %v.\n", err)

	ver, err = v.Check(ctx, ver.ID, msg.Code)
	if err != nil {
		return err
	}
	fmt.Printf("5. The right code: %s is %s.\n", ver.Phone, ver.Status)

	_, err = v.Check(ctx, ver.ID, msg.Code)
	fmt.Printf("6. The same code again: %v.\n", err)

	_, err = v.Start(ctx, typed)
	fmt.Printf("7. Another call right away: %v.\n", err)
	return nil
}
