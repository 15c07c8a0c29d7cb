package verify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// A MemoryLimiter holds at most MaxKeys keys, and makes room by dropping
// keys whose window has passed before any live key: a stream of
// 300,000 keys, each live for a minute, 6,000 live at any time, never
// costs a live key its count, although the limiter holds 10,000.
func TestMemoryLimiterStaysBounded(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 10_000}
	ctx := context.Background()
	for i := range 300_000 {
		if i%100 == 0 {
			c.Advance(time.Second)
		}
		if ok, _, err := l.Allow(ctx, fmt.Sprint("k", i), 1, time.Minute); !ok || err != nil || l.Len() > 10_000 {
			require.FailNow(t, "bound broken", "key %d: allowed %v, %v; %d keys", i, ok, err, l.Len())
		}
		// The key made 59 s ago is live: it still counts its event.
		if old := i - 5900; old >= 0 && i%1000 == 0 {
			counts, err := l.Count(ctx, time.Minute, fmt.Sprint("k", old))
			require.NoError(t, err)
			require.Equal(t, []int{1}, counts, "key %d, live, after %d keys", old, i+1)
		}
	}
	// Once every key has expired, MaxKeys new ones all fit, each keeping
	// its count: the expired ones made room.
	c.Advance(2 * time.Minute)
	for i := range 10_000 {
		l.Allow(ctx, fmt.Sprint("late", i), 1, time.Minute)
	}
	for i := range 10_000 {
		ok, _, err := l.Allow(ctx, fmt.Sprint("late", i), 1, time.Minute)
		require.NoError(t, err)
		require.False(t, ok, "late key %d lost its count", i)
	}
	assert.Equal(t, 10_000, l.Len())
}

func TestMemoryLimiterFullEvictsCheapKeysFirst(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 4}
	ctx := context.Background()
	// Dear keys: a verification's checks, a number's failed checks.
	for _, k := range []string{"attempts:id1", "failures:+31612345678"} {
		if ok, _, err := l.Allow(ctx, k, 5, time.Hour); !ok || err != nil {
			t.Fatal(k, ok, err)
		}
	}
	// A flood of new clients, each allowed although the table is full.
	for i := range 1000 {
		c.Advance(time.Millisecond)
		k := fmt.Sprintf("client:2001:db8:%x::/64", i)
		if ok, _, err := l.Allow(ctx, k, 5, time.Hour); !ok || err != nil {
			t.Fatalf("new client %d on a full limiter: %v, %v", i, ok, err)
		}
		if n := l.Len(); n > 4 {
			t.Fatalf("the limiter holds %d keys, more than its 4", n)
		}
	}
	counts, err := l.Count(ctx, time.Hour, "attempts:id1", "failures:+31612345678", "client:2001:db8:3e7::/64", "client:2001:db8:0::/64")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 1, 1, 0}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("counts %v, want %v: the dear keys and the newest client kept, the oldest client evicted", counts, want)
	}
	// With no cheap key left to evict, the least recently used dear key goes.
	l2 := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 2}
	l2.Allow(ctx, "attempts:a", 5, time.Hour)
	l2.Allow(ctx, "attempts:b", 5, time.Hour)
	l2.Allow(ctx, "attempts:a", 5, time.Hour) // a is now the most recently used
	if ok, _, err := l2.Allow(ctx, "attempts:c", 5, time.Hour); !ok || err != nil {
		t.Fatalf("a check of a verification on a full limiter: %v, %v", ok, err)
	}
	counts, _ = l2.Count(ctx, time.Hour, "attempts:a", "attempts:b", "attempts:c")
	if fmt.Sprint(counts) != "[2 0 1]" {
		t.Fatalf("counts %v, want [2 0 1]", counts)
	}
}

