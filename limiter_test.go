package verify_test

import (
	"context"
	"errors"
	"fmt"
	"math"
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
		require.NoError(t, err)
		return ok, retry
	}
	for i := range 3 {
		ok, _ := allow("k")
		require.True(t, ok, "event %d of 3 refused", i+1)
		c.Advance(10 * time.Second)
	}
	// Events at 0s, 10s, 20s; now 30s.
	ok, retry := allow("k")
	assert.False(t, ok, "4th event allowed")
	assert.Equal(t, 30*time.Second, retry, "4th event's retry")
	ok, _ = allow("other")
	assert.True(t, ok, "another key was limited")
	c.Advance(29 * time.Second) // 59s: the first event is still in the window
	ok, retry = allow("k")
	assert.False(t, ok, "at 59s: allowed")
	assert.Equal(t, time.Second, retry, "at 59s: retry")
	c.Advance(time.Second) // 60s: the first event has left
	ok, _ = allow("k")
	assert.True(t, ok, "at 60s: refused, want allowed")
	ok, retry = allow("k")
	assert.False(t, ok, "right after: allowed")
	assert.Equal(t, 10*time.Second, retry, "right after: retry")
}

func TestMemoryLimiterRefusesBadArguments(t *testing.T) {
	l := &verify.MemoryLimiter{}
	for _, tt := range []struct {
		n   int
		per time.Duration
	}{{0, time.Minute}, {-1, time.Minute}, {1, 0}} {
		_, _, err := l.Allow(context.Background(), "k", tt.n, tt.per)
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "Allow(%d, %s)", tt.n, tt.per)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := l.Allow(ctx, "k", 1, time.Minute)
	assert.ErrorIs(t, err, context.Canceled, "Allow with a canceled context")
}

// TestMemoryLimiterRefusesBadLimits: AllowAll refuses a Limit outside
// the ranges its doc gives, and records nothing for any of the call's
// limits.
func TestMemoryLimiterRefusesBadLimits(t *testing.T) {
	good := verify.Limit{Key: "good", N: 1, Per: time.Minute}
	tests := []struct {
		name string
		lim  verify.Limit
	}{
		{"no events", verify.Limit{Key: "k", N: 0, Per: time.Minute}},
		{"no window", verify.Limit{Key: "k", N: 1, Per: 0}},
		{"negative credit", verify.Limit{Key: "k", N: 1, Per: time.Minute, CreditKey: "c", Credit: -1}},
		{"NaN credit", verify.Limit{Key: "k", N: 1, Per: time.Minute, CreditKey: "c", Credit: math.NaN()}},
		{"infinite credit", verify.Limit{Key: "k", N: 1, Per: time.Minute, CreditKey: "c", Credit: math.Inf(1)}},
		{"negative backoff", verify.Limit{Key: "k", N: 1, Per: time.Minute, Backoff: -time.Second, Longest: time.Minute}},
		{"longest below backoff", verify.Limit{Key: "k", N: 1, Per: time.Minute, Backoff: time.Minute, Longest: 30 * time.Second}},
		{"backoff without longest", verify.Limit{Key: "k", N: 1, Per: time.Minute, Backoff: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &verify.MemoryLimiter{}
			ctx := context.Background()
			_, _, err := l.AllowAll(ctx, []verify.Limit{good, tt.lim})
			require.ErrorIs(t, err, verify.ErrInvalidOption)
			counts, err := l.Count(ctx, time.Minute, "good", "k")
			require.NoError(t, err)
			assert.Equal(t, []int{0, 0}, counts, "nothing recorded")
		})
	}

	// A fixed wait (Backoff = Longest) is fine.
	l := &verify.MemoryLimiter{}
	refused, _, err := l.AllowAll(context.Background(),
		[]verify.Limit{{Key: "k", N: 1, Per: time.Minute, Backoff: time.Minute, Longest: time.Minute}})
	require.NoError(t, err)
	assert.Equal(t, -1, refused)
}

