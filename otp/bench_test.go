package otp_test

import (
	"context"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otp"
)

// BenchmarkStartCheck measures a verification, Start then Check, through
// a Verifier, over the fake Provider and over otp on the fake Sender with
// a MemoryLimiter: what otp's own work (a code, an HMAC per Start and per
// Check, and the store's record and counts) adds to the library's. Run
// both in one run and compare:
//
//	go test -run XXX -bench StartCheck -count 10 ./otp | benchstat -col /provider -
func BenchmarkStartCheck(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, p verify.Provider, code func(phone string) (string, bool)) {
		// One number verified b.N times: the limits on a number are off,
		// and the failure throttle too, which refuses a check of one
		// number after about 10,000 verified ones, fewer than b.N.
		v, err := verify.New(p, verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithFailureThrottle(0, time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			ver, err := v.Start(ctx, "+31612345678")
			if err != nil {
				b.Fatal(err)
			}
			c, _ := code("+31612345678")
			if _, err := v.Check(ctx, ver.ID, c); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("provider=fake", func(b *testing.B) {
		p := fake.New()
		run(b, p, p.LastCode)
	})
	b.Run("provider=otp", func(b *testing.B) {
		s := fake.NewSender()
		p, err := otp.New(s, []byte(secret), otp.WithStore(new(verify.MemoryLimiter)))
		if err != nil {
			b.Fatal(err)
		}
		run(b, p, s.LastCode)
	})
}
