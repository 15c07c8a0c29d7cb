package redislimit_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/redislimit"
)

func newLimiter(tb testing.TB, c redis.UniversalClient, opts ...redislimit.Option) *redislimit.Limiter {
	tb.Helper()
	l, err := redislimit.New(c, opts...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
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
			if l != nil || !errors.Is(err, verify.ErrInvalidOption) {
				t.Fatalf("New = %v, %v; want nil, verify.ErrInvalidOption", l, err)
			}
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
			if ok || !errors.Is(err, verify.ErrInvalidOption) {
				t.Fatalf("Allow(k, %d, %s) = %v, %v; want false, ErrInvalidOption", tt.limit, tt.window, ok, err)
			}
		})
	}
}

func TestAllowContextDone(t *testing.T) {
	s := startRedis(t)
	l := newLimiter(t, s.client(t), redislimit.WithFailOpen())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok, _, err := l.Allow(ctx, "k", 5, time.Minute)
	if ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("Allow with canceled context = %v, %v; want false, context.Canceled (even failing open)", ok, err)
	}
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
		if !ok || retry != 0 || err != nil {
			t.Fatalf("call %d: Allow = %v, %s, %v; want true, 0, nil", i+1, ok, retry, err)
		}
	}
	for i := range 3 {
		ok, retry, err := l.Allow(ctx, "number:+31612345678", limit, window)
		if ok || err != nil {
			t.Fatalf("call %d: Allow = %v, %v; want false, nil", limit+i+1, ok, err)
		}
		if retry <= 0 || retry > window {
			t.Errorf("call %d: retryAfter = %s, want in (0, %s]", limit+i+1, retry, window)
		}
	}
	if n := c.StrLen(ctx, redislimit.DefaultPrefix+"number:+31612345678").Val() / 8; n != limit {
		t.Errorf("events recorded = %d, want %d: a refused call must record nothing", n, limit)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			var seed []byte
			for _, age := range tt.events {
				seed = binary.BigEndian.AppendUint64(seed, math.Float64bits(float64(now.Add(-age).UnixMicro())))
			}
			c.Set(ctx, prefix+"k", seed, time.Hour)
			for j := range tt.allowed {
				if ok, _, err := l.Allow(ctx, "k", tt.limit, time.Hour); !ok || err != nil {
					t.Fatalf("call %d: Allow = %v, %v; want true, nil", j+1, ok, err)
				}
			}
			ok, retry, err := l.Allow(ctx, "k", tt.limit, time.Hour)
			if ok || err != nil {
				t.Fatalf("call %d: Allow = %v, %v; want false, nil", tt.allowed+1, ok, err)
			}
			// The test's own run time shortens retryAfter; a minute of
			// slack keeps a slow machine from failing it.
			if retry > tt.retry || retry < tt.retry-time.Minute {
				t.Errorf("retryAfter = %s, want %s (less the test's run time)", retry, tt.retry)
			}
			if n := c.StrLen(ctx, prefix+"k").Val() / 8; n != tt.stored {
				t.Errorf("the key holds %d events, want %d", n, tt.stored)
			}
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
		if ok, _, err := l.Allow(ctx, key, 1, window); !ok || err != nil {
			t.Fatalf("window %s: Allow = %v, %v; want true, nil", window, ok, err)
		}
		// A window of 1ns counts as 1µs, which may have passed already.
		ok, retry, err := l.Allow(ctx, key, 1, window)
		if err != nil || !ok && (retry <= 0 || retry > window) {
			t.Errorf("window %s: Allow = %v, %s, %v; want a retryAfter in (0, %s]", window, ok, retry, err, window)
		}
		if window > time.Hour && ok {
			t.Errorf("window %s: second call allowed", window)
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
		if ok, _, err := l.Allow(ctx, "k", 2, window); !ok || err != nil {
			t.Fatalf("Allow = %v, %v; want true, nil", ok, err)
		}
	}
	ok, retry, err := l.Allow(ctx, "k", 2, window)
	if ok || err != nil || retry <= 0 || retry > window {
		t.Fatalf("Allow = %v, %s, %v; want false, (0, %s], nil", ok, retry, err, window)
	}
	time.Sleep(retry)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, _, err := l.Allow(ctx, "k", 2, window)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still refused 10s after the window passed")
		}
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
		t.Fatal(err)
	}
	if allowed.Load() != limit || refused.Load() != calls-limit {
		t.Fatalf("allowed %d, refused %d; want %d, %d", allowed.Load(), refused.Load(), limit, calls-limit)
	}
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
		if ok, _, err := l.Allow(ctx, tt.key, 1, tt.window); !ok || err != nil {
			t.Fatalf("Allow(%q) = %v, %v", tt.key, ok, err)
		}
		ttl, err := c.PTTL(ctx, redislimit.DefaultPrefix+tt.key).Result()
		if err != nil {
			t.Fatal(err)
		}
		// -2 (gone) is fine for the tiny window: it already expired.
		if tt.key == "tiny" && ttl == -2*time.Nanosecond {
			continue
		}
		if ttl <= 0 || ttl > tt.window.Round(time.Millisecond)+time.Millisecond {
			t.Errorf("PTTL(%q) = %s, want in (0, %s]", tt.key, ttl, tt.window)
		}
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
		if ok != tt.want || err != nil {
			t.Errorf("%s: Allow(%q) = %v, %v; want %v, nil", tt.name, tt.key, ok, err, tt.want)
		}
	}
	for _, key := range []string{"phoneverify:k1", "phoneverify:k2", "otherapp:k1"} {
		if n := c.Exists(ctx, key).Val(); n != 1 {
			t.Errorf("key %q not in Redis", key)
		}
	}
	if n := c.DBSize(ctx).Val(); n != 3 {
		t.Errorf("DBSIZE = %d, want 3", n)
	}
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
			if ok, _, err := l.Allow(ctx, key, 1, time.Hour); !ok || err != nil {
				t.Fatalf("before: Allow = %v, %v; want true, nil", ok, err)
			}
			if ok, _, err := l.Allow(ctx, key, 1, time.Hour); ok || err != nil {
				t.Fatalf("before: second Allow = %v, %v; want false, nil", ok, err)
			}

			s.Kill()

			for i := range 2 {
				ok, _, err := l.Allow(ctx, key, 1, time.Hour)
				if tt.failOpen {
					if !ok || err != nil {
						t.Fatalf("after kill, call %d: Allow = %v, %v; want true, nil", i+1, ok, err)
					}
				} else if ok || err == nil {
					t.Fatalf("after kill, call %d: Allow = %v, %v; want false, an error", i+1, ok, err)
				}
			}
			out := logs.String()
			if tt.failOpen {
				if got := strings.Count(out, "fail open"); got != 2 {
					t.Errorf("logged %d fail-open warnings, want 2:\n%s", got, out)
				}
				if !strings.Contains(out, "kind=number") {
					t.Errorf("log does not name the key's kind:\n%s", out)
				}
			} else if out != "" {
				t.Errorf("failing closed logged:\n%s", out)
			}
			if strings.Contains(out, "612345678") {
				t.Errorf("log holds the phone number:\n%s", out)
			}
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
		if err := c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		ok, _, err := l.Allow(ctx, "k", 2, time.Hour)
		if ok != w || err != nil {
			t.Fatalf("call %d after SCRIPT FLUSH: Allow = %v, %v; want %v, nil", i+1, ok, err, w)
		}
	}
}