// TestMemoryLimiterLongWaits: a Longest as long as a Duration can hold
// (no cap, in effect) or a fixed wait of centuries holds however many
// events are in the window: doubling the wait must not overflow into no
// wait at all.
func TestMemoryLimiterLongWaits(t *testing.T) {
	const century = 100 * 365 * 24 * time.Hour
	tests := []struct {
		name             string
		backoff, longest time.Duration
	}{
		{"doubled without cap", time.Second, math.MaxInt64},
		{"doubled up to two centuries", time.Second, 2 * century},
		{"fixed, two centuries", 2 * century, 2 * century},
		{"fixed, the longest Duration", math.MaxInt64, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			l := &verify.MemoryLimiter{Now: c.Now}
			ctx := context.Background()
			per := 1000 * time.Hour
			// 70 events under the key (a plain limit counts them too),
			// then a throttle on it with one free event.
			for i := range 70 {
				ok, _, err := l.Allow(ctx, "k", 100, per)
				require.NoError(t, err)
				require.True(t, ok, "event %d", i+1)
			}
			c.Advance(time.Minute)
			refused, retry, err := l.AllowAll(ctx, []verify.Limit{{Key: "k", N: 1, Per: per, Backoff: tt.backoff, Longest: tt.longest}})
			require.NoError(t, err)
			assert.Equal(t, 0, refused)
			assert.Equal(t, tt.longest-time.Minute, retry)
		})
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
	assert.Equal(t, int32(5), allowed.Load(), "of 1000 concurrent events allowed")
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
		ok, _, err := l.Allow(ctx, k, 5, time.Hour)
		require.NoError(t, err, k)
		require.True(t, ok, k)
	}
	// A flood of new clients, each allowed although the table is full.
	for i := range 1000 {
		c.Advance(time.Millisecond)
		k := fmt.Sprintf("client:2001:db8:%x::/64", i)
		ok, _, err := l.Allow(ctx, k, 5, time.Hour)
		require.NoError(t, err, "new client %d on a full limiter", i)
		require.True(t, ok, "new client %d on a full limiter refused", i)
		require.LessOrEqual(t, l.Len(), 4, "the limiter holds more keys than its 4")
	}
	counts, err := l.Count(ctx, time.Hour, "attempts:id1", "failures:+31612345678", "client:2001:db8:3e7::/64", "client:2001:db8:0::/64")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 1, 0}, counts, "want the dear keys and the newest client kept, the oldest client evicted")
	// With no cheap key left to evict, the least recently used dear key goes.
	l2 := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 2}
	l2.Allow(ctx, "attempts:a", 5, time.Hour)
	l2.Allow(ctx, "attempts:b", 5, time.Hour)
	l2.Allow(ctx, "attempts:a", 5, time.Hour) // a is now the most recently used
	ok, _, err := l2.Allow(ctx, "attempts:c", 5, time.Hour)
	require.NoError(t, err, "a check of a verification on a full limiter")
	require.True(t, ok, "a check of a verification on a full limiter refused")
	counts, _ = l2.Count(ctx, time.Hour, "attempts:a", "attempts:b", "attempts:c")
	assert.Equal(t, []int{2, 0, 1}, counts)
}

func TestMemoryLimiterAllowAllIsAllOrNothing(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	ls := []verify.Limit{{Key: "a", N: 3, Per: time.Hour}, {Key: "b", N: 1, Per: time.Minute}, {Key: "c", N: 5, Per: time.Hour}}
	i, _, err := l.AllowAll(ctx, ls)
	require.NoError(t, err)
	require.Equal(t, -1, i, "the first AllowAll refused")
	c.Advance(10 * time.Second)
	i, retry, err := l.AllowAll(ctx, ls)
	require.NoError(t, err)
	require.Equal(t, 1, i, "want limit 1 refused")
	require.Equal(t, 50*time.Second, retry, "want limit 1 refused for 50s")
	counts, _ := l.Count(ctx, time.Hour, "a", "b", "c")
	assert.Equal(t, []int{1, 1, 1}, counts, "after a refusal: want nothing recorded")
	assert.Equal(t, 3, l.Len(), "keys")
	// A refusal never adds a key.
	i, _, _ = l.AllowAll(ctx, []verify.Limit{{Key: "new", N: 1, Per: time.Hour}, {Key: "b", N: 1, Per: time.Minute}})
	assert.Equal(t, 1, i, "refused at")
	assert.Equal(t, 3, l.Len(), "keys after a refusal")
}

func TestMemoryLimiterCredit(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	lim := []verify.Limit{{Key: "s", N: 3, Per: time.Hour, CreditKey: "v", Credit: 2.5}}
	for range 3 {
		i, _, _ := l.AllowAll(ctx, lim)
		require.Equal(t, -1, i, "refused before N")
	}
	i, _, _ := l.AllowAll(ctx, lim)
	require.Equal(t, 0, i, "allowed beyond N with no credit")
	l.Allow(ctx, "v", 10, time.Hour)
	l.Allow(ctx, "v", 10, time.Hour) // 3 + floor(2.5 × 2) = 8
	for range 5 {
		i, _, _ := l.AllowAll(ctx, lim)
		require.Equal(t, -1, i, "refused within the credit")
	}
	i, _, _ = l.AllowAll(ctx, lim)
	assert.Equal(t, 0, i, "allowed beyond the credit")
}

