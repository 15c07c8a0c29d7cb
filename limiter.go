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
// When CreditKey is set, each event recorded under it in the same window
// raises N by Credit: the limit becomes N + floor(Credit × events under
// CreditKey). The SMS-pumping guard uses it to let ten more starts to a
// range through for each verified one, and the per-client limits so that
// starts that end verified use up none of a client's budget.
//
// When Backoff is set, the limit is a throttle rather than a cap: the
// first N events (with credit) within the window are free, and each
// further event must come at least Backoff after the newest one under
// Key, a wait doubled for each event beyond N + 1, up to Longest. So
// the count never refuses by itself; the wait does. The failed-check
// throttle is made of such limits.
type Limit struct {
	Key       string        // what is counted, such as "number:+31612345678"
	N         int           // events allowed per window (free events, with Backoff)
	Per       time.Duration // the window's length
	CreditKey string        // events that raise N; "" for none
	Credit    float64       // how much each event under CreditKey raises N
	Backoff   time.Duration // the wait once N events are in the window; 0 for a plain cap
	Longest   time.Duration // the longest wait, at least Backoff (with Backoff)
}

// valid reports whether lim can be taken.
func (lim *Limit) valid() bool {
	return lim.N > 0 && lim.Per > 0 && lim.Credit >= 0 && !math.IsNaN(lim.Credit) && !math.IsInf(lim.Credit, 0) &&
		lim.Backoff >= 0 && (lim.Backoff == 0 || lim.Longest >= lim.Backoff)
}

