package verify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/verifytest"
)

func newClock() *verifytest.Clock {
	return verifytest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

func TestMemoryLimiterSlidingWindow(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	allow := func(key string) (bool, time.Duration) {
		t.Helper()
		ok, retry, err := l.Allow(ctx, key, 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok, retry
	}
	for i := range 3 {
		if ok, _ := allow("k"); !ok {
			t.Fatalf("event %d of 3 refused", i+1)
		}
		c.Advance(10 * time.Second)
	}
	// Events at 0s, 10s, 20s; now 30s.
	if ok, retry := allow("k"); ok || retry != 30*time.Second {
		t.Fatalf("4th event: ok %v, retry %s; want refused, retry 30s", ok, retry)
	}
	if ok, _ := allow("other"); !ok {
		t.Fatal("another key was limited")
	}
	c.Advance(29 * time.Second) // 59s: the first event is still in the window
	if ok, retry := allow("k"); ok || retry != time.Second {
		t.Fatalf("at 59s: ok %v, retry %s; want refused, retry 1s", ok, retry)
	}
	c.Advance(time.Second) // 60s: the first event has left
	if ok, _ := allow("k"); !ok {
		t.Fatal("at 60s: refused, want allowed")
	}
	if ok, retry := allow("k"); ok || retry != 10*time.Second {
		t.Fatalf("right after: ok %v, retry %s; want refused, retry 10s", ok, retry)
	}
}

func TestMemoryLimiterRefusesBadArguments(t *testing.T) {
	l := &verify.MemoryLimiter{}
	for _, tt := range []struct {
		n   int
		per time.Duration
	}{{0, time.Minute}, {-1, time.Minute}, {1, 0}} {
		if _, _, err := l.Allow(context.Background(), "k", tt.n, tt.per); !errors.Is(err, verify.ErrInvalidOption) {
			t.Errorf("Allow(%d, %s): %v", tt.n, tt.per, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := l.Allow(ctx, "k", 1, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Allow with a canceled context: %v", err)
	}
}

func TestMemoryLimiterExactUnderConcurrency(t *testing.T) {
	l := &verify.MemoryLimiter{}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() {
			if ok, _, err := l.Allow(context.Background(), "k", 5, time.Hour); err == nil && ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Fatalf("%d of 1000 concurrent events allowed, want 5", n)
	}
}

func TestMemoryLimiterStaysBounded(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 10_000}
	ctx := context.Background()
	// A million distinct keys, each in its window for a minute, arriving
	// 100 per simulated second: the limiter never holds more than MaxKeys.
	for i := range 1_000_000 {
		if i%100 == 0 {
			c.Advance(time.Second)
		}
		l.Allow(ctx, fmt.Sprint("k", i), 1, time.Minute)
		if l.Len() > 10_000 {
			t.Fatalf("after %d keys the limiter holds %d", i+1, l.Len())
		}
	}
	// About 6,000 keys are in their window (60s × 100/s); expired ones are
	// swept as new ones arrive, so the limiter is not pinned at the cap.
	if n := l.Len(); n > 2*6000+1024 {
		t.Fatalf("limiter holds %d keys, want about 6000 live ones and few expired", n)
	}
	c.Advance(2 * time.Minute)
	for i := range 1100 {
		l.Allow(ctx, fmt.Sprint("late", i), 1, time.Minute)
	}
	if n := l.Len(); n > 1100 {
		t.Fatalf("after every old key expired the limiter holds %d keys, want at most the 1100 new ones", n)
	}
}

func TestMemoryLimiterFullRefusesNewKeys(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 2}
	ctx := context.Background()
	l.Allow(ctx, "a", 5, time.Minute)
	c.Advance(10 * time.Second)
	l.Allow(ctx, "b", 5, time.Minute)
	ok, _, err := l.Allow(ctx, "c", 5, time.Minute)
	if !errors.Is(err, verify.ErrUnavailable) || ok || !strings.Contains(err.Error(), "for another 50s") {
		t.Fatalf("new key on a full limiter: %v, %v; want ErrUnavailable for 50s", ok, err)
	}
	if ok, _, _ := l.Allow(ctx, "a", 5, time.Minute); !ok {
		t.Fatal("a known key was refused because the limiter is full")
	}
	c.Advance(61 * time.Second) // both have expired
	if ok, _, _ := l.Allow(ctx, "c", 5, time.Minute); !ok {
		t.Fatal("new key refused after the old ones expired")
	}
}

// limited returns a Verifier on a fake with the given limits, and its clock.
func limited(t *testing.T, opts ...verify.Option) (*verify.Verifier, *fake.Provider, *verifytest.Clock) {
	t.Helper()
	c := newClock()
	p := fake.New(fake.WithClock(c.Now))
	v, err := verify.New(p, append([]verify.Option{verify.WithLimiter(&verify.MemoryLimiter{Now: c.Now})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v, p, c
}

func wantRateLimited(t *testing.T, err error, limit string, retry time.Duration) {
	t.Helper()
	var rl *verify.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, verify.ErrRateLimited) {
		t.Fatalf("got %v, want a *RateLimitError", err)
	}
	if rl.Limit != limit || rl.RetryAfter != retry {
		t.Fatalf("got %s after %s, want %s after %s", rl.Limit, rl.RetryAfter, limit, retry)
	}
}

func TestResendCooldownByDefault(t *testing.T) {
	v, p, c := limited(t)
	ctx := context.Background()
	if _, err := v.Start(ctx, "+31612345678"); err != nil {
		t.Fatal(err)
	}
	c.Advance(10 * time.Second)
	_, err := v.Start(ctx, "+31612345678")
	wantRateLimited(t, err, "resend cooldown", 20*time.Second)
	// "Text me instead": the other channel is not held up.
	if _, err := v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS)); err != nil {
		t.Fatalf("switching channel: %v", err)
	}
	// Another number is not held up either.
	if _, err := v.Start(ctx, "+31687654321"); err != nil {
		t.Fatal(err)
	}
	c.Advance(20 * time.Second)
	if _, err := v.Start(ctx, "+31612345678"); err != nil {
		t.Fatalf("after the cooldown: %v", err)
	}
	if n := len(p.Messages()); n != 4 {
		t.Fatalf("%d messages sent, want 4 (the refused start sent nothing)", n)
	}
}

func TestPerNumberLimitByDefault(t *testing.T) {
	v, _, c := limited(t)
	ctx := context.Background()
	for i := range 5 {
		if _, err := v.Start(ctx, "+31612345678"); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
		c.Advance(31 * time.Second)
	}
	_, err := v.Start(ctx, "+31612345678")
	wantRateLimited(t, err, "per-number limit", time.Hour-5*31*time.Second)
	c.Advance(time.Hour - 5*31*time.Second)
	if _, err := v.Start(ctx, "+31612345678"); err != nil {
		t.Fatalf("after the first start left the hour: %v", err)
	}
}

func TestPerClientLimitByDefault(t *testing.T) {
	v, _, _ := limited(t)
	ctx := context.Background()
	for i := range 20 {
		if _, err := v.Start(ctx, fmt.Sprintf("+316123456%02d", i), verify.WithClientKey("192.0.2.1")); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
	_, err := v.Start(ctx, "+31612345699", verify.WithClientKey("192.0.2.1"))
	wantRateLimited(t, err, "per-client limit", time.Hour)
	if _, err := v.Start(ctx, "+31612345697", verify.WithClientKey("192.0.2.2")); err != nil {
		t.Fatalf("another client: %v", err)
	}
	if _, err := v.Start(ctx, "+31612345698"); err != nil {
		t.Fatalf("no client key: %v", err)
	}
}

func TestCooldownRefusalCostsTheClientNothing(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientLimit(2, time.Hour))
	ctx := context.Background()
	client := verify.WithClientKey("192.0.2.1")
	if _, err := v.Start(ctx, "+31612345678", client); err != nil {
		t.Fatal(err)
	}
	for range 3 { // a user clicking "call me again" too soon
		_, err := v.Start(ctx, "+31612345678", client)
		wantRateLimited(t, err, "resend cooldown", 30*time.Second)
	}
	if _, err := v.Start(ctx, "+31687654321", client); err != nil {
		t.Fatalf("the client's second start: %v (the cooldown refusals used up its limit)", err)
	}
}

func TestGlobalLimitIsOffByDefaultAndCapsAllStarts(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientLimit(0, 0))
	for i := range 50 {
		if _, err := v.Start(context.Background(), fmt.Sprintf("+316123456%02d", i)); err != nil {
			t.Fatalf("start %d without a global limit: %v", i+1, err)
		}
	}
	g, _, _ := limited(t, verify.WithGlobalLimit(3, 24*time.Hour))
	for i := range 3 {
		if _, err := g.Start(context.Background(), fmt.Sprintf("+3161234560%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := g.Start(context.Background(), "+31612345699")
	wantRateLimited(t, err, "global limit", 24*time.Hour)
}

func TestLimitsCanBeSwitchedOff(t *testing.T) {
	v, _, _ := limited(t, verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithClientLimit(0, 0))
	for i := range 30 {
		if _, err := v.Start(context.Background(), "+31612345678", verify.WithClientKey("c")); err != nil {
			t.Fatalf("start %d with limits off: %v", i+1, err)
		}
	}
}

func TestConcurrentStartsForOneNumber(t *testing.T) {
	v, p, _ := limited(t, verify.WithResendCooldown(0))
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() {
			_, err := v.Start(context.Background(), "+31612345678")
			switch {
			case err == nil:
				ok.Add(1)
			case !errors.Is(err, verify.ErrRateLimited):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 5 || len(p.Messages()) != 5 {
		t.Fatalf("%d of 1000 concurrent starts succeeded (%d sent), want 5", ok.Load(), len(p.Messages()))
	}
}

// lenient is a provider that never fails a verification, however many
// wrong codes it gets: the library's own cap must hold.
type lenient struct{ spy }

func TestMaxAttemptsEnforcedByTheLibrary(t *testing.T) {
	p := &lenient{}
	p.check = func(id, code string) (*verify.Verification, error) { return nil, verify.ErrInvalidCode }
	v := newVerifier(t, p, verify.WithMaxAttempts(3))
	ctx := context.Background()
	for i := range 3 {
		if _, err := v.Check(ctx, "id1", "000000"); !errors.Is(err, verify.ErrInvalidCode) {
			t.Fatalf("check %d: %v", i+1, err)
		}
	}
	if _, err := v.Check(ctx, "id1", "123456"); !errors.Is(err, verify.ErrTooManyAttempts) {
		t.Fatalf("4th check: %v, want ErrTooManyAttempts", err)
	}
	if n := p.checks.Load(); n != 3 {
		t.Fatalf("provider saw %d checks, want 3", n)
	}
	if _, err := v.Check(ctx, "id2", "000000"); !errors.Is(err, verify.ErrInvalidCode) {
		t.Fatalf("another verification: %v", err)
	}
}

// failing is a Limiter whose store is down.
type failing struct{}

func (failing) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return false, 0, errors.New("connection refused")
}

func TestLimiterFailureFailsClosed(t *testing.T) {
	s := &spy{}
	v, err := verify.New(s, verify.WithLimiter(failing{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(context.Background(), "+31612345678"); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Start: %v, want ErrUnavailable", err)
	}
	if _, err := v.Check(context.Background(), "id1", "123456"); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Check: %v, want ErrUnavailable", err)
	}
	if s.starts.Load()+s.checks.Load() != 0 {
		t.Fatal("the provider was called although the limiter failed")
	}
}

func BenchmarkMemoryLimiterAllow(b *testing.B) {
	ctx := context.Background()
	b.Run("OneKey", func(b *testing.B) {
		l := &verify.MemoryLimiter{}
		b.ReportAllocs()
		for b.Loop() {
			l.Allow(ctx, "number:+31612345678", 5, time.Hour)
		}
	})
	b.Run("ManyKeys", func(b *testing.B) {
		keys := make([]string, 4096)
		for i := range keys {
			keys[i] = fmt.Sprint("client:192.0.2.", i)
		}
		l := &verify.MemoryLimiter{}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Allow(ctx, keys[i%len(keys)], 20, time.Hour)
			i++
		}
	})
}
