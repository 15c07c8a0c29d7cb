package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// The benchmarks below are read together (go test -bench . -benchmem):
// ParseAndValidate is what phonenumbers alone costs for one number; Start
// adds the library's checks, the rate limits and the fake provider; the
// issue's target is Start at most twice ParseAndValidate and at most 40
// allocations.

func BenchmarkParseAndValidate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		num, err := phonenumbers.Parse("06 12345678", "NL")
		if err != nil || !phonenumbers.IsValidNumber(num) {
			b.Fatal(err)
		}
		_ = phonenumbers.Format(num, phonenumbers.E164)
	}
}

func BenchmarkStart(b *testing.B) {
	ctx := context.Background()
	b.Run("NoLimits", func(b *testing.B) {
		v, err := verify.New(fake.New(fake.WithCode("123456")), verify.WithDefaultRegion("NL"),
			verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Start(ctx, "06 12345678"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UserLanguage", func(b *testing.B) {
		// The user's languages, as the http package passes them.
		v, err := verify.New(fake.New(fake.WithCode("123456")), verify.WithDefaultRegion("NL"),
			verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Start(ctx, "06 12345678", verify.WithUserLanguage("de-CH", "de", "en")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RegionRefused", func(b *testing.B) {
		// The refusal names the region: its cost is paid here only.
		v, err := verify.New(fake.New(fake.WithCode("123456")), verify.WithDefaultRegion("NL"),
			verify.WithDeniedRegions("NL"), verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Start(ctx, "06 12345678"); err == nil {
				b.Fatal("not refused")
			}
		}
	})
	b.Run("DefaultLimits", func(b *testing.B) {
		// The clock moves an hour per start, so the default limits are
		// asked every time but never refuse.
		c := newClock()
		v, err := verify.New(fake.New(fake.WithCode("123456")), verify.WithDefaultRegion("NL"),
			verify.WithLimiter(&verify.MemoryLimiter{Now: c.Now}))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			c.Advance(time.Hour)
			if _, err := v.Start(ctx, "06 12345678", verify.WithClientKey("192.0.2.1")); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	p := fake.New(fake.WithCode("123456"))
	v, err := verify.New(p, verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, b.N)
	for i := range ids {
		ver, err := v.Start(ctx, "+31612345678")
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = ver.ID
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Check(ctx, ids[i], "123 456"); err != nil {
			b.Fatal(err)
		}
	}
}