// wait returns how long after the newest event the next may come, when
// count events are in the window and n are free: the Backoff of lim,
// doubled for each event beyond n + 1, up to Longest.
func (lim *Limit) wait(count, n int) time.Duration {
	if count < n {
		return 0
	}
	d := lim.Backoff
	for i := n; i < count && d < lim.Longest; i++ {
		d += min(d, lim.Longest-d) // doubled, up to Longest, never past math.MaxInt64
	}
	return d
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
// Memory stays bounded: keys whose window has passed are dropped before
// any live key, as new keys arrive, and at most MaxKeys keys are kept.
// A full limiter never refuses a new key, which would lock out a new
// client or a user in the middle of a verification; it evicts the least
// recently used key instead, never one that the call at hand uses, so
// that the limits a call takes hold however full the table is. Keys are
// evicted by kind, cheapest first: the counts of starts (per client,
// network, cooldown, number, range) that have counted one event, which
// is all a flood of new clients and numbers makes; then those of
// verifications (a verification's checks and number, and any key of
// another kind); then the counts of starts that have counted more; and
// only when nothing else is left those of the failed-check throttle and
// the numbers of verifications that have been checked. So a flood of starts lifts no limit of a client, network or
// number that has been used twice, and never gives an attacker fresh
// guesses; what it can lift is the count of a key that has counted one
// event, once MaxKeys newer keys have arrived (see SECURITY.md).
type MemoryLimiter struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxKeys bounds the number of keys kept (a call that alone takes more
	// keys may exceed it by those); zero means 1,048,576.
	MaxKeys int

	mu        sync.Mutex
	keys      map[string]*entry
	lru       [evictClasses]list.List // of *entry, per class: least recently used first
	call      uint64                  // counts the calls that record; see entry.call
	nextSweep int                     // sweep expired keys when len(keys) reaches it
	fullUntil time.Time               // when the earliest key kept at the last sweep expires
}

// entry holds what is recorded under one key: the times of its events,
// oldest first, or a value.
type entry struct {
	key     string
	times   []time.Time
	value   string
	expires time.Time     // when the newest event leaves its window, or the value expires
	elem    *list.Element // in l.lru[class]
	class   int
	call    uint64 // the last call that used it: that call never evicts it
}

// The classes of keys, in the order a full MemoryLimiter evicts them.
const (
	classStartOnce    = iota // the counts of starts that have counted one event
	classVerification        // a verification's checks and number; unknown keys
	classStart               // the counts of starts that have counted more
	classThrottle            // a number's failed checks; numbers of checked verifications
	evictClasses
)

// startPrefixes and throttlePrefixes are the keys of classStartOnce (and
// then classStart) and classThrottle; every other key is of
// classVerification.
var (
	startPrefixes = [...]string{keyClient, keyNetwork, keyCooldown, keyNumber, keyRange, keyRangeNetwork,
		keyVerified, keyPumpLog, keyClientVerified, keyNetworkVerified}
	throttlePrefixes = [...]string{keyFailures, keyFailuresMonth, keyFailuresYear, keyFailuresCredit, keyKnown}
)

// keyClass returns the class of key.
func keyClass(key string) int {
	for _, p := range startPrefixes {
		if strings.HasPrefix(key, p) {
			return classStartOnce
		}
	}
	for _, p := range throttlePrefixes {
		if strings.HasPrefix(key, p) {
			return classThrottle
		}
	}
	return classVerification
}

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
		if !lim.valid() {
			return -1, 0, fmt.Errorf("%w: limit %d per %s (backoff %s, longest %s)", ErrInvalidOption, lim.N, lim.Per, lim.Backoff, lim.Longest)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// The time is read under the lock, so that no event recorded before
	// is newer than it: a call that read the clock and then waited for
	// the lock would see another's later event as coming from the future.
	t := l.now()
	// First decide, then record: a refusal leaves everything as it was.
	for i, lim := range limits {
		e := l.keys[lim.Key]
		if e == nil {
			continue
		}
		n := lim.N
		if lim.CreditKey != "" {
			if c := l.keys[lim.CreditKey]; c != nil {
				n += int(math.Min(lim.Credit*float64(c.count(t, lim.Per)), 1<<30))
			}
		}
		in := e.inWindow(t, lim.Per)
		switch {
		case lim.Backoff > 0:
			w := lim.wait(len(in), n)
			if len(in) == 0 || w == 0 {
				break // a free event: no wait
			}
			if next := in[len(in)-1].Add(w); next.After(t) {
				return i, next.Sub(t), nil
			}
		case len(in) >= n:
			return i, in[len(in)-n].Add(lim.Per).Sub(t), nil
		}
	}
	// Record. The keys of this call are made most recently used before
	// any is added, so that making room for one never evicts another.
	l.call++
	for _, lim := range limits {
		if e := l.keys[lim.Key]; e != nil {
			l.touch(e)
		}
	}
	for _, lim := range limits {
		e := l.entry(lim.Key, t)
		e.times = append(e.inWindow(t, lim.Per), t)
		e.expires = maxTime(e.expires, t.Add(lim.Per))
		if e.class == classStartOnce && len(e.times) > 1 {
			l.reclass(e, classStart)
		}
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
	l.call++
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
	// The number of a verification being checked is kept like the
	// throttle's keys from then on: a flood of starts cannot evict it.
	// Reading any other value changes nothing (the otp package relies on
	// its records being evicted before their counts).
	if e.class != classThrottle && strings.HasPrefix(key, keyPhone) {
		l.reclass(e, classThrottle)
	}
	return e.value, true, nil
}

// entry returns the entry of key, made most recently used and marked as
// used by the current call, adding it if needed; l.mu must be held.
func (l *MemoryLimiter) entry(key string, now time.Time) *entry {
	if e := l.keys[key]; e != nil {
		l.touch(e)
		return e
	}
	if l.keys == nil {
		l.keys = make(map[string]*entry)
	}
	l.makeRoom(now)
	e := &entry{key: key, class: keyClass(key), call: l.call}
	e.elem = l.lru[e.class].PushBack(e)
	l.keys[key] = e
	return e
}

// touch makes e most recently used and marks it as used by the current
// call; l.mu must be held.
func (l *MemoryLimiter) touch(e *entry) {
	l.lru[e.class].MoveToBack(e.elem)
	e.call = l.call
}

// reclass moves e to class c, as its most recently used key; l.mu must
// be held.
func (l *MemoryLimiter) reclass(e *entry, c int) {
	l.lru[e.class].Remove(e.elem)
	e.class = c
	e.elem = l.lru[c].PushBack(e)
}

// remove removes e; l.mu must be held.
func (l *MemoryLimiter) remove(e *entry) {
	l.lru[e.class].Remove(e.elem)
	delete(l.keys, e.key)
}

// makeRoom makes sure a new key fits; l.mu must be held. Expired keys are
// swept whenever the map has doubled since the last sweep, which keeps the
// cost amortised constant per call. A full limiter sweeps again only once
// its earliest key has expired, so that a flood cannot make every call pay
// for a sweep; until then, it evicts the least recently used key of the
// cheapest class that the current call does not use.
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
		e := l.victim()
		if e == nil {
			return // every key is the current call's
		}
		l.remove(e)
	}
}

// victim returns the key to evict: the least recently used of the
// cheapest class that the current call has not used; nil when there is
// none. The current call's keys are the most recently used, at the back.
func (l *MemoryLimiter) victim() *entry {
	for c := range l.lru {
		for el := l.lru[c].Front(); el != nil; el = el.Next() {
			if e := el.Value.(*entry); e.call != l.call {
				return e
			}
		}
	}
	return nil
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

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
