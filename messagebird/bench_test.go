package messagebird_test

import (
	"context"
	"testing"
	"time"

	mb "github.com/messagebird/go-rest-api/v9"
	mbverify "github.com/messagebird/go-rest-api/v9/verify"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
)

// sdk is go-rest-api's own client pointed at an emulator, as a caller of
// the SDK would have to write it.
type sdk struct {
	c    *mb.DefaultClient
	base string
}

func (s sdk) Request(v any, method, path string, data any) error {
	return s.c.Request(v, method, s.base+"/"+path, data)
}

// allowAll is a Limiter that allows everything, so that the benchmark
// measures the calls and not the rate limits.
type allowAll struct{}

func (allowAll) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

// BenchmarkStartCheck measures one Start and one right Check against the
// emulator, through a Verifier and the adapter, through the adapter alone,
// and with go-rest-api called directly (verify.Create, verify.VerifyToken)
// with the same parameters. Each runs against an emulator of its own that
// sends the code 123456. Compare allocs/op and ns/op of the first two
// with the last.
func BenchmarkStartCheck(b *testing.B) {
	const code = "123456"
	b.Run("go-rest-api", func(b *testing.B) {
		s := mbtest.NewServer(mbtest.WithCode(code))
		defer s.Close()
		c := sdk{mb.New(mbtest.AccessKey), s.URL}
		params := &mbverify.Params{Type: "tts", Template: "Your security code is %token.",
			Voice: "female", Language: "en-gb", Timeout: 600, TokenLength: 6}
		b.ReportAllocs()
		for b.Loop() {
			v, err := mbverify.Create(c, "31612345678", params)
			if err != nil {
				b.Fatal(err)
			}
			got, err := mbverify.VerifyToken(c, v.ID, code)
			if err != nil || got.Status != "verified" {
				b.Fatal(got, err)
			}
		}
	})
	b.Run("Verifier+adapter", func(b *testing.B) {
		s := mbtest.NewServer(mbtest.WithCode(code))
		defer s.Close()
		p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
		if err != nil {
			b.Fatal(err)
		}
		defer p.CloseIdleConnections()
		v, err := verify.New(p, verify.WithLimiter(allowAll{}))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ver, err := v.Start(ctx, "+31612345678")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := v.Check(ctx, ver.ID, code); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("adapter", func(b *testing.B) {
		s := mbtest.NewServer(mbtest.WithCode(code))
		defer s.Close()
		p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
		if err != nil {
			b.Fatal(err)
		}
		defer p.CloseIdleConnections()
		req := verify.Request{Phone: "+31612345678", Channel: verify.Voice, TokenLength: 6, Voice: verify.Female,
			Language: "en-gb", Template: "Your security code is %token.", Validity: 10 * time.Minute, MaxAttempts: 5}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ver, err := p.Start(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Check(ctx, ver.ID, code); err != nil {
				b.Fatal(err)
			}
		}
	})
}
