package verify_test

// When a MemoryLimiter sweeps its expired keys.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
)

// A full MemoryLimiter forgets expired keys before it evicts a live one:
// a key still in its window keeps its count.
func TestFullMemoryLimiterSweepsBeforeEvicting(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 3}
	ctx := context.Background()
	l.Allow(ctx, "live", 1, time.Hour)
	l.Allow(ctx, "a", 1, time.Minute)
	l.Allow(ctx, "b", 1, time.Minute)
	c.Advance(2 * time.Minute)
	ok, _, err := l.Allow(ctx, "new", 1, time.Hour)
	require.NoError(t, err, "a new key in a full limiter")
	require.True(t, ok, "a new key in a full limiter")
	assert.Equal(t, 2, l.Len(), "keys: the expired ones swept")
	ok, retry, _ := l.Allow(ctx, "live", 1, time.Hour)
	assert.False(t, ok, "the live key allowed; want refused for 58m")
	assert.Equal(t, 58*time.Minute, retry, "the live key's retry")
}

// A MemoryLimiter sweeps expired keys when its map has doubled since the
// last sweep, not on every call: the cost of a sweep is shared by as many
// calls as it scans keys. Until then, Len counts the expired keys too.
func TestMemoryLimiterSweepsWhenItHasDoubled(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	l.Allow(ctx, "short", 1, time.Minute)
	c.Advance(2 * time.Minute)
	for i := range 1023 {
		l.Allow(ctx, fmt.Sprint("k", i), 1, time.Hour)
	}
	require.Equal(t, 1024, l.Len(), "keys: the expired one kept until the map reaches 1024")
	l.Allow(ctx, "k1023", 1, time.Hour)
	assert.Equal(t, 1024, l.Len(), "keys: the expired one swept at 1024")
	ok, _, _ := l.Allow(ctx, "short", 1, time.Minute)
	assert.True(t, ok, "an expired key still refuses")
}
