package messagebird_test

import (
	"context"
	"testing"
	"time"

	mb "github.com/messagebird/go-rest-api/v9"
	"github.com/messagebird/go-rest-api/v9/sms"
	mbverify "github.com/messagebird/go-rest-api/v9/verify"
	"github.com/messagebird/go-rest-api/v9/voicemessage"

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

// benchCode is the code the benchmarks' emulators send.
const benchCode = "123456"

// benchParams are the parameters of the go-rest-api calls, the same as
// a Verifier's defaults.
var benchParams = mbverify.Params{Type: "tts", Template: "Your security code is %token.",
	Voice: "female", Language: "en-gb", Timeout: 600, TokenLength: 6}

// newBenchSDK returns go-rest-api's client over an emulator of its own
// that sends benchCode.
func newBenchSDK(b *testing.B) sdk {
	s := mbtest.NewServer(mbtest.WithCode(benchCode))
	b.Cleanup(s.Close)
	return sdk{mb.New(mbtest.AccessKey), s.URL}
}

// newBenchProvider returns a Provider over an emulator of its own that
// sends benchCode.
func newBenchProvider(b *testing.B) *messagebird.Provider {
	s := mbtest.NewServer(mbtest.WithCode(benchCode))
	b.Cleanup(s.Close)
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.CloseIdleConnections)
	return p
}

// newBenchVerifier returns a Verifier over newBenchProvider, without
// rate limits.
func newBenchVerifier(b *testing.B) *verify.Verifier {
	v, err := verify.New(newBenchProvider(b), verify.WithLimiter(allowAll{}))
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// sdkStartCheck starts and checks one verification with go-rest-api.
func sdkStartCheck(b *testing.B, c sdk) {
	v, err := mbverify.Create(c, "31612345678", &benchParams)
	if err != nil {
		b.Fatal(err)
	}
	got, err := mbverify.VerifyToken(c, v.ID, benchCode)
	if err != nil || got.Status != "verified" {
		b.Fatal(got, err)
	}
}

// verifierStartCheck starts and checks one verification with v.
func verifierStartCheck(b *testing.B, v *verify.Verifier) {
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.Check(ctx, ver.ID, benchCode); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStartCheck measures one Start and one right Check against the
// emulator, through a Verifier and the adapter, through the adapter alone,
// and with go-rest-api called directly (verify.Create, verify.VerifyToken)
// with the same parameters. Each runs against an emulator of its own.
// Compare allocs/op and ns/op of the first two with the last.
func BenchmarkStartCheck(b *testing.B) {
	b.Run("go-rest-api", func(b *testing.B) {
		c := newBenchSDK(b)
		b.ReportAllocs()
		for b.Loop() {
			sdkStartCheck(b, c)
		}
	})
	b.Run("Verifier+adapter", func(b *testing.B) {
		v := newBenchVerifier(b)
		b.ReportAllocs()
		for b.Loop() {
			verifierStartCheck(b, v)
		}
	})
	b.Run("adapter", func(b *testing.B) {
		p := newBenchProvider(b)
		req := verify.Request{Phone: "+31612345678", Channel: verify.Voice, TokenLength: 6, Voice: verify.Female,
			Language: "en-gb", Template: "Your security code is %token.", Validity: 10 * time.Minute, MaxAttempts: 5}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ver, err := p.Start(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Check(ctx, ver.ID, benchCode); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// paired runs direct and wrapped in turn in every iteration and times
// each, so that both see the same machine load; it reports each one's ns
// per iteration and the overhead of wrapped in percent. On a busy
// machine its ratio is steadier than comparing separate benchmarks.
func paired(b *testing.B, direct, wrapped func()) {
	var td, tw time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		direct()
		t1 := time.Now()
		wrapped()
		t2 := time.Now()
		td += t1.Sub(t0)
		tw += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(td.Nanoseconds())/n, "sdk-ns/op")
	b.ReportMetric(float64(tw.Nanoseconds())/n, "wrapped-ns/op")
	b.ReportMetric(100*(float64(tw)/float64(td)-1), "overhead-%")
}

// BenchmarkStartCheckPaired alternates the two pairs of calls of
// BenchmarkStartCheck, go-rest-api directly and Verifier+adapter (see
// paired).
func BenchmarkStartCheckPaired(b *testing.B) {
	c, v := newBenchSDK(b), newBenchVerifier(b)
	paired(b, func() { sdkStartCheck(b, c) }, func() { verifierStartCheck(b, v) })
}

// sendText is the text the Send benchmarks deliver, as otp writes one
// for speech.
const sendText = "Your code is: 1, 2, 3, 4, 5, 6. Again: 1, 2, 3, 4, 5, 6."

// sdkSend sends one SMS and one call with go-rest-api's sms and
// voicemessage packages, with the fields a Sender sends.
func sdkSend(b *testing.B, c sdk) {
	if _, err := sms.Create(c, "Code", []string{"31612345678"}, sendText, &sms.Params{Type: "sms", DataCoding: "auto"}); err != nil {
		b.Fatal(err)
	}
	params := &voicemessage.Params{Language: "en-gb", Voice: "female", Repeat: 1, IfMachine: "hangup"}
	if _, err := voicemessage.Create(c, []string{"31612345678"}, sendText, params); err != nil {
		b.Fatal(err)
	}
}

// senderSend sends the same SMS and call with snd.
func senderSend(b *testing.B, snd *messagebird.Sender) {
	ctx := context.Background()
	if err := snd.Send(ctx, verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: sendText}); err != nil {
		b.Fatal(err)
	}
	m := verify.Message{Phone: "+31612345678", Channel: verify.Voice, Text: sendText, Language: "en-gb", Voice: verify.Female}
	if err := snd.Send(ctx, m); err != nil {
		b.Fatal(err)
	}
}

// newBenchSender returns go-rest-api's client and a Sender over one
// emulator.
func newBenchSender(b *testing.B) (sdk, *messagebird.Sender) {
	s := mbtest.NewServer()
	b.Cleanup(s.Close)
	snd, err := messagebird.NewSender(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(snd.CloseIdleConnections)
	return sdk{mb.New(mbtest.AccessKey), s.URL}, snd
}

// BenchmarkSend sends one SMS and one call, with go-rest-api called
// directly and through a Sender: compare allocs/op.
func BenchmarkSend(b *testing.B) {
	b.Run("go-rest-api", func(b *testing.B) {
		c, _ := newBenchSender(b)
		b.ReportAllocs()
		for b.Loop() {
			sdkSend(b, c)
		}
	})
	b.Run("Sender", func(b *testing.B) {
		_, snd := newBenchSender(b)
		b.ReportAllocs()
		for b.Loop() {
			senderSend(b, snd)
		}
	})
}

// BenchmarkSendPaired alternates the two sides of BenchmarkSend on one
// emulator (see paired).
func BenchmarkSendPaired(b *testing.B) {
	c, snd := newBenchSender(b)
	paired(b, func() { sdkSend(b, c) }, func() { senderSend(b, snd) })
}
