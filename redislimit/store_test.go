package redislimit_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/redislimit"
)

// TestAllowAllIsAllOrNothing: a refusal by any limit records nothing
// under the others, and names the first limit that refused.
func TestAllowAllIsAllOrNothing(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	l := newLimiter(t, c)
	ctx := context.Background()
	ls := []verify.Limit{{Key: "a", N: 3, Per: time.Hour}, {Key: "b", N: 1, Per: time.Minute}, {Key: "c", N: 5, Per: time.Hour}}
	i, _, err := l.AllowAll(ctx, ls)
	require.NoError(t, err)
	require.Equal(t, -1, i, "AllowAll, want all allowed")
	i, retry, err := l.AllowAll(ctx, ls)
	require.NoError(t, err)
	require.Equal(t, 1, i, "AllowAll, want limit 1 refused")
	require.Greater(t, retry, time.Duration(0), "AllowAll's retryAfter")
	require.LessOrEqual(t, retry, time.Minute, "AllowAll's retryAfter")
	counts, err := l.Count(ctx, time.Hour, "a", "b", "c", "none")
	require.NoError(t, err, "Count after a refusal")
	require.Equal(t, "[1 1 1 0]", fmt.Sprint(counts), "Count after a refusal")
	// A refused call adds no key.
	i, _, _ = l.AllowAll(ctx, []verify.Limit{{Key: "new", N: 1, Per: time.Hour}, {Key: "b", N: 1, Per: time.Minute}})
	require.Equal(t, 1, i, "the limit refused")
	require.Zero(t, c.Exists(ctx, redislimit.DefaultPrefix+"new").Val(), "a refused call created a key")
	_, _, err = l.AllowAll(ctx, []verify.Limit{{Key: "a", N: 1, Per: time.Hour, CreditKey: "b", Credit: -1}})
	require.ErrorIs(t, err, verify.ErrInvalidOption, "negative credit")
}

// TestAllowAllConcurrent: with limits shared by every call, exactly the
// smallest limit's worth of calls is allowed, and every count agrees.
func TestAllowAllConcurrent(t *testing.T) {
	s := startRedis(t)
	l := newLimiter(t, s.client(t))
	ctx := context.Background()
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			ls := []verify.Limit{{Key: fmt.Sprint("own", i), N: 1, Per: time.Hour}, {Key: "shared", N: 7, Per: time.Hour}, {Key: "wide", N: 100, Per: time.Hour}}
			if r, _, err := l.AllowAll(ctx, ls); err == nil && r < 0 {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	counts, _ := l.Count(ctx, time.Hour, "shared", "wide")
	require.Equal(t, int32(7), allowed.Load(), "allowed")
	require.Equal(t, "[7 7]", fmt.Sprint(counts), "counts")
}

func TestAllowAllCredit(t *testing.T) {
	s := startRedis(t)
	l := newLimiter(t, s.client(t))
	ctx := context.Background()
	lim := []verify.Limit{{Key: "s", N: 3, Per: time.Hour, CreditKey: "v", Credit: 2.5}}
	allowed := func() int {
		n := 0
		for {
			i, _, err := l.AllowAll(ctx, lim)
			require.NoError(t, err)
			if i >= 0 {
				return n
			}
			n++
		}
	}
	require.Equal(t, 3, allowed(), "allowed with no credit")
	l.Allow(ctx, "v", 10, time.Hour)
	l.Allow(ctx, "v", 10, time.Hour) // 3 + floor(2.5 × 2) = 8
	require.Equal(t, 5, allowed(), "more allowed with a limit of 8")
}

// TestAllowAllBackoff: a throttle's events beyond its free ones wait
// Backoff after the newest, doubled for each further event, up to
// Longest, as MemoryLimiter's do. The key is written with events in the
// past of Redis's clock, in the script's layout.
func TestAllowAllBackoff(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	l := newLimiter(t, c)
	ctx := context.Background()
	now, err := c.Time(ctx).Result()
	require.NoError(t, err)
	events := func(ago ...time.Duration) string {
		var b []byte
		for _, d := range ago {
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(now.Add(-d).UnixMicro())))
		}
		return string(b)
	}
	for _, tt := range []struct {
		name    string
		ago     []time.Duration // the key's events, oldest first
		n       int
		longest time.Duration
		want    time.Duration // the wait; 0 for allowed
	}{
		{"free", []time.Duration{3 * time.Hour}, 2, 4 * time.Hour, 0},
		{"first wait passed", []time.Duration{3 * time.Hour, 2 * time.Hour}, 2, 4 * time.Hour, 0},
		{"first wait", []time.Duration{3 * time.Hour, 10 * time.Minute}, 2, 4 * time.Hour, 20 * time.Minute},
		{"doubled twice", []time.Duration{3 * time.Hour, 2 * time.Hour, time.Hour}, 1, 4 * time.Hour, time.Hour},
		{"longest", []time.Duration{3 * time.Hour, 2 * time.Hour, time.Hour}, 1, 90 * time.Minute, 30 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, c.Set(ctx, redislimit.DefaultPrefix+"k", events(tt.ago...), 0).Err())
			i, wait, err := l.AllowAll(ctx, []verify.Limit{{Key: "k", N: tt.n, Per: 24 * time.Hour, Backoff: 30 * time.Minute, Longest: tt.longest}})
			require.NoError(t, err)
			if tt.want == 0 {
				assert.Equal(t, -1, i)
				return
			}
			assert.Equal(t, 0, i)
			assert.InDelta(t, tt.want.Seconds(), wait.Seconds(), 10, "wait %s", wait)
		})
	}
}

