package redislimit_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/redislimit"
)

func newLimiter(tb testing.TB, c redis.UniversalClient, opts ...redislimit.Option) *redislimit.Limiter {
	tb.Helper()
	l, err := redislimit.New(c, opts...)
	require.NoError(tb, err, "New")
	return l
}

func TestNewInvalid(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	tests := []struct {
		name   string
		client redis.UniversalClient
		opts   []redislimit.Option
	}{
		{"nil client", nil, nil},
		{"typed nil client", (*redis.Client)(nil), nil},
		{"nil option", c, []redislimit.Option{redislimit.WithFailOpen(), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := redislimit.New(tt.client, tt.opts...)
			require.Nil(t, l)
			require.ErrorIs(t, err, verify.ErrInvalidOption)
		})
	}
}

// TestAllowInvalid needs no Redis: bad arguments are refused before any
// round trip, so the error is ErrInvalidOption and not a dial error.
func TestAllowInvalid(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer c.Close()
	l := newLimiter(t, c)
	tests := []struct {
		name   string
		limit  int
		window time.Duration
	}{
		{"zero limit", 0, time.Minute},
		{"negative limit", -1, time.Minute},
		{"zero window", 1, 0},
		{"negative window", 1, -time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, _, err := l.Allow(context.Background(), "k", tt.limit, tt.window)
			require.False(t, ok, "Allow(k, %d, %s)", tt.limit, tt.window)
			require.ErrorIs(t, err, verify.ErrInvalidOption, "Allow(k, %d, %s)", tt.limit, tt.window)
		})
	}
}

func TestAllowContextDone(t *testing.T) {
	s := startRedis(t)
	l := newLimiter(t, s.client(t), redislimit.WithFailOpen())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok, _, err := l.Allow(ctx, "k", 5, time.Minute)
	require.False(t, ok, "Allow with canceled context (even failing open)")
	require.ErrorIs(t, err, context.Canceled, "Allow with canceled context (even failing open)")
}

// TestAllowLimit checks the contract: limit calls allowed, the next ones
// refused without being recorded, with a retryAfter within the window.
func TestAllowLimit(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	l := newLimiter(t, c)
	ctx := context.Background()
	const limit, window = 3, time.Minute
	for i := range limit {
		ok, retry, err := l.Allow(ctx, "number:+31612345678", limit, window)
		require.NoError(t, err, "call %d", i+1)
		require.True(t, ok, "call %d", i+1)
		require.Zero(t, retry, "call %d", i+1)
	}
	for i := range 3 {
		ok, retry, err := l.Allow(ctx, "number:+31612345678", limit, window)
		require.NoError(t, err, "call %d", limit+i+1)
		require.False(t, ok, "call %d", limit+i+1)
		assert.Greater(t, retry, time.Duration(0), "call %d: retryAfter", limit+i+1)
		assert.LessOrEqual(t, retry, window, "call %d: retryAfter", limit+i+1)
	}
	assert.Equal(t, int64(limit), c.StrLen(ctx, redislimit.DefaultPrefix+"number:+31612345678").Val()/8,
		"events recorded: a refused call must record nothing")
}