// TestRing runs the Limiter over a redis.Ring of two servers: without a
// hash tag in the prefix New refuses it, since AllowAll's script needs a
// start's keys on one shard; with one, every key lands on one shard.
func TestRing(t *testing.T) {
	s1, s2 := startRedis(t), startRedis(t)
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": s1.addr, "b": s2.addr}})
	t.Cleanup(func() { ring.Close() })
	if _, err := redislimit.New(ring); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatalf("New over a Ring without a hash tag: %v, want ErrInvalidOption", err)
	}
	l := newLimiter(t, ring, redislimit.WithPrefix("{pv}:"))
	ctx := context.Background()
	for i := range 100 {
		key := "number:+3161234" + strconv.Itoa(5000+i)
		for call, want := range []bool{true, true, false} {
			refused, _, err := l.AllowAll(ctx, []verify.Limit{{Key: key, N: 2, Per: time.Hour}, {Key: "client:" + key, N: 5, Per: time.Hour}})
			if refused < 0 != want || err != nil {
				t.Fatalf("%s, call %d: AllowAll = %d, %v; want allowed %v", key, call+1, refused, err, want)
			}
		}
	}
	n1, n2 := s1.client(t).DBSize(ctx).Val(), s2.client(t).DBSize(ctx).Val()
	if n1+n2 != 200 || n1 != 0 && n2 != 0 {
		t.Errorf("keys per shard = %d, %d; want 200 on one", n1, n2)
	}
}

// TestCluster runs the Limiter through a redis.ClusterClient, on a
// one-node Redis Cluster that holds every slot.
func TestCluster(t *testing.T) {
	s := startRedis(t, "--cluster-enabled", "yes")
	ctx := context.Background()
	node := s.client(t)
	if err := node.ClusterAddSlotsRange(ctx, 0, 16383).Err(); err != nil {
		t.Fatalf("CLUSTER ADDSLOTSRANGE: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(node.ClusterInfo(ctx).Val(), "cluster_state:ok") {
		if time.Now().After(deadline) {
			t.Fatal("cluster state not ok after 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{s.addr}})
	t.Cleanup(func() { cc.Close() })
	if _, err := redislimit.New(cc); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatalf("New over a Cluster without a hash tag: %v, want ErrInvalidOption", err)
	}
	l := newLimiter(t, cc, redislimit.WithPrefix("{phoneverify}:"))
	for call, want := range []bool{true, true, false} {
		refused, retry, err := l.AllowAll(ctx, []verify.Limit{{Key: "number:+31612345678", N: 2, Per: time.Hour}, {Key: "global", N: 10, Per: time.Hour}})
		if refused < 0 != want || err != nil || refused >= 0 && retry <= 0 {
			t.Fatalf("call %d: AllowAll = %d, %s, %v; want allowed %v", call+1, refused, retry, err, want)
		}
	}
	if err := l.Forget(ctx, "number:+31612345678", "global"); err != nil {
		t.Fatalf("Forget over a Cluster: %v", err)
	}
}
