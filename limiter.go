package verify

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Limiter counts events per key in a sliding window. A Verifier asks it
// before every Start (per client, per number, globally) and every Check
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
//
// A Limiter that is also a LimitStore (MemoryLimiter and the redislimit
// module's are) gives a Verifier more: all-or-nothing starts, the guess
// caps and the SMS-pumping guard. With a plain Limiter, a Verifier asks
// the limits of a start one by one, in the order client, network,
// cooldown, number, global, so a start refused by a later limit has
// used up the earlier ones; and it has no guess caps across
// verifications and no pumping guard (see LimitStore).
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// Limit is one sliding-window limit of a call to LimitStore.AllowAll: at
// most N events under Key within any window of length Per.
//
// When CreditKey is set, events recorded under it in the same window
// raise the limit: it becomes the larger of N and
// floor(Credit × events under CreditKey) + 1. The SMS-pumping guard uses
// it to allow starts to a range while enough of them end verified.
type Limit struct {
	Key       string        // what is counted, such as "number:+31612345678"
	N         int           // events allowed per window
	Per       time.Duration // the window's length
	CreditKey string        // events that raise the limit; "" for none
	Credit    float64       // how much each event under CreditKey raises it
}

// A LimitStore is a Limiter with the few more operations that let
// several instances of an app share, through one store, everything a
// Verifier counts: a start's limits taken all at once, the consecutive
// failed checks of a number, and the starts and verified checks of a
// number range. A Verifier discovers it with a type assertion on its
// Limiter; the methods' contract is that of Allow (safe and exact under
// concurrency; an error means the store failed).
type LimitStore interface {
	Limiter
	// AllowAll records one event under the key of every limit when every
	// limit allows it, and nothing at all otherwise, atomically. It
	// returns -1 when all allowed, else the index of the first limit
	// that refused and how long until it would allow.
	AllowAll(ctx context.Context, limits []Limit) (refused int, retryAfter time.Duration, err error)
	// Count returns, for each key, how many events were recorded under
	// it within the last window, recording nothing.
	Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error)
	// Forget removes keys, their events and values.
	Forget(ctx context.Context, keys ...string) error
	// Put stores value under key for ttl.
	Put(ctx context.Context, key, value string, ttl time.Duration) error
	// Get returns the value stored under key; ok is false when there is
	// none (never stored, expired or forgotten).
	Get(ctx context.Context, key string) (value string, ok bool, err error)
}

// defaultMaxKeys bounds a MemoryLimiter whose MaxKeys is zero.
const defaultMaxKeys = 1 << 20

// MemoryLimiter is the in-memory Limiter (and LimitStore) a Verifier
// uses by default. Its zero value is ready to use; set its fields before
// the first call. It is exact and safe for concurrent use, but each app
// instance has its own: behind a load balancer, use a shared Limiter
// such as the redislimit module's.
//
// Memory stays bounded: keys whose window has passed are dropped as new
// keys arrive, and at most MaxKeys keys are kept. A full limiter never
// refuses a new key, which would lock out a new client or a user in the
// middle of a verification; it evicts a key instead, the one that costs
// least to forget. That is the least recently used of the per-client,
// per-network and cooldown keys, which a flood of new clients creates
// and whose loss only gives one client a fresh budget or lets one
// resend come early; only when there are none is the least recently used
// of the other keys evicted (checks of a verification, failed checks and
// starts of a number, ranges, the global count), whose loss is dearer.
type MemoryLimiter struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxKeys bounds the number of keys kept; zero means 1,048,576.
	MaxKeys int

	mu        sync.Mutex
	keys      map[string]*entry
	cheap     list.List // of *entry: cheap keys, least recently used first
	dear      list.List // of *entry: the other keys, least recently used first
	nextSweep int       // sweep expired keys when len(keys) reaches it
	fullUntil time.Time // when the earliest key kept at the last sweep expires
}

// entry holds what is recorded under one key: the times of its events,
// oldest first, or a value.
type entry struct {
	key     string
	times   []time.Time
	value   string
	expires time.Time     // when the newest event leaves its window, or the value expires
	elem    *list.Element // in l.cheap or l.dear
	cheap   bool          // a key of cheapPrefixes
}

// cheapPrefixes are the keys a full MemoryLimiter evicts first.
var cheapPrefixes = [...]string{keyClient, keyNetwork, keyCooldown, keyPumpLog}

var (
	_ Limiter    = (*MemoryLimiter)(nil)
	_ LimitStore = (*MemoryLimiter)(nil)
)