// TestAllowSliding seeds events at known server times in the documented
// key layout, so that the sliding window is checked without waiting.
func TestAllowSliding(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		limit   int
		events  []time.Duration // ages of the seeded events
		allowed int             // calls allowed before the first refusal
		retry   time.Duration   // its retryAfter, give or take the test's run time
		stored  int64           // events left in the key
	}{
		{"empty", 3, nil, 3, time.Hour, 3},
		{"events older than the window do not count", 3, []time.Duration{61 * time.Minute, 90 * time.Minute, 120 * time.Minute}, 3, time.Hour, 3},
		{"old events are dropped", 3, []time.Duration{61 * time.Minute, 30 * time.Minute, 20 * time.Minute}, 1, 30 * time.Minute, 3},
		{"events in the window count", 3, []time.Duration{59 * time.Minute, 30 * time.Minute}, 1, time.Minute, 3},
		{"full window: retry when the oldest leaves", 2, []time.Duration{50 * time.Minute, 10 * time.Minute}, 0, 10 * time.Minute, 2},
		{"more events than the limit: retry when enough have left", 2, []time.Duration{50 * time.Minute, 40 * time.Minute, 30 * time.Minute, 20 * time.Minute, 10 * time.Minute}, 0, 40 * time.Minute, 5},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := "sliding" + strconv.Itoa(i) + ":"
			l := newLimiter(t, c, redislimit.WithPrefix(prefix))
			now, err := c.Time(ctx).Result()
			require.NoError(t, err)
			var seed []byte
			for _, age := range tt.events {
				seed = binary.BigEndian.AppendUint64(seed, math.Float64bits(float64(now.Add(-age).UnixMicro())))
			}
			c.Set(ctx, prefix+"k", seed, time.Hour)
			for j := range tt.allowed {
				ok, _, err := l.Allow(ctx, "k", tt.limit, time.Hour)
				require.NoError(t, err, "call %d", j+1)
				require.True(t, ok, "call %d", j+1)
			}
			ok, retry, err := l.Allow(ctx, "k", tt.limit, time.Hour)
			require.NoError(t, err, "call %d", tt.allowed+1)
			require.False(t, ok, "call %d", tt.allowed+1)
			// The test's own run time shortens retryAfter; a minute of
			// slack keeps a slow machine from failing it.
			assert.LessOrEqual(t, retry, tt.retry, "retryAfter")
			assert.GreaterOrEqual(t, retry, tt.retry-time.Minute, "retryAfter, less the test's run time")
			assert.Equal(t, tt.stored, c.StrLen(ctx, prefix+"k").Val()/8, "events the key holds")
		})
	}
}

// TestAllowWindowExtremes: the shortest and the longest windows work, and
// retryAfter stays within the window.
func TestAllowWindowExtremes(t *testing.T) {
	s := startRedis(t)
	l := newLimiter(t, s.client(t))
	ctx := context.Background()
	for _, window := range []time.Duration{time.Nanosecond, time.Duration(math.MaxInt64)} {
		key := "w" + strconv.FormatInt(int64(window), 10)
		ok, _, err := l.Allow(ctx, key, 1, window)
		require.NoError(t, err, "window %s", window)
		require.True(t, ok, "window %s", window)
		// A window of 1ns counts as 1µs, which may have passed already.
		ok, retry, err := l.Allow(ctx, key, 1, window)
		assert.NoError(t, err, "window %s", window)
		if !ok {
			assert.Greater(t, retry, time.Duration(0), "window %s: retryAfter", window)
			assert.LessOrEqual(t, retry, window, "window %s: retryAfter", window)
		}
		if window > time.Hour {
			assert.False(t, ok, "window %s: second call allowed", window)
		}
	}
}

