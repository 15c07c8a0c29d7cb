package redislimit_test

import (
	"context"
	"encoding/binary"
	"errors"
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
	if i, _, err := l.AllowAll(ctx, ls); i != -1 || err != nil {
		t.Fatal(i, err)
	}
	i, retry, err := l.AllowAll(ctx, ls)
	if i != 1 || retry <= 0 || retry > time.Minute || err != nil {
		t.Fatalf("AllowAll = %d, %s, %v; want limit 1 refused within a minute", i, retry, err)
	}
	counts, err := l.Count(ctx, time.Hour, "a", "b", "c", "none")
	if err != nil || fmt.Sprint(counts) != "[1 1 1 0]" {
		t.Fatalf("after a refusal, Count = %v, %v; want [1 1 1 0]", counts, err)
	}
	// A refused call adds no key.
	if i, _, _ := l.AllowAll(ctx, []verify.Limit{{Key: "new", N: 1, Per: time.Hour}, {Key: "b", N: 1, Per: time.Minute}}); i != 1 {
		t.Fatalf("refused at %d, want 1", i)
	}
	if n := c.Exists(ctx, redislimit.DefaultPrefix+"new").Val(); n != 0 {
		t.Fatal("a refused call created a key")
	}
	if _, _, err := l.AllowAll(ctx, []verify.Limit{{Key: "a", N: 1, Per: time.Hour, CreditKey: "b", Credit: -1}}); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatalf("negative credit: %v", err)
	}
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
	if allowed.Load() != 7 || fmt.Sprint(counts) != "[7 7]" {
		t.Fatalf("%d allowed, counts %v; want 7, [7 7]", allowed.Load(), counts)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			if i >= 0 {
				return n
			}
			n++
		}
	}
	if n := allowed(); n != 3 {
		t.Fatalf("%d allowed with no credit, want 3", n)
	}
	l.Allow(ctx, "v", 10, time.Hour)
	l.Allow(ctx, "v", 10, time.Hour) // 3 + floor(2.5 × 2) = 8
	if n := allowed(); n != 5 {
		t.Fatalf("%d more allowed with a limit of 8, want 5", n)
	}
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
	if err := l.Put(ctx, "phone:id1", "+31612345678", time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := l.Get(ctx, "phone:id1"); v != "+31612345678" || !ok || err != nil {
		t.Fatalf("Get = %q, %v, %v", v, ok, err)
	}
	if ttl := c.PTTL(ctx, redislimit.DefaultPrefix+"phone:id1").Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("PTTL = %s", ttl)
	}
	if _, ok, err := l.Get(ctx, "phone:id2"); ok || err != nil {
		t.Fatalf("Get of a missing key = %v, %v", ok, err)
	}
	l.Allow(ctx, "e", 5, time.Hour)
	if err := l.Forget(ctx, "phone:id1", "e", "none"); err != nil {
		t.Fatal(err)
	}
	if n := c.DBSize(ctx).Val(); n != 0 {
		t.Fatalf("%d keys after Forget", n)
	}
	if err := l.Put(ctx, "k", "v", 0); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatal(err)
	}
	s.Kill()
	down := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	if _, _, err := newLimiter(t, down).Get(ctx, "k"); err == nil {
		t.Fatal("Get with Redis down: no error (fail closed)")
	}
	open := newLimiter(t, down, redislimit.WithFailOpen())
	if _, ok, err := open.Get(ctx, "k"); ok || err != nil {
		t.Fatalf("Get failing open = %v, %v; want nothing found, no error", ok, err)
	}
	if counts, err := open.Count(ctx, time.Hour, "k"); err != nil || counts[0] != 0 {
		t.Fatalf("Count failing open = %v, %v", counts, err)
	}
	if i, _, err := open.AllowAll(ctx, []verify.Limit{{Key: "k", N: 1, Per: time.Hour}}); i != -1 || err != nil {
		t.Fatalf("AllowAll failing open = %d, %v", i, err)
	}
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
		switch {
		case err == nil:
			allowed++
		case !errors.Is(err, verify.ErrSuspectedPumping):
			t.Fatalf("start %d: %v", i, err)
		}
	}
	if allowed != 100 {
		t.Fatalf("%d of 130 pumped starts allowed across two instances, want 100", allowed)
	}
}

// TestVerifiersShareFailedChecks: failed checks of a number count in a
// row across instances, and across verifications started by either.
func TestVerifiersShareFailedChecks(t *testing.T) {
	s := startRedis(t)
	p := fake.New(fake.WithCode("123456"))
	newV := func() *verify.Verifier {
		v, err := verify.New(p, verify.WithLimiter(newLimiter(t, s.client(t))),
			verify.WithFailureThrottle(3, time.Hour), verify.WithResendCooldown(0))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := newV(), newV()
	ctx := context.Background()
	ver, err := a.Start(ctx, "+31612345678")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []*verify.Verifier{b, a, b} {
		if _, err := v.Check(ctx, ver.ID, "000000"); !errors.Is(err, verify.ErrInvalidCode) {
			t.Fatalf("check %d: %v", i+1, err)
		}
	}
	ver, err = b.Start(ctx, "+31612345678")
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Check(ctx, ver.ID, "123456")
	var rl *verify.RateLimitError
	if !errors.As(err, &rl) || rl.Limit != "failure_throttle" || rl.RetryAfter <= 0 || rl.RetryAfter > time.Minute {
		t.Fatalf("check after 3 failures in a row: %v; want the throttle, about 1m", err)
	}
}

// TestRefusedStartConsumesNothing: over Redis too, a start refused by
// the global limit uses up none of the number's starts or cooldown.
func TestRefusedStartConsumesNothing(t *testing.T) {
	s := startRedis(t)
	v := newInstance(t, s, verify.WithGlobalLimit(1, time.Hour), verify.WithNumberLimit(2, time.Hour))
	ctx := context.Background()
	if _, err := v.Start(ctx, "+31611111111"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		_, err := v.Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.1"))
		wantRateLimited(t, err, "global_limit")
	}
	counts, err := newLimiter(t, s.client(t)).Count(ctx, time.Hour, "number:+31612345678", "client:192.0.2.1", "cooldown:voice:+31612345678")
	if err != nil || fmt.Sprint(counts) != "[0 0 0]" {
		t.Fatalf("after refused starts, counts %v, %v; want [0 0 0]", counts, err)
	}
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