func TestMemoryLimiterAllowAllIsAllOrNothing(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	ls := []verify.Limit{{Key: "a", N: 3, Per: time.Hour}, {Key: "b", N: 1, Per: time.Minute}, {Key: "c", N: 5, Per: time.Hour}}
	if i, _, err := l.AllowAll(ctx, ls); i != -1 || err != nil {
		t.Fatal(i, err)
	}
	c.Advance(10 * time.Second)
	i, retry, err := l.AllowAll(ctx, ls)
	if i != 1 || retry != 50*time.Second || err != nil {
		t.Fatalf("got %d, %s, %v; want limit 1 refused for 50s", i, retry, err)
	}
	counts, _ := l.Count(ctx, time.Hour, "a", "b", "c")
	if fmt.Sprint(counts) != "[1 1 1]" {
		t.Fatalf("after a refusal the counts are %v, want [1 1 1]: nothing recorded", counts)
	}
	if l.Len() != 3 {
		t.Fatalf("%d keys", l.Len())
	}
	// A refusal never adds a key.
	if i, _, _ := l.AllowAll(ctx, []verify.Limit{{Key: "new", N: 1, Per: time.Hour}, {Key: "b", N: 1, Per: time.Minute}}); i != 1 || l.Len() != 3 {
		t.Fatalf("refused at %d, %d keys; want 1, 3", i, l.Len())
	}
}

func TestMemoryLimiterCredit(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	lim := []verify.Limit{{Key: "s", N: 3, Per: time.Hour, CreditKey: "v", Credit: 2.5}}
	for range 3 {
		if i, _, _ := l.AllowAll(ctx, lim); i != -1 {
			t.Fatal("refused before N")
		}
	}
	if i, _, _ := l.AllowAll(ctx, lim); i != 0 {
		t.Fatal("allowed beyond N with no credit")
	}
	l.Allow(ctx, "v", 10, time.Hour)
	l.Allow(ctx, "v", 10, time.Hour) // 3 + floor(2.5 × 2) = 8
	for range 5 {
		if i, _, _ := l.AllowAll(ctx, lim); i != -1 {
			t.Fatal("refused within the credit")
		}
	}
	if i, _, _ := l.AllowAll(ctx, lim); i != 0 {
		t.Fatal("allowed beyond the credit")
	}
}

