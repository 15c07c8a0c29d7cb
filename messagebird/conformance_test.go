package messagebird_test

import (
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/verifytest"
)

// newPair starts an emulator and a Provider talking to it, both closed
// when t ends.
func newPair(t testing.TB, opts ...mbtest.Option) (*mbtest.Server, *messagebird.Provider) {
	t.Helper()
	s := mbtest.NewServer(opts...)
	t.Cleanup(s.Close)
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.CloseIdleConnections)
	return s, p
}

func TestConformance(t *testing.T) {
	verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
		s, p := newPair(t)
		return verifytest.Harness{
			Provider: p,
			Code: func(ver *verify.Verification) string {
				code, _ := s.Code(ver.ID)
				return code
			},
			Advance: s.Advance,
			Stall:   func() { s.Inject(mbtest.Delay(time.Hour)) },
		}
	})
}
