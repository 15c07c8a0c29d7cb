package verify

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limiter counts events per key in a sliding window. A Verifier asks it
// before every Start (per number, per client, globally) and every Check
// (per verification), so that abuse is refused before it costs money. The
// default is an in-memory Limiter; the redislimit module shares one set of
// limits between app instances.
//
// Allow records one event for key and returns ok when, with it, no more
// than limit events fall within the last window. When they would not, it
// records nothing, returns ok false, and retryAfter says how long until
// the oldest counted event leaves the window. An error means the limiter
// itself failed; a Verifier then refuses the call with ErrUnavailable.
//
// Implementations must be safe for concurrent use, and exact under
// concurrency: with limit n, n concurrent calls for one key are allowed
// and the rest refused.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// defaultMaxKeys bounds a MemoryLimiter whose MaxKeys is zero.
const defaultMaxKeys = 1 << 20

// MemoryLimiter is the in-memory Limiter a Verifier uses by default. Its
// zero value is ready to use; set its fields before the first call. It is
// exact and safe for concurrent use, but each app instance has its own:
// behind a load balancer, use a shared Limiter such as the redislimit
// module's.
//
// Memory stays bounded: keys whose window has passed are dropped as new
// keys arrive, and at most MaxKeys keys are kept. When MaxKeys keys are
// all still in their window, Allow fails for new keys (an error matching
// ErrUnavailable, so a Verifier refuses the call) until one expires: a
// flood of distinct keys cannot grow memory without bound, at the price of
// refusing new clients until it subsides.
type MemoryLimiter struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxKeys bounds the number of keys kept; zero means 1,048,576.
	MaxKeys int

	mu        sync.Mutex
	keys      map[string]*window
	nextSweep int       // sweep expired keys when len(keys) reaches it
	fullUntil time.Time // when the earliest key kept at the last sweep expires
}

// window holds the times of the events counted for one key, oldest first.
type window struct {
	times   []time.Time
	expires time.Time // when the newest event leaves the window
}

var _ Limiter = (*MemoryLimiter)(nil)

// Allow implements Limiter.
func (l *MemoryLimiter) Allow(ctx context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if limit <= 0 || per <= 0 {
		return false, 0, fmt.Errorf("%w: limit %d per %s", ErrInvalidOption, limit, per)
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	t := now()

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = make(map[string]*window)
	}
	w := l.keys[key]
	if w == nil {
		if !l.makeRoom(t) {
			return false, 0, fmt.Errorf("%w: memory limiter holds its maximum of %d keys for another %s",
				ErrUnavailable, l.maxKeys(), l.fullUntil.Sub(t).Round(time.Second))
		}
		w = &window{}
		l.keys[key] = w
	}
	// Drop the events that have left the window.
	start := t.Add(-per)
	i := 0
	for i < len(w.times) && !w.times[i].After(start) {
		i++
	}
	w.times = w.times[i:]
	if len(w.times) >= limit {
		oldest := w.times[len(w.times)-limit]
		return false, oldest.Add(per).Sub(t), nil
	}
	w.times = append(w.times, t)
	w.expires = t.Add(per)
	return true, 0, nil
}

// makeRoom makes sure a new key fits; l.mu must be held. Expired keys are
// swept whenever the map has doubled since the last sweep, which keeps the
// cost amortised constant per call. A full limiter sweeps again only once
// its earliest key has expired, so a flood cannot make every call pay for
// a sweep.
func (l *MemoryLimiter) makeRoom(now time.Time) bool {
	maxKeys := l.maxKeys()
	full := len(l.keys) >= maxKeys
	if len(l.keys) >= l.nextSweep || full && !now.Before(l.fullUntil) {
		var earliest time.Time
		for k, w := range l.keys {
			switch {
			case !w.expires.After(now):
				delete(l.keys, k)
			case earliest.IsZero() || w.expires.Before(earliest):
				earliest = w.expires
			}
		}
		l.nextSweep = max(2*len(l.keys), 1024)
		l.fullUntil = earliest
	}
	return len(l.keys) < maxKeys
}

func (l *MemoryLimiter) maxKeys() int {
	if l.MaxKeys <= 0 {
		return defaultMaxKeys
	}
	return l.MaxKeys
}

// Len returns the number of keys the limiter holds, expired ones that
// have not been swept yet included.
func (l *MemoryLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
