package verify_test

// When a MemoryLimiter sweeps its expired keys.

import (
	"context"
	"fmt"
	"testing"
	"time"

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
	if ok, _, err := l.Allow(ctx, "new", 1, time.Hour); !ok || err != nil {
		t.Fatalf("a new key in a full limiter: %v, %v", ok, err)
	}
	if n := l.Len(); n != 2 {
		t.Fatalf("%d keys, want 2: the expired ones swept", n)
	}
	if ok, retry, _ := l.Allow(ctx, "live", 1, time.Hour); ok || retry != 58*time.Minute {
		t.Fatalf("the live key: allowed %v, retry %s; want refused for 58m", ok, retry)
	}
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
	if n := l.Len(); n != 1024 {
		t.Fatalf("%d keys, want 1024: the expired one kept until the map reaches 1024", n)
	}
	l.Allow(ctx, "k1023", 1, time.Hour)
	if n := l.Len(); n != 1024 {
		t.Fatalf("%d keys, want 1024: the expired one swept at 1024", n)
	}
	if ok, _, _ := l.Allow(ctx, "short", 1, time.Minute); !ok {
		t.Fatal("an expired key still refuses")
	}
}