// TestAllowWindowPasses waits for a short window to pass, polling rather
// than asserting on how long it takes.
func TestAllowWindowPasses(t *testing.T) {
	s := startRedis(t)
	l := newLimiter(t, s.client(t))
	ctx := context.Background()
	const window = time.Second // long enough that the first three calls fall in it
	for range 2 {
		ok, _, err := l.Allow(ctx, "k", 2, window)
		require.NoError(t, err)
		require.True(t, ok)
	}
	ok, retry, err := l.Allow(ctx, "k", 2, window)
	require.NoError(t, err)
	require.False(t, ok)
	require.Greater(t, retry, time.Duration(0), "retryAfter")
	require.LessOrEqual(t, retry, window, "retryAfter")
	time.Sleep(retry)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, _, err := l.Allow(ctx, "k", 2, window)
		require.NoError(t, err)
		if ok {
			break
		}
		require.False(t, time.Now().After(deadline), "still refused 10s after the window passed")
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAllowConcurrent(t *testing.T) {
	s := startRedis(t)
	l := newLimiter(t, s.client(t))
	const calls, limit = 1000, 5
	var allowed, refused atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() {
			<-start
			ok, _, err := l.Allow(context.Background(), "global", limit, time.Hour)
			switch {
			case err != nil:
				errs <- err
			case ok:
				allowed.Add(1)
			default:
				refused.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(limit), allowed.Load(), "allowed")
	require.Equal(t, int64(calls-limit), refused.Load(), "refused")
}

// TestKeyTTL checks that every key expires with its window, so Redis
// memory stays bounded.
func TestKeyTTL(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	l := newLimiter(t, c)
	ctx := context.Background()
	tests := []struct {
		key    string
		window time.Duration
	}{
		{"number:+31612345678", time.Hour},
		{"cooldown:sms:+31612345678", 30 * time.Second},
		{"global", 24 * time.Hour},
		{"tiny", 1500 * time.Microsecond}, // rounded up to 2ms
	}
	for _, tt := range tests {
		ok, _, err := l.Allow(ctx, tt.key, 1, tt.window)
		require.NoError(t, err, "Allow(%q)", tt.key)
		require.True(t, ok, "Allow(%q)", tt.key)
		ttl, err := c.PTTL(ctx, redislimit.DefaultPrefix+tt.key).Result()
		require.NoError(t, err)
		// -2 (gone) is fine for the tiny window: it already expired.
		if tt.key == "tiny" && ttl == -2*time.Nanosecond {
			continue
		}
		assert.Greater(t, ttl, time.Duration(0), "PTTL(%q)", tt.key)
		assert.LessOrEqual(t, ttl, tt.window.Round(time.Millisecond)+time.Millisecond, "PTTL(%q), want at most %s", tt.key, tt.window)
	}
}

func TestKeysAndPrefixes(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	ctx := context.Background()
	a := newLimiter(t, c)
	b := newLimiter(t, c, redislimit.WithPrefix("otherapp:"))
	tests := []struct {
		name string
		l    *redislimit.Limiter
		key  string
		want bool
	}{
		{"first key", a, "k1", true},
		{"second key is independent", a, "k2", true},
		{"first key again", a, "k1", false},
		{"other prefix is independent", b, "k1", true},
		{"other prefix again", b, "k1", false},
	}
	for _, tt := range tests {
		ok, _, err := tt.l.Allow(ctx, tt.key, 1, time.Hour)
		assert.NoError(t, err, "%s: Allow(%q)", tt.name, tt.key)
		assert.Equal(t, tt.want, ok, "%s: Allow(%q)", tt.name, tt.key)
	}
	for _, key := range []string{"phoneverify:k1", "phoneverify:k2", "otherapp:k1"} {
		assert.Equal(t, int64(1), c.Exists(ctx, key).Val(), "key %q not in Redis", key)
	}
	assert.Equal(t, int64(3), c.DBSize(ctx).Val(), "DBSIZE")
}

// TestRedisGoesAway kills Redis mid-test: by default Allow fails closed,
// with WithFailOpen it allows and logs, without the number.
func TestRedisGoesAway(t *testing.T) {
	tests := []struct {
		name     string
		failOpen bool
	}{
		{"fail closed by default", false},
		{"fail open", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startRedis(t)
			var logs bytes.Buffer
			opts := []redislimit.Option{redislimit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}
			if tt.failOpen {
				opts = append(opts, redislimit.WithFailOpen())
			}
			l := newLimiter(t, s.client(t), opts...)
			ctx := context.Background()
			const key = "number:+31612345678"
			ok, _, err := l.Allow(ctx, key, 1, time.Hour)
			require.NoError(t, err, "before: Allow")
			require.True(t, ok, "before: Allow")
			ok, _, err = l.Allow(ctx, key, 1, time.Hour)
			require.NoError(t, err, "before: second Allow")
			require.False(t, ok, "before: second Allow")

			s.Kill()

			for i := range 2 {
				ok, _, err := l.Allow(ctx, key, 1, time.Hour)
				if tt.failOpen {
					require.NoError(t, err, "after kill, call %d", i+1)
					require.True(t, ok, "after kill, call %d", i+1)
				} else {
					require.False(t, ok, "after kill, call %d", i+1)
					require.Error(t, err, "after kill, call %d", i+1)
				}
			}
			out := logs.String()
			if tt.failOpen {
				assert.Equal(t, 2, strings.Count(out, "fail open"), "fail-open warnings logged:\n%s", out)
				assert.Contains(t, out, "kind=number", "the log does not name the key's kind")
			} else {
				assert.Empty(t, out, "failing closed logged")
			}
			assert.NotContains(t, out, "612345678", "the log holds the phone number")
		})
	}
}

// TestScriptFlushed: after SCRIPT FLUSH (or a Redis restart, or a new
// replica), Allow loads the script again and goes on counting.
func TestScriptFlushed(t *testing.T) {
	s := startRedis(t)
	c := s.client(t)
	l := newLimiter(t, c)
	ctx := context.Background()
	want := []bool{true, true, false}
	for i, w := range want {
		require.NoError(t, c.ScriptFlush(ctx).Err())
		ok, _, err := l.Allow(ctx, "k", 2, time.Hour)
		require.NoError(t, err, "call %d after SCRIPT FLUSH", i+1)
		require.Equal(t, w, ok, "call %d after SCRIPT FLUSH", i+1)
	}
}

// TestRing runs the Limiter over a redis.Ring of two servers: without a
// hash tag in the prefix New refuses it, since AllowAll's script needs a
// start's keys on one shard; with one, every key lands on one shard.
func TestRing(t *testing.T) {
	s1, s2 := startRedis(t), startRedis(t)
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": s1.addr, "b": s2.addr}})
	t.Cleanup(func() { ring.Close() })
	_, err := redislimit.New(ring)
	require.ErrorIs(t, err, verify.ErrInvalidOption, "New over a Ring without a hash tag")
	l := newLimiter(t, ring, redislimit.WithPrefix("{pv}:"))
	ctx := context.Background()
	for i := range 100 {
		key := "number:+3161234" + strconv.Itoa(5000+i)
		for call, want := range []bool{true, true, false} {
			refused, _, err := l.AllowAll(ctx, []verify.Limit{{Key: key, N: 2, Per: time.Hour}, {Key: "client:" + key, N: 5, Per: time.Hour}})
			require.NoError(t, err, "%s, call %d", key, call+1)
			require.Equal(t, want, refused < 0, "%s, call %d: AllowAll = %d; allowed", key, call+1, refused)
		}
	}
	n1, n2 := s1.client(t).DBSize(ctx).Val(), s2.client(t).DBSize(ctx).Val()
	assert.Equal(t, int64(200), n1+n2, "keys on both shards")
	assert.True(t, n1 == 0 || n2 == 0, "keys per shard = %d, %d; want all on one", n1, n2)
}

// TestCluster runs the Limiter through a redis.ClusterClient, on a
// one-node Redis Cluster that holds every slot.
func TestCluster(t *testing.T) {
	s := startRedis(t, "--cluster-enabled", "yes")
	ctx := context.Background()
	node := s.client(t)
	require.NoError(t, node.ClusterAddSlotsRange(ctx, 0, 16383).Err(), "CLUSTER ADDSLOTSRANGE")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(node.ClusterInfo(ctx).Val(), "cluster_state:ok") {
		require.False(t, time.Now().After(deadline), "cluster state not ok after 10s")
		time.Sleep(10 * time.Millisecond)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{s.addr}})
	t.Cleanup(func() { cc.Close() })
	_, err := redislimit.New(cc)
	require.ErrorIs(t, err, verify.ErrInvalidOption, "New over a Cluster without a hash tag")
	l := newLimiter(t, cc, redislimit.WithPrefix("{phoneverify}:"))
	for call, want := range []bool{true, true, false} {
		refused, retry, err := l.AllowAll(ctx, []verify.Limit{{Key: "number:+31612345678", N: 2, Per: time.Hour}, {Key: "global", N: 10, Per: time.Hour}})
		require.NoError(t, err, "call %d", call+1)
		require.Equal(t, want, refused < 0, "call %d: AllowAll = %d; allowed", call+1, refused)
		if refused >= 0 {
			require.Greater(t, retry, time.Duration(0), "call %d: retryAfter of a refusal", call+1)
		}
	}
	require.NoError(t, l.Forget(ctx, "number:+31612345678", "global"), "Forget over a Cluster")
}