func TestMemoryLimiterValues(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	require.NoError(t, l.Put(ctx, "phone:id1", "+31612345678", time.Minute))
	v, ok, err := l.Get(ctx, "phone:id1")
	require.NoError(t, err)
	require.True(t, ok, "a stored value not found")
	require.Equal(t, "+31612345678", v)
	_, ok, _ = l.Get(ctx, "phone:id2")
	require.False(t, ok, "a value never stored was found")
	c.Advance(time.Minute)
	_, ok, _ = l.Get(ctx, "phone:id1")
	require.False(t, ok, "an expired value was found")
	l.Put(ctx, "k", "v", time.Minute)
	l.Allow(ctx, "e", 5, time.Hour)
	require.NoError(t, l.Forget(ctx, "k", "e", "none"))
	_, ok, _ = l.Get(ctx, "k")
	assert.False(t, ok, "after Forget: found")
	assert.Equal(t, 1, l.Len(), "after Forget: keys (the expired one left)")
	assert.ErrorIs(t, l.Put(ctx, "k", "v", 0), verify.ErrInvalidOption)
}

// limited returns a Verifier on a fake with the given limits, and its clock.
func limited(t *testing.T, opts ...verify.Option) (*verify.Verifier, *fake.Provider, *verifytest.Clock) {
	t.Helper()
	c := newClock()
	p := fake.New(fake.WithClock(c.Now))
	v, err := verify.New(p, append([]verify.Option{verify.WithLimiter(&verify.MemoryLimiter{Now: c.Now})}, opts...)...)
	require.NoError(t, err)
	return v, p, c
}

func wantRateLimited(t *testing.T, err error, limit string, retry time.Duration) {
	t.Helper()
	var rl *verify.RateLimitError
	require.ErrorAs(t, err, &rl, "want a *RateLimitError")
	require.ErrorIs(t, err, verify.ErrRateLimited)
	assert.Equal(t, limit, rl.Limit, "the limit that refused")
	assert.Equal(t, retry, rl.RetryAfter, "retry after")
}

func TestResendCooldownByDefault(t *testing.T) {
	v, p, c := limited(t)
	ctx := context.Background()
	_, err := v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	c.Advance(10 * time.Second)
	_, err = v.Start(ctx, "+31612345678")
	wantRateLimited(t, err, "resend_cooldown", 20*time.Second)
	// "Text me instead": the other channel is not held up.
	_, err = v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS))
	assert.NoError(t, err, "switching channel")
	// Another number is not held up either.
	_, err = v.Start(ctx, "+31687654321")
	assert.NoError(t, err, "another number")
	c.Advance(20 * time.Second)
	_, err = v.Start(ctx, "+31612345678")
	assert.NoError(t, err, "after the cooldown")
	assert.Len(t, p.Messages(), 4, "messages sent (the refused start sent nothing)")
}

func TestPerNumberLimitByDefault(t *testing.T) {
	v, _, c := limited(t)
	ctx := context.Background()
	for i := range 5 {
		_, err := v.Start(ctx, "+31612345678")
		require.NoError(t, err, "start %d", i+1)
		c.Advance(31 * time.Second)
	}
	_, err := v.Start(ctx, "+31612345678")
	wantRateLimited(t, err, "number_limit", time.Hour-5*31*time.Second)
	c.Advance(time.Hour - 5*31*time.Second)
	_, err = v.Start(ctx, "+31612345678")
	assert.NoError(t, err, "after the first start left the hour")
}

func TestPerClientLimitByDefault(t *testing.T) {
	v, _, _ := limited(t)
	ctx := context.Background()
	for i := range 20 {
		// Numbers of distinct ranges: one client's share of a range is a
		// tenth of the pumping guard's starts.
		_, err := v.Start(ctx, fmt.Sprintf("+3161%02d45678", i), verify.WithClientKey("192.0.2.1"))
		require.NoError(t, err, "start %d", i+1)
	}
	_, err := v.Start(ctx, "+31612345699", verify.WithClientKey("192.0.2.1"))
	wantRateLimited(t, err, "client_limit", time.Hour)
	_, err = v.Start(ctx, "+31612345697", verify.WithClientKey("192.0.2.2"))
	assert.NoError(t, err, "another client")
	_, err = v.Start(ctx, "+31612345698")
	assert.NoError(t, err, "no client key")
}

func TestExhaustedClientCannotLockOutAVictim(t *testing.T) {
	v, p, c := limited(t, verify.WithClientLimit(2, time.Hour))
	ctx := context.Background()
	attacker := verify.WithClientKey("203.0.113.9")
	for _, phone := range []string{"+31612345601", "+31612345602"} {
		_, err := v.Start(ctx, phone, attacker)
		require.NoError(t, err)
	}
	// The attacker, out of starts, keeps aiming at the victim's number.
	for i := range 10 {
		_, err := v.Start(ctx, "+31612345678", attacker)
		wantRateLimited(t, err, "client_limit", time.Hour-time.Duration(i)*time.Second)
		c.Advance(time.Second)
	}
	// The victim is not held up by any of it.
	_, err := v.Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.1"))
	assert.NoError(t, err, "the victim's own start")
	assert.Len(t, p.Messages(), 3, "messages sent")
}

