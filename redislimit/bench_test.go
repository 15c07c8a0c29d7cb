package redislimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"
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
	// Allowed: every call records an event. The window keeps the sorted
	// set at about a second's worth of calls.
	b.Run("Allow/allowed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ok, _, err := l.Allow(ctx, "bench:allowed", 1<<30, time.Second)
			if !ok || err != nil {
				b.Fatal(ok, err)
			}
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
	// ManyKeys: 10,000 keys with a realistic limit, as per-number limits
	// are used.
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = "number:+3161234" + strconv.Itoa(10000+i)
	}
	b.Run("Allow/many-keys", func(b *testing.B) {
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
