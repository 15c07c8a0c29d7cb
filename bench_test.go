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
// adds the library's checks, the rate limits and the fake provider.

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
			verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithPumpingGuard(0, 0, 0))
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
			verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithPumpingGuard(0, 0, 0))
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
			verify.WithDeniedRegions("NL"), verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithPumpingGuard(0, 0, 0))
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
	// One client, as the http handlers name it: after its first
	// verification its network is the number's own, so that the
	// failed-check throttle's per-number ceiling, whose credit for
	// successes is bounded, does not refuse the 10,000th check.
	v, err := verify.New(p, verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithPumpingGuard(0, 0, 0),
		verify.WithClientLimit(0, 0), verify.WithClientNetworkLimit(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, b.N)
	for i := range ids {
		ver, err := v.Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.1"))
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

// nopObserver is the cheapest Observer there is: what remains is the
// cost of the event plumbing itself.
type nopObserver struct{}

func (nopObserver) Observe(context.Context, verify.Event) {}

// nopTagger is the cheapest Tagger.
type nopTagger struct{ nopObserver }

func (nopTagger) Tag(ctx context.Context, _ verify.Op) context.Context { return ctx }

// BenchmarkObserver compares Start and Check without an Observer (the
// default), with one that does nothing, and with a Tagger that does
// nothing, in one run. The event plumbing must add no allocation: all
// three report the same allocs/op.
func BenchmarkObserver(b *testing.B) {
	observers := []struct {
		name string
		opts []verify.Option
	}{
		{"None", nil},
		{"Nop", []verify.Option{verify.WithObserver(nopObserver{})}},
		{"NopTagger", []verify.Option{verify.WithObserver(nopTagger{})}},
	}
	ctx := context.Background()
	for _, o := range observers {
		newVerifier := func(b *testing.B) *verify.Verifier {
			v, err := verify.New(fake.New(fake.WithCode("123456")), append([]verify.Option{
				verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithPumpingGuard(0, 0, 0),
				verify.WithClientLimit(0, 0), verify.WithClientNetworkLimit(0, 0)}, o.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			return v
		}
		b.Run("Start/"+o.name, func(b *testing.B) {
			v := newVerifier(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Start(ctx, "+31612345678"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Check/"+o.name, func(b *testing.B) {
			v := newVerifier(b)
			ids := make([]string, b.N)
			for i := range ids {
				ver, err := v.Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.1")) // see BenchmarkCheck
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = ver.ID
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := v.Check(ctx, ids[i], "123456"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