func TestLibraryCapIsTheVerifiersMaxAttempts(t *testing.T) {
	// A per-call WithMaxAttempts reaches the provider, which enforces it;
	// a provider that enforces nothing is still stopped by the library at
	// the Verifier's value, which per-call options cannot raise.
	p := &lenient{}
	p.check = func(id, code string) (*verify.Verification, error) { return nil, verify.ErrInvalidCode }
	v := newVerifier(t, p, verify.WithMaxAttempts(3))
	_, err := v.Start(context.Background(), "+31612345678", verify.WithMaxAttempts(1))
	require.NoError(t, err)
	assert.Equal(t, 1, p.lastReq.MaxAttempts, "attempts the provider was asked for")
	for i := range 3 {
		_, err := v.Check(context.Background(), "id1", "000000")
		require.ErrorIs(t, err, verify.ErrInvalidCode, "check %d", i+1)
	}
	_, err = v.Check(context.Background(), "id1", "000000")
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts, "check 4: want the Verifier's cap of 3")
}

func TestGlobalLimitIsOffByDefaultAndCapsAllStarts(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientLimit(0, 0))
	for i := range 50 {
		_, err := v.Start(context.Background(), fmt.Sprintf("+316123456%02d", i))
		require.NoError(t, err, "start %d without a global limit", i+1)
	}
	g, _, _ := limited(t, verify.WithGlobalLimit(3, 24*time.Hour))
	for i := range 3 {
		_, err := g.Start(context.Background(), fmt.Sprintf("+3161234560%d", i))
		require.NoError(t, err)
	}
	_, err := g.Start(context.Background(), "+31612345699")
	wantRateLimited(t, err, "global_limit", 24*time.Hour)
}

func TestLimitsCanBeSwitchedOff(t *testing.T) {
	v, _, _ := limited(t, verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithClientLimit(0, 0), verify.WithPumpingGuard(0, 0, 0))
	for i := range 30 {
		_, err := v.Start(context.Background(), "+31612345678", verify.WithClientKey("c"))
		require.NoError(t, err, "start %d with limits off", i+1)
	}
}

func TestConcurrentStartsForOneNumber(t *testing.T) {
	v, p, _ := limited(t, verify.WithResendCooldown(0))
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() {
			_, err := v.Start(context.Background(), "+31612345678")
			if err == nil {
				ok.Add(1)
				return
			}
			assert.ErrorIs(t, err, verify.ErrRateLimited)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(5), ok.Load(), "of 1000 concurrent starts succeeded")
	assert.Len(t, p.Messages(), 5, "messages sent")
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
		_, err := v.Check(ctx, "id1", "000000")
		require.ErrorIs(t, err, verify.ErrInvalidCode, "check %d", i+1)
	}
	_, err := v.Check(ctx, "id1", "123456")
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts, "4th check")
	assert.EqualValues(t, 3, p.checks.Load(), "checks the provider saw")
	_, err = v.Check(ctx, "id2", "000000")
	assert.ErrorIs(t, err, verify.ErrInvalidCode, "another verification")
}

// failing is a Limiter whose store is down.
type failing struct{}

func (failing) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return false, 0, errors.New("connection refused")
}

func TestLimiterFailureFailsClosed(t *testing.T) {
	s := &spy{}
	v, err := verify.New(s, verify.WithLimiter(failing{}))
	require.NoError(t, err)
	_, err = v.Start(context.Background(), "+31612345678")
	assert.ErrorIs(t, err, verify.ErrUnavailable, "Start")
	_, err = v.Check(context.Background(), "id1", "123456")
	assert.ErrorIs(t, err, verify.ErrUnavailable, "Check")
	assert.Zero(t, s.starts.Load()+s.checks.Load(), "the provider was called although the limiter failed")
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
		ok, _, err := l.Allow(ctx, "failures:+31612345678", 10, 24*time.Hour)
		require.NoError(t, err)
		require.True(t, ok, "an event refused")
	}
	// Events at 0h, 1h, 2h and 22h; it is now 22h.
	for _, tt := range []struct {
		window time.Duration
		want   int
	}{{time.Hour, 1}, {21 * time.Hour, 2}, {22 * time.Hour, 3}, {24 * time.Hour, 4}} {
		counts, err := l.Count(ctx, tt.window, "failures:+31612345678")
		assert.NoError(t, err, "Count over %s", tt.window)
		assert.Equal(t, []int{tt.want}, counts, "Count over %s", tt.window)
	}
}
