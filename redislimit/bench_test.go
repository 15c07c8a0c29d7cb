package redislimit_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/redislimit"
)

// BenchmarkAllow measures Allow beside raw round trips to the same
// redis-server in the same run, so that the cost of the script can be
// read off as a ratio: compare Allow/* with RoundTrip/*.
func BenchmarkAllow(b *testing.B) {
	s := startRedis(b)
	c := s.client(b)
	l := newLimiter(b, c)
	ctx := context.Background()

	b.Run("RoundTrip/PING", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RoundTrip/INCR", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Incr(ctx, "bench:incr").Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A script that does nothing, called as Allow calls its own: what
	// scripting costs before the script's commands run.
	noop := redis.NewScript("return 0")
	b.Run("RoundTrip/EVALSHA-noop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := noop.Run(ctx, c, []string{"bench:noop"}, 5, int64(3600000000), int64(3600000)).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Allowed, new key: every call records the first event of a key, as
	// a start to a number not seen within the window does.
	// With -count the sub-benchmark runs again on the same Redis: the
	// counter lives outside it so that keys stay new.
	newKey := 0
	b.Run("Allow/allowed-new-key", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ok, _, err := l.Allow(ctx, "bench:new:"+strconv.Itoa(newKey), 5, time.Hour)
			if !ok || err != nil {
				b.Fatal(ok, err)
			}
			newKey++
		}
	})
	// Refused: the key is full, so each call only counts and looks up the
	// oldest event.
	b.Run("Allow/refused", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := l.Allow(ctx, "bench:refused", 5, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Many keys: 10,000 keys with a limit of 5, as per-number limits are
	// used; each key is allowed 5 times, then refused.
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = "number:+3161234" + strconv.Itoa(10000+i)
	}
	b.Run("Allow/10k-keys", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, _, err := l.Allow(ctx, keys[i%len(keys)], 5, time.Hour); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	// A start's limits as a Verifier takes them by default, all in one
	// AllowAll: client, network (/48), cooldown, number, range (with its
	// verified checks as credit) and a global cost cap. Allowed, with new
	// keys each time, as for a new user; compare with RoundTrip/PING.
	start := func(i int) []verify.Limit {
		n := strconv.Itoa(i)
		return []verify.Limit{
			{Key: "client:2001:db8:" + n + "::/64", N: 20, Per: time.Hour},
			{Key: "net:2001:db8:" + n + "::/48", N: 100, Per: time.Hour},
			{Key: "cooldown:voice:+3161" + n, N: 1, Per: 30 * time.Second},
			{Key: "number:+3161" + n, N: 5, Per: time.Hour},
			{Key: "range:+31 6" + n, N: 100, Per: time.Hour, CreditKey: "verified:+31 6" + n, Credit: 10},
			{Key: "global:" + n, N: 1000, Per: 24 * time.Hour},
		}
	}
	startKey := 0
	b.Run("AllowAll/start-allowed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if i, _, err := l.AllowAll(ctx, start(startKey)); i >= 0 || err != nil {
				b.Fatal(i, err)
			}
			startKey++
		}
	})
	// The same limits one Allow each, as a plain Limiter takes them (and
	// as a start took them before AllowAll).
	b.Run("Allow/start-one-by-one", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, lim := range start(startKey) {
				if ok, _, err := l.Allow(ctx, lim.Key, lim.N, lim.Per); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
			startKey++
		}
	})
	// Refused by its cooldown, the third limit: a resend too early.
	refused := start(-1)
	l.AllowAll(ctx, refused)
	b.Run("AllowAll/start-refused", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if i, _, err := l.AllowAll(ctx, refused); i != 2 || err != nil {
				b.Fatal(i, err)
			}
		}
	})
}

