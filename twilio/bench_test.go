package twilio_test

import (
	"context"
	"testing"
	"time"

	twilioapi "github.com/twilio/twilio-go"
	twclient "github.com/twilio/twilio-go/client"
	verifyv2 "github.com/twilio/twilio-go/rest/verify/v2"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/twilio"
	"github.com/phoneverify/verify/twilio/twiliotest"
)

// rawSDK is twilio-go's own client pointed at an emulator, as a caller of
// the SDK would write it.
func rawSDK(s *twiliotest.Server) *twilioapi.RestClient {
	c := &twclient.Client{Credentials: twclient.NewCredentials(twiliotest.AccountSID, twiliotest.AuthToken), HTTPClient: s.Client()}
	c.SetAccountSid(twiliotest.AccountSID)
	return twilioapi.NewRestClientWithParams(twilioapi.ClientParams{Client: c})
}

// rawStartCheck starts and checks a verification with twilio-go alone,
// with the parameters the adapter sends.
func rawStartCheck(b *testing.B, rc *twilioapi.RestClient, s *twiliotest.Server) {
	params := &verifyv2.CreateVerificationParams{}
	params.SetTo(phone)
	params.SetChannel("call")
	params.SetLocale("en-GB")
	v, err := rc.VerifyV2.CreateVerification(twiliotest.ServiceSID, params)
	if err != nil {
		b.Fatal(err)
	}
	code, _ := s.Code(*v.Sid)
	check := &verifyv2.CreateVerificationCheckParams{}
	check.SetVerificationSid(*v.Sid)
	check.SetCode(code)
	got, err := rc.VerifyV2.CreateVerificationCheck(twiliotest.ServiceSID, check)
	if err != nil || *got.Status != "approved" {
		b.Fatal(got, err)
	}
}

func adapterStartCheck(b *testing.B, p *twilio.Provider, s *twiliotest.Server) {
	ctx := context.Background()
	ver, err := p.Start(ctx, request())
	if err != nil {
		b.Fatal(err)
	}
	code, _ := s.Code(ver.ID)
	if _, err := p.Check(ctx, ver.ID, code); err != nil {
		b.Fatal(err)
	}
}

func benchPair(b *testing.B) (*twiliotest.Server, *twilio.Provider) {
	s := twiliotest.NewServer()
	b.Cleanup(s.Close)
	p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
		twilio.WithHTTPClient(s.Client()), twilio.WithClock(s.Now))
	if err != nil {
		b.Fatal(err)
	}
	return s, p
}

// BenchmarkStartCheck measures one Start and one right Check against the
// emulator with twilio-go called directly, through the adapter, and
// through a Verifier and the adapter. Compare allocs/op and ns/op.
func BenchmarkStartCheck(b *testing.B) {
	b.Run("twilio-go", func(b *testing.B) {
		s, _ := benchPair(b)
		rc := rawSDK(s)
		b.ReportAllocs()
		for b.Loop() {
			rawStartCheck(b, rc, s)
		}
	})
	b.Run("adapter", func(b *testing.B) {
		s, p := benchPair(b)
		b.ReportAllocs()
		for b.Loop() {
			adapterStartCheck(b, p, s)
		}
	})
	b.Run("Verifier+adapter", func(b *testing.B) {
		s, p := benchPair(b)
		v, err := verify.New(p, verify.WithLimiter(allowAll{}))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ver, err := v.Start(ctx, phone)
			if err != nil {
				b.Fatal(err)
			}
			code, _ := s.Code(ver.ID)
			if _, err := v.Check(ctx, ver.ID, code); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStartCheckPaired alternates a Start and a Check with twilio-go
// directly and through the adapter in every iteration, in turns, on one
// emulator and one transport, and times each, so that both see the same
// machine load: it reports each one's ns per pair and their ratio.
func BenchmarkStartCheckPaired(b *testing.B) {
	s, p := benchPair(b)
	rc := rawSDK(s)
	var direct, adapter time.Duration
	first := false
	b.ReportAllocs()
	for b.Loop() {
		// Each goes first every other iteration, so that neither always
		// finds the connection just used or the emulator just warmed.
		first = !first
		for _, raw := range []bool{first, !first} {
			t0 := time.Now()
			if raw {
				rawStartCheck(b, rc, s)
				direct += time.Since(t0)
			} else {
				adapterStartCheck(b, p, s)
				adapter += time.Since(t0)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(direct.Nanoseconds())/n, "sdk-ns/pair")
	b.ReportMetric(float64(adapter.Nanoseconds())/n, "adapter-ns/pair")
	b.ReportMetric(float64(adapter)/float64(direct), "ratio")
}

// allowAll is a Limiter that allows everything, so that the benchmark
// measures the calls and not the rate limits.
type allowAll struct{}

func (allowAll) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}
