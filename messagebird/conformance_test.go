package messagebird_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/verifytest"
)

// newPair starts an emulator and a Provider talking to it, both closed
// when t ends.
func newPair(t testing.TB, opts ...mbtest.Option) (*mbtest.Server, *messagebird.Provider) {
	t.Helper()
	s := mbtest.NewServer(opts...)
	t.Cleanup(s.Close)
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
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
				code, _ := s.Code(ver.ID)
				return code
			},
			Advance: s.Advance,
			Stall:   func() { s.Inject(mbtest.Delay(time.Hour)) },
		}
	})
}

// stallStore is the store of the otp Provider of TestSenderConformance.
// After stall, the next Get (the first call of a Check) hangs until its
// context ends, and the next Put (the first call of a Start, before the
// send) has the emulator delay the call that follows, so that a Start is
// canceled while the Sender waits for MessageBird.
type stallStore struct {
	*verify.MemoryLimiter
	delaySend func()

	mu    sync.Mutex
	stall bool
}

func (s *stallStore) stallNext() { s.mu.Lock(); s.stall = true; s.mu.Unlock() }

func (s *stallStore) take() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	stall := s.stall
	s.stall = false
	return stall
}

func (s *stallStore) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if s.take() {
		s.delaySend()
	}
	return s.MemoryLimiter.Put(ctx, key, value, ttl)
}

func (s *stallStore) Get(ctx context.Context, key string) (string, bool, error) {
	if s.take() {
		<-ctx.Done()
		return "", false, ctx.Err()
	}
	return s.MemoryLimiter.Get(ctx, key)
}

// spokenCode returns the first code in text, whose digits may be read
// out one by one ("1, 2, 3", "1、2、3"), as a user would type it.
func spokenCode(text string) string {
	var code strings.Builder
	for _, r := range text {
		switch {
		case '0' <= r && r <= '9':
			code.WriteRune(r)
		case code.Len() > 0 && !strings.ContainsRune(", 、", r):
			return code.String()
		}
	}
	return code.String()
}

// TestSenderConformance runs the conformance suite on otp over the
// Sender, with the emulator delivering the texts.
func TestSenderConformance(t *testing.T) {
	verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
		s, snd := newSender(t)
		clock := verifytest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		store := &stallStore{MemoryLimiter: &verify.MemoryLimiter{Now: clock.Now},
			delaySend: func() { s.Inject(mbtest.Delay(time.Hour)) }}
		p, err := otp.New(snd, []byte("0123456789abcdef0123456789abcdef"), otp.WithStore(store), otp.WithClock(clock.Now))
		require.NoError(t, err)
		return verifytest.Harness{
			Provider: p,
			Code: func(ver *verify.Verification) string {
				text, ok := s.LastText(ver.Phone)
				require.True(t, ok, "nothing was sent to %s", ver.Phone)
				return spokenCode(text)
			},
			Advance: clock.Advance,
			Stall:   store.stallNext,
		}
	})
}