// BenchmarkStartVsPing takes a start's limits and sends a PING in turn,
// in every iteration, and reports the ratio of their times: on a shared
// machine whose load changes from second to second, interleaving keeps
// the comparison fair where sub-benchmarks run one after the other would
// not. The limits are those a Verifier's start passes to AllowAll (see
// startLimits), on new keys each iteration: "default" with the default
// options from an IPv6 client, "every-limit" with a global limit added,
// and "one-by-one" the default ones with one Allow each, as a Limiter
// that is not a LimitStore would take them. "commands-only" runs a
// script of the commands the default start's script runs (TIME, one MGET
// of every key, one SET with an expiry per limit), on the same new keys,
// and nothing else: the floor for exact windows on the server's clock,
// which the script's own work adds to.
func BenchmarkStartVsPing(b *testing.B) {
	s := startRedis(b)
	c := s.client(b)
	l := newLimiter(b, c)
	ctx := context.Background()
	defaults := startLimits(b)
	withGlobal := startLimits(b, verify.WithGlobalLimit(1000, 24*time.Hour))
	limits := func(i int, global bool) []verify.Limit {
		ls := defaults
		if global {
			ls = withGlobal
		}
		n := ":" + strconv.Itoa(i)
		out := make([]verify.Limit, len(ls))
		for j, lim := range ls {
			out[j] = lim
			out[j].Key += n
			if lim.CreditKey != "" {
				out[j].CreditKey += n
			}
		}
		return out
	}
	allowAll := func(ls []verify.Limit) error {
		if i, _, err := l.AllowAll(ctx, ls); i >= 0 || err != nil {
			return fmt.Errorf("refused %d, %v", i, err)
		}
		return nil
	}
	commands := redis.NewScript(`local t = redis.call('TIME')
local vals = redis.call('MGET', unpack(KEYS))
for i = 1, #ARGV do redis.call('SET', KEYS[i], '01234567', 'PX', ARGV[i]) end
return {-1, 0}`)
	key := 0
	for _, bc := range []struct {
		name   string
		global bool
		take   func([]verify.Limit) error
	}{
		{"commands-only", false, func(ls []verify.Limit) error {
			keys := make([]string, 0, 2*len(ls))
			args := make([]any, len(ls))
			for i, lim := range ls {
				keys = append(keys, redislimit.DefaultPrefix+lim.Key)
				args[i] = lim.Per.Milliseconds()
			}
			for _, lim := range ls {
				if k := redislimit.DefaultPrefix + lim.CreditKey; lim.CreditKey != "" && !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
			return commands.Run(ctx, c, keys, args...).Err()
		}},
		{"default", false, allowAll},
		{"every-limit", true, allowAll},
		{"one-by-one", false, func(ls []verify.Limit) error {
			for _, lim := range ls {
				if ok, _, err := l.Allow(ctx, lim.Key, lim.N, lim.Per); !ok || err != nil {
					return fmt.Errorf("refused %v, %v", ok, err)
				}
			}
			return nil
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var ping, start time.Duration
			for b.Loop() {
				t0 := time.Now()
				if err := c.Ping(ctx).Err(); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := bc.take(limits(key, bc.global)); err != nil {
					b.Fatal(err)
				}
				start += time.Since(t1)
				ping += t1.Sub(t0)
				key++
			}
			b.ReportMetric(float64(ping.Nanoseconds())/float64(b.N), "ns/PING")
			b.ReportMetric(float64(start.Nanoseconds())/float64(b.N), "ns/start")
			b.ReportMetric(float64(start)/float64(ping), "start/PING")
		})
	}
}

// startLimits returns the limits a Verifier with opts passes to its
// LimitStore's AllowAll when it starts a verification of a mobile number
// for an IPv6 client.
func startLimits(b *testing.B, opts ...verify.Option) []verify.Limit {
	rec := &recordingStore{LimitStore: &verify.MemoryLimiter{}}
	v, err := verify.New(fake.New(), append([]verify.Option{verify.WithLimiter(rec)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.Start(context.Background(), "+31612345678", verify.WithClientKey("2001:db8:1:2::3")); err != nil {
		b.Fatal(err)
	}
	if len(rec.starts) != 1 {
		b.Fatalf("a start called AllowAll %d times, want 1", len(rec.starts))
	}
	return rec.starts[0]
}

// recordingStore records the limits of each AllowAll.
type recordingStore struct {
	verify.LimitStore
	starts [][]verify.Limit
}

func (r *recordingStore) AllowAll(ctx context.Context, ls []verify.Limit) (int, time.Duration, error) {
	r.starts = append(r.starts, slices.Clone(ls))
	return r.LimitStore.AllowAll(ctx, ls)
}
