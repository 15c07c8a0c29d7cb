package twilio_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/twilio"
	"github.com/phoneverify/verify/twilio/twiliotest"
	"github.com/phoneverify/verify/verifytest"
)

// service8 is the emulator's Service for 8-digit codes, which the
// conformance suite asks for in its SMS test.
const service8 = "VA00000000000000000000000000000008"

// newPair starts an emulator and a Provider talking to it, both closed
// when t ends.
func newPair(t testing.TB, opts ...twiliotest.Option) (*twiliotest.Server, *twilio.Provider) {
	t.Helper()
	s := twiliotest.NewServer(append([]twiliotest.Option{twiliotest.WithService(service8, 8)}, opts...)...)
	t.Cleanup(s.Close)
	p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
		twilio.WithHTTPClient(s.Client()), twilio.WithClock(s.Now), twilio.WithService(8, service8))
	require.NoError(t, err)
	t.Cleanup(p.CloseIdleConnections)
	return s, p
}

func TestConformance(t *testing.T) {
	verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
		s, p := newPair(t)
		return verifytest.Harness{
			Provider: p,
			Code: func(ver *verify.Verification) string {
				sid, _, _ := strings.Cut(ver.ID, "-")
				code, _ := s.Code(sid)
				return code
			},
			Advance: s.Advance,
			Stall:   func() { s.Inject(twiliotest.Delay(time.Hour)) },
		}
	})
}