func TestValuesAndForget(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	l := newLimiter(t, c)
	ctx := context.Background()
	require.NoError(t, l.Put(ctx, "phone:id1", "+31612345678", time.Minute))
	v, ok, err := l.Get(ctx, "phone:id1")
	require.NoError(t, err, "Get")
	require.True(t, ok, "Get")
	require.Equal(t, "+31612345678", v, "Get")
	ttl := c.PTTL(ctx, redislimit.DefaultPrefix+"phone:id1").Val()
	require.Greater(t, ttl, time.Duration(0), "PTTL")
	require.LessOrEqual(t, ttl, time.Minute, "PTTL")
	_, ok, err = l.Get(ctx, "phone:id2")
	require.NoError(t, err, "Get of a missing key")
	require.False(t, ok, "Get of a missing key")
	l.Allow(ctx, "e", 5, time.Hour)
	require.NoError(t, l.Forget(ctx, "phone:id1", "e", "none"))
	require.Zero(t, c.DBSize(ctx).Val(), "keys after Forget")
	require.ErrorIs(t, l.Put(ctx, "k", "v", 0), verify.ErrInvalidOption)
	s.Kill()
	down := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	_, _, err = newLimiter(t, down).Get(ctx, "k")
	require.Error(t, err, "Get with Redis down: no error (fail closed)")
	open := newLimiter(t, down, redislimit.WithFailOpen())
	_, ok, err = open.Get(ctx, "k")
	require.NoError(t, err, "Get failing open")
	require.False(t, ok, "Get failing open, want nothing found")
	counts, err := open.Count(ctx, time.Hour, "k")
	require.NoError(t, err, "Count failing open")
	require.Zero(t, counts[0], "Count failing open")
	i, _, err := open.AllowAll(ctx, []verify.Limit{{Key: "k", N: 1, Per: time.Hour}})
	require.NoError(t, err, "AllowAll failing open")
	require.Equal(t, -1, i, "AllowAll failing open")
}