func (l *MemoryLimiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Allow implements Limiter.
func (l *MemoryLimiter) Allow(ctx context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	refused, retry, err := l.AllowAll(ctx, []Limit{{Key: key, N: limit, Per: per}})
	return refused < 0 && err == nil, retry, err
}

// AllowAll implements LimitStore.
func (l *MemoryLimiter) AllowAll(ctx context.Context, limits []Limit) (int, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return -1, 0, err
	}
	for _, lim := range limits {
		if lim.N <= 0 || lim.Per <= 0 || lim.Credit < 0 || math.IsNaN(lim.Credit) {
			return -1, 0, fmt.Errorf("%w: limit %d per %s", ErrInvalidOption, lim.N, lim.Per)
		}
	}
	t := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	// First decide, then record: a refusal leaves everything as it was.
	for i, lim := range limits {
		e := l.keys[lim.Key]
		if e == nil {
			continue
		}
		n := lim.N
		if lim.CreditKey != "" {
			if c := l.keys[lim.CreditKey]; c != nil {
				n = max(n, int(math.Min(lim.Credit*float64(c.count(t, lim.Per)), 1<<30))+1)
			}
		}
		in := e.inWindow(t, lim.Per)
		if len(in) >= n {
			return i, in[len(in)-n].Add(lim.Per).Sub(t), nil
		}
	}
	for _, lim := range limits {
		e := l.entry(lim.Key, t)
		e.times = append(e.inWindow(t, lim.Per), t)
		e.expires = maxTime(e.expires, t.Add(lim.Per))
	}
	return -1, 0, nil
}

// Count implements LimitStore.
func (l *MemoryLimiter) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	counts := make([]int, len(keys))
	for i, k := range keys {
		if e := l.keys[k]; e != nil {
			counts[i] = e.count(t, window)
		}
	}
	return counts, nil
}

// Forget implements LimitStore.
func (l *MemoryLimiter) Forget(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if e := l.keys[k]; e != nil {
			l.remove(e)
		}
	}
	return nil
}

// Put implements LimitStore.
func (l *MemoryLimiter) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("%w: ttl %s", ErrInvalidOption, ttl)
	}
	t := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key, t)
	e.times, e.value, e.expires = nil, value, t.Add(ttl)
	return nil
}

// Get implements LimitStore.
func (l *MemoryLimiter) Get(ctx context.Context, key string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	t := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.keys[key]
	if e == nil || !e.expires.After(t) || e.times != nil {
		return "", false, nil
	}
	return e.value, true, nil
}

// entry returns the entry of key, made most recently used, adding it if
// needed; l.mu must be held.
func (l *MemoryLimiter) entry(key string, now time.Time) *entry {
	if e := l.keys[key]; e != nil {
		l.listOf(e).MoveToBack(e.elem)
		return e
	}
	if l.keys == nil {
		l.keys = make(map[string]*entry)
	}
	l.makeRoom(now)
	e := &entry{key: key, cheap: isCheap(key)}
	e.elem = l.listOf(e).PushBack(e)
	l.keys[key] = e
	return e
}

// listOf returns the list that holds e.
func (l *MemoryLimiter) listOf(e *entry) *list.List {
	if e.cheap {
		return &l.cheap
	}
	return &l.dear
}

// remove removes e; l.mu must be held.
func (l *MemoryLimiter) remove(e *entry) {
	l.listOf(e).Remove(e.elem)
	delete(l.keys, e.key)
}

// makeRoom makes sure a new key fits; l.mu must be held. Expired keys are
// swept whenever the map has doubled since the last sweep, which keeps the
// cost amortised constant per call. A full limiter sweeps again only once
// its earliest key has expired, so that a flood cannot make every call pay
// for a sweep; until then, it evicts the key that costs least to forget.
func (l *MemoryLimiter) makeRoom(now time.Time) {
	full := len(l.keys) >= l.maxKeys()
	if len(l.keys) >= l.nextSweep || full && !now.Before(l.fullUntil) {
		var earliest time.Time
		for _, e := range l.keys {
			switch {
			case !e.expires.After(now):
				l.remove(e)
			case earliest.IsZero() || e.expires.Before(earliest):
				earliest = e.expires
			}
		}
		l.nextSweep = max(2*len(l.keys), 1024)
		l.fullUntil = earliest
	}
	for len(l.keys) >= l.maxKeys() {
		ls := &l.cheap
		if ls.Len() == 0 {
			ls = &l.dear
		}
		l.remove(ls.Front().Value.(*entry))
	}
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

// inWindow drops the events that have left the window ending at now and
// returns the rest.
func (e *entry) inWindow(now time.Time, per time.Duration) []time.Time {
	start := now.Add(-per)
	i := 0
	for i < len(e.times) && !e.times[i].After(start) {
		i++
	}
	e.times = e.times[i:]
	return e.times
}

// count returns the number of events within the window ending at now. The
// times are in order, and a range's count of verified checks can hold
// thousands: a binary search finds where the window starts.
func (e *entry) count(now time.Time, per time.Duration) int {
	start := now.Add(-per)
	return len(e.times) - sort.Search(len(e.times), func(i int) bool { return e.times[i].After(start) })
}

func isCheap(key string) bool {
	for _, p := range cheapPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
