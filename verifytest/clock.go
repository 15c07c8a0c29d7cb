package verifytest

import (
	"sync"
	"time"
)

// Clock is a manual clock for tests: time stands still until Advance
// moves it. Pass its Now method where a clock is asked for
// (fake.WithClock, verify.MemoryLimiter.Now) and its Advance method as a
// Harness's Advance. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