func TestMemoryLimiterValues(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	if err := l.Put(ctx, "phone:id1", "+31612345678", time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := l.Get(ctx, "phone:id1"); v != "+31612345678" || !ok || err != nil {
		t.Fatal(v, ok, err)
	}
	if _, ok, _ := l.Get(ctx, "phone:id2"); ok {
		t.Fatal("a value never stored was found")
	}
	c.Advance(time.Minute)
	if _, ok, _ := l.Get(ctx, "phone:id1"); ok {
		t.Fatal("an expired value was found")
	}
	l.Put(ctx, "k", "v", time.Minute)
	l.Allow(ctx, "e", 5, time.Hour)
	if err := l.Forget(ctx, "k", "e", "none"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := l.Get(ctx, "k"); ok || l.Len() != 1 {
		t.Fatalf("after Forget: found %v, %d keys (the expired one left)", ok, l.Len())
	}
	if err := l.Put(ctx, "k", "v", 0); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatal(err)
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
	wantRateLimited(t, err, "resend_cooldown", 20*time.Second)
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
	wantRateLimited(t, err, "number_limit", time.Hour-5*31*time.Second)
	c.Advance(time.Hour - 5*31*time.Second)
	if _, err := v.Start(ctx, "+31612345678"); err != nil {
		t.Fatalf("after the first start left the hour: %v", err)
	}
}

func TestPerClientLimitByDefault(t *testing.T) {
	v, _, _ := limited(t)
	ctx := context.Background()
	for i := range 20 {
		// Numbers of distinct ranges: one client's share of a range is a
		// tenth of the pumping guard's starts.
		if _, err := v.Start(ctx, fmt.Sprintf("+3161%02d45678", i), verify.WithClientKey("192.0.2.1")); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
	_, err := v.Start(ctx, "+31612345699", verify.WithClientKey("192.0.2.1"))
	wantRateLimited(t, err, "client_limit", time.Hour)
	if _, err := v.Start(ctx, "+31612345697", verify.WithClientKey("192.0.2.2")); err != nil {
		t.Fatalf("another client: %v", err)
	}
	if _, err := v.Start(ctx, "+31612345698"); err != nil {
		t.Fatalf("no client key: %v", err)
	}
}

func TestExhaustedClientCannotLockOutAVictim(t *testing.T) {
	v, p, c := limited(t, verify.WithClientLimit(2, time.Hour))
	ctx := context.Background()
	attacker := verify.WithClientKey("203.0.113.9")
	for _, phone := range []string{"+31612345601", "+31612345602"} {
		if _, err := v.Start(ctx, phone, attacker); err != nil {
			t.Fatal(err)
		}
	}
	// The attacker, out of starts, keeps aiming at the victim's number.
	for i := range 10 {
		_, err := v.Start(ctx, "+31612345678", attacker)
		wantRateLimited(t, err, "client_limit", time.Hour-time.Duration(i)*time.Second)
		c.Advance(time.Second)
	}
	// The victim is not held up by any of it.
	if _, err := v.Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.1")); err != nil {
		t.Fatalf("the victim's own start: %v", err)
	}
	if n := len(p.Messages()); n != 3 {
		t.Fatalf("%d messages sent, want 3", n)
	}
}

func TestLibraryCapIsTheVerifiersMaxAttempts(t *testing.T) {
	// A per-call WithMaxAttempts reaches the provider, which enforces it;
	// a provider that enforces nothing is still stopped by the library at
	// the Verifier's value, which per-call options cannot raise.
	p := &lenient{}
	p.check = func(id, code string) (*verify.Verification, error) { return nil, verify.ErrInvalidCode }
	v := newVerifier(t, p, verify.WithMaxAttempts(3))
	if _, err := v.Start(context.Background(), "+31612345678", verify.WithMaxAttempts(1)); err != nil {
		t.Fatal(err)
	}
	if p.lastReq.MaxAttempts != 1 {
		t.Fatalf("provider asked for %d attempts, want 1", p.lastReq.MaxAttempts)
	}
	for i := range 3 {
		if _, err := v.Check(context.Background(), "id1", "000000"); !errors.Is(err, verify.ErrInvalidCode) {
			t.Fatalf("check %d: %v", i+1, err)
		}
	}
	if _, err := v.Check(context.Background(), "id1", "000000"); !errors.Is(err, verify.ErrTooManyAttempts) {
		t.Fatalf("check 4: %v, want ErrTooManyAttempts from the Verifier's cap of 3", err)
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
	wantRateLimited(t, err, "global_limit", 24*time.Hour)
}

func TestLimitsCanBeSwitchedOff(t *testing.T) {
	v, _, _ := limited(t, verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithClientLimit(0, 0), verify.WithPumpingGuard(0, 0, 0))
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
	// A full table of keys still in their window: each new key evicts
	// one, without sweeping the whole table.
	b.Run("FullTableNewKeys", func(b *testing.B) {
		l := &verify.MemoryLimiter{MaxKeys: 100_000}
		for i := range 100_000 {
			l.Allow(ctx, fmt.Sprint("client:198.51.", i), 20, time.Hour)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Allow(ctx, fmt.Sprint("client:203.0.", i), 20, time.Hour)
			i++
		}
	})
}

// TestMemoryLimiterCountsOnlyTheWindow checks that Count counts the
// events within the window it is given, when the key also holds older
// ones: a number's failed checks of yesterday no longer count.
func TestMemoryLimiterCountsOnlyTheWindow(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	for _, step := range []time.Duration{0, time.Hour, time.Hour, 20 * time.Hour} {
		c.Advance(step)
		if ok, _, err := l.Allow(ctx, "failures:+31612345678", 10, 24*time.Hour); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	// Events at 0h, 1h, 2h and 22h; it is now 22h.
	for _, tt := range []struct {
		window time.Duration
		want   int
	}{{time.Hour, 1}, {21 * time.Hour, 2}, {22 * time.Hour, 3}, {24 * time.Hour, 4}} {
		counts, err := l.Count(ctx, tt.window, "failures:+31612345678")
		if err != nil || len(counts) != 1 || counts[0] != tt.want {
			t.Errorf("Count over %s = %v, %v; want %d", tt.window, counts, err, tt.want)
		}
	}
}