// TestVerifiersSharePumpingGuard: two instances pumping one range
// between them are cut off together after the guard's 100 starts.
func TestVerifiersSharePumpingGuard(t *testing.T) {
	s := startRedis(t)
	a := newInstance(t, s)
	b := newInstance(t, s)
	ctx := context.Background()
	allowed := 0
	for i := range 130 {
		v := a
		if i%2 == 1 {
			v = b
		}
		_, err := v.Start(ctx, fmt.Sprintf("+3161234%04d", i), verify.WithClientKey(fmt.Sprintf("10.0.0.%d", i)))
		if err == nil {
			allowed++
			continue
		}
		require.ErrorIs(t, err, verify.ErrSuspectedPumping, "start %d", i)
	}
	require.Equal(t, 100, allowed, "pumped starts of 130 allowed across two instances")
}

// TestVerifiersShareFailedChecks: failed checks of a number count in a
// row across instances, and across verifications started by either.
func TestVerifiersShareFailedChecks(t *testing.T) {
	s := startRedis(t)
	p := fake.New(fake.WithCode("123456"))
	newV := func() *verify.Verifier {
		v, err := verify.New(p, verify.WithLimiter(newLimiter(t, s.client(t))),
			verify.WithFailureThrottle(3, time.Hour), verify.WithResendCooldown(0))
		require.NoError(t, err)
		return v
	}
	a, b := newV(), newV()
	ctx := context.Background()
	ver, err := a.Start(ctx, "+31612345678")
	require.NoError(t, err)
	for i, v := range []*verify.Verifier{b, a, b} {
		_, err := v.Check(ctx, ver.ID, "000000")
		require.ErrorIs(t, err, verify.ErrInvalidCode, "check %d", i+1)
	}
	ver, err = b.Start(ctx, "+31612345678")
	require.NoError(t, err)
	_, err = a.Check(ctx, ver.ID, "123456")
	var rl *verify.RateLimitError
	require.ErrorAs(t, err, &rl, "check after 3 failures in a row")
	require.Equal(t, "failure_throttle", rl.Limit, "check after 3 failures in a row")
	require.Greater(t, rl.RetryAfter, time.Duration(0), "check after 3 failures in a row: the throttle's wait")
	require.LessOrEqual(t, rl.RetryAfter, time.Minute, "check after 3 failures in a row: the throttle's wait")
}

// TestRefusedStartConsumesNothing: over Redis too, a start refused by
// the global limit uses up none of the number's starts or cooldown.
func TestRefusedStartConsumesNothing(t *testing.T) {
	s := startRedis(t)
	v := newInstance(t, s, verify.WithGlobalLimit(1, time.Hour), verify.WithNumberLimit(2, time.Hour))
	ctx := context.Background()
	_, err := v.Start(ctx, "+31611111111")
	require.NoError(t, err)
	for range 5 {
		_, err := v.Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.1"))
		wantRateLimited(t, err, "global_limit")
	}
	counts, err := newLimiter(t, s.client(t)).Count(ctx, time.Hour, "number:+31612345678", "client:192.0.2.1", "cooldown:voice:+31612345678")
	require.NoError(t, err, "counts after refused starts")
	require.Equal(t, "[0 0 0]", fmt.Sprint(counts), "counts after refused starts")
}

// evaluating counts the checks that reach the provider.
type evaluating struct {
	*fake.Provider
	checks atomic.Int32
}

func (p *evaluating) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	p.checks.Add(1)
	return p.Provider.Check(ctx, id, code)
}

// TestParallelChecksKeepTheThrottle: over Redis too, checks made at once
// from two instances get the throttle's 20 free checks of a number, not
// one more: each check's count is taken with it, in one script.
func TestParallelChecksKeepTheThrottle(t *testing.T) {
	s := startRedis(t)
	p := &evaluating{Provider: fake.New()}
	var vs []*verify.Verifier
	for range 2 {
		v, err := verify.New(p, verify.WithLimiter(newLimiter(t, s.client(t))), verify.WithResendCooldown(0))
		require.NoError(t, err)
		vs = append(vs, v)
	}
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		ver, err := vs[i%2].Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.66"))
		require.NoError(t, err)
		ids = append(ids, ver.ID)
	}
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() { vs[i%2].Check(ctx, ids[i%len(ids)], "000000") })
	}
	wg.Wait()
	assert.Equal(t, int32(20), p.checks.Load())
}
