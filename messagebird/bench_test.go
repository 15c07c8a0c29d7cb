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

// BenchmarkStartCheckPaired alternates the two pairs of calls of
// BenchmarkStartCheck, go-rest-api directly and Verifier+adapter, in every
// iteration and times each, so that both see the same machine load; it
// reports each one's ns per pair and the Verifier's overhead in percent.
// On a busy machine its ratio is steadier than comparing the sub-benchmarks
// of BenchmarkStartCheck.
func BenchmarkStartCheckPaired(b *testing.B) {
	const code = "123456"
	s1 := mbtest.NewServer(mbtest.WithCode(code))
	defer s1.Close()
	c := sdk{mb.New(mbtest.AccessKey), s1.URL}
	params := &mbverify.Params{Type: "tts", Template: "Your security code is %token.",
		Voice: "female", Language: "en-gb", Timeout: 600, TokenLength: 6}

	s2 := mbtest.NewServer(mbtest.WithCode(code))
	defer s2.Close()
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s2.URL))
	if err != nil {
		b.Fatal(err)
	}
	defer p.CloseIdleConnections()
	v, err := verify.New(p, verify.WithLimiter(allowAll{}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	var direct, wrapped time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		mv, err := mbverify.Create(c, "31612345678", params)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := mbverify.VerifyToken(c, mv.ID, code); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		ver, err := v.Start(ctx, "+31612345678")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Check(ctx, ver.ID, code); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		direct += t1.Sub(t0)
		wrapped += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(direct.Nanoseconds())/n, "sdk-ns/pair")
	b.ReportMetric(float64(wrapped.Nanoseconds())/n, "verifier-ns/pair")
	b.ReportMetric(100*(float64(wrapped)/float64(direct)-1), "overhead-%")
}
