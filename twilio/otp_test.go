package twilio_test

import (
	"context"
	"encoding/xml"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/twilio"
	"github.com/phoneverify/verify/twilio/twiliotest"
	"github.com/phoneverify/verify/verifytest"
)

// TestOTPConformance runs the conformance suite on the otp Provider over
// a Sender talking to the emulator: the codes are read from the texts and
// the calls' TwiML the emulator received.
func TestOTPConformance(t *testing.T) {
	verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
		s := twiliotest.NewServer()
		t.Cleanup(s.Close)
		snd, err := twilio.NewSender(twiliotest.AccountSID, twiliotest.AuthToken, from,
			twilio.WithHTTPClient(s.Client()), twilio.WithUnscreenedCalls())
		require.NoError(t, err)
		t.Cleanup(snd.CloseIdleConnections)
		store := &stallStore{MemoryLimiter: &verify.MemoryLimiter{Now: s.Now}}
		p, err := otp.New(snd, []byte("0123456789abcdef0123456789abcdef"), otp.WithStore(store), otp.WithClock(s.Now))
		require.NoError(t, err)
		return verifytest.Harness{
			Provider: p,
			Code:     func(ver *verify.Verification) string { return lastCode(t, s, ver.Phone) },
			Advance:  s.Advance,
			Stall:    store.stallNext,
		}
	})
}

// lastCode returns the digits of the last text or call to phone.
func lastCode(t *testing.T, s *twiliotest.Server, phone string) string {
	t.Helper()
	sent := s.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].To != phone {
			continue
		}
		text := sent[i].Body
		if sent[i].Kind == "call" {
			var r struct{ Say string }
			require.NoError(t, xml.Unmarshal([]byte(text), &r))
			text = r.Say
		}
		return strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, text)
	}
	require.FailNow(t, "nothing was sent", "to %s", phone)
	return ""
}

// stallStore is a MemoryLimiter whose next call, once stallNext was
// called, waits for its context to end and changes nothing.
type stallStore struct {
	*verify.MemoryLimiter
	mu    sync.Mutex
	stall bool
}

func (s *stallStore) stallNext() {
	s.mu.Lock()
	s.stall = true
	s.mu.Unlock()
}

func (s *stallStore) wait(ctx context.Context) error {
	s.mu.Lock()
	stall := s.stall
	s.stall = false
	s.mu.Unlock()
	if !stall {
		return nil
	}
	<-ctx.Done()
	return ctx.Err()
}

func (s *stallStore) Allow(ctx context.Context, key string, n int, per time.Duration) (bool, time.Duration, error) {
	if err := s.wait(ctx); err != nil {
		return false, 0, err
	}
	return s.MemoryLimiter.Allow(ctx, key, n, per)
}

func (s *stallStore) AllowAll(ctx context.Context, limits []verify.Limit) (int, time.Duration, error) {
	if err := s.wait(ctx); err != nil {
		return 0, 0, err
	}
	return s.MemoryLimiter.AllowAll(ctx, limits)
}

func (s *stallStore) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.MemoryLimiter.Count(ctx, window, keys...)
}

func (s *stallStore) Forget(ctx context.Context, keys ...string) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.MemoryLimiter.Forget(ctx, keys...)
}

func (s *stallStore) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.MemoryLimiter.Put(ctx, key, value, ttl)
}

func (s *stallStore) Get(ctx context.Context, key string) (string, bool, error) {
	if err := s.wait(ctx); err != nil {
		return "", false, err
	}
	return s.MemoryLimiter.Get(ctx, key)
}
