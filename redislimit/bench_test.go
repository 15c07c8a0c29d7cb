package redislimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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
}
