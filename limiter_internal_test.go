package verify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A full MemoryLimiter whose keys are all live sweeps once, notes when the
// earliest of them expires and sweeps again only then: a flood of new keys
// makes each call evict one key, not scan them all.
func TestFullMemoryLimiterSweepsOnlyOnceItsEarliestKeyExpires(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	l := &MemoryLimiter{Now: func() time.Time { return now }, MaxKeys: 3}
	ctx := context.Background()
	for i := range 10 {
		ok, _, err := l.Allow(ctx, fmt.Sprint("k", i), 1, time.Hour)
		require.NoError(t, err, "key %d", i)
		require.True(t, ok, "key %d refused", i)
		now = now.Add(time.Minute)
	}
	// The sweep at the fourth key found k0 the earliest, expiring at t0+1h;
	// no sweep since has moved that on, although k0 to k6 were evicted.
	assert.True(t, l.fullUntil.Equal(t0.Add(time.Hour)), "next sweep of the full limiter at %s, want %s", l.fullUntil, t0.Add(time.Hour))
	assert.Equal(t, 3, l.Len(), "keys")
	// Once that time has passed, the next key sweeps again and notes the
	// expiry of the earliest key it finds.
	now = t0.Add(time.Hour)
	l.Allow(ctx, "late", 1, time.Hour)
	want := t0.Add(time.Hour + 7*time.Minute)
	assert.True(t, l.fullUntil.Equal(want), "after the sweep at %s, next at %s; want %s (the expiry of k7, the earliest key at that sweep)", now, l.fullUntil, want)
}

// TestFreeBackoffEventsNeverWait: while a throttle's events are fewer
// than its free N, an event is allowed whatever the newest one's time,
// even one that a clock read before it (parallel checks: one read the
// clock, another recorded an event first).
func TestFreeBackoffEventsNeverWait(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	clock := []time.Time{t0.Add(time.Millisecond), t0}
	l := &MemoryLimiter{Now: func() time.Time { c := clock[0]; clock = clock[1:]; return c }}
	lim := []Limit{{Key: "failures:+31612345678", N: 20, Per: time.Hour, Backoff: time.Minute, Longest: time.Hour}}
	for i := range 2 {
		refused, retry, err := l.AllowAll(context.Background(), lim)
		require.NoError(t, err)
		assert.Equal(t, -1, refused, "event %d refused, retry after %s", i+1, retry)
	}
}
