package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The prefixes of the keys a Verifier passes to its Limiter. A
// MemoryLimiter evicts the keys of cheapPrefixes first.
const (
	keyClient   = "client:"   // starts per client key
	keyNetwork  = "net:"      // starts per IPv6 /48
	keyCooldown = "cooldown:" // starts per channel and number, for the resend cooldown
	keyNumber   = "number:"   // starts per number
	keyGlobal   = "global"    // all starts
	keyAttempts = "attempts:" // checks per verification id
	keyPhone    = "phone:"    // the number of a verification id (a value)
	keyFailures = "failures:" // consecutive failed checks per number
	keyGap      = "gap:"      // the last throttled check per number
	keyRange    = "range:"    // starts per number range
	keyVerified = "verified:" // verified checks per number range
	keyPumpLog  = "pumplog:"  // one pumping warning per range and window
)

// The names of the limits, as a *RateLimitError's Limit and Event.Limit
// give them.
const (
	limitClient   = "client_limit"
	limitNetwork  = "network_limit"
	limitCooldown = "resend_cooldown"
	limitNumber   = "number_limit"
	limitPumping  = "pumping_guard"
	limitGlobal   = "global_limit"
	limitFailures = "failure_throttle"
)

const (
	// networkBits is the IPv6 prefix that the per-network limit counts:
	// a /48 is what one site, or one customer of a hosting provider, is
	// given, and 65,536 /64s.
	networkBits = 48
	// failureWindow is how long failed checks of a number are remembered
	// since the last one, unless a success resets them.
	failureWindow = 366 * 24 * time.Hour
	// maxFailures is the most failed checks a number's count holds; the
	// throttle is at its longest long before.
	maxFailures = 1000
	// firstThrottle is the wait of the first throttled check, doubled for
	// each further failure up to the longest wait.
	firstThrottle = time.Minute
	// rangeDigits is how many last digits of a number its range leaves
	// out: a range is a block of 10,000 numbers.
	rangeDigits = 4
	// maxVerifiedCount bounds the verified checks counted per range and
	// window, and so the memory of a range.
	maxVerifiedCount = 10_000
)

// clientKeys returns the keys of the per-client and per-network limits
// for key: an IPv6 address counts by its /64 and its /48, an IPv6 prefix
// of /48 to /64 (the http package passes /64s) by itself and its /48, a
// longer one by its /64 and its /48, each in its canonical form (however
// the caller spells it, one network is one key); anything else (an IPv4
// address, a user id) counts by itself alone.
func clientKeys(key string) (client, network string) {
	a, bits := netip.Addr{}, 128
	if p, err := netip.ParsePrefix(key); err == nil {
		a, bits = p.Addr(), p.Bits()
	} else if a, err = netip.ParseAddr(key); err != nil {
		return key, ""
	}
	a = a.WithZone("")
	if !a.Is6() || a.Is4In6() || bits < networkBits {
		return key, ""
	}
	c, _ := a.Prefix(min(bits, 64))
	n, _ := a.Prefix(networkBits)
	return c.String(), n.String()
}

// numberRange returns the range p belongs to for the SMS-pumping guard:
// its country code and the leading digits of its national number, all
// but the last four, such as "+31 61234". A range is a block of 10,000
// numbers, the unit in which numbers are handed to operators in the
// North American plan (NPA-NXX) and many others: the numbers an attacker
// pumps come in such blocks, while a real app's users spread thinly over
// thousands of them.
func numberRange(p phone) string {
	// p.e164 is + then the country code then the national significant
	// number, leading zeros and all.
	cc := 1 + ccDigits(p.num.GetCountryCode())
	nsn := p.e164[cc:]
	return p.e164[:cc] + " " + nsn[:max(len(nsn)-rangeDigits, 0)]
}

// ccDigits returns the number of digits of a country calling code (1 to
// 3).
func ccDigits(cc int32) int {
	switch {
	case cc < 10:
		return 1
	case cc < 100:
		return 2
	}
	return 3
}

// namedLimit is a Limit with the name a refusal gives.
type namedLimit struct {
	Limit
	name string
}

// startLimits returns the limits of a start to p on ch by client.
func (v *Verifier) startLimits(p phone, ch Channel, client string, store bool) []namedLimit {
	c := &v.cfg
	ls := make([]namedLimit, 0, 6)
	add := func(name, key string, r rate) {
		ls = append(ls, namedLimit{Limit{Key: key, N: r.n, Per: r.per}, name})
	}
	if client != "" {
		client, network := clientKeys(client)
		if c.clientLimit.n > 0 {
			add(limitClient, keyClient+client, c.clientLimit)
		}
		if network != "" && c.networkLimit.n > 0 {
			add(limitNetwork, keyNetwork+network, c.networkLimit)
		}
	}
	if c.cooldown > 0 {
		add(limitCooldown, keyCooldown+string(ch)+":"+p.e164, rate{1, c.cooldown})
	}
	if c.numberLimit.n > 0 {
		add(limitNumber, keyNumber+p.e164, c.numberLimit)
	}
	if g := c.pumping; g.starts > 0 && store {
		r := numberRange(p)
		add(limitPumping, keyRange+r, rate{g.starts, g.per})
		ls[len(ls)-1].CreditKey = keyVerified + r
		ls[len(ls)-1].Credit = 100 / float64(g.verifiedPercent)
	}
	if c.globalLimit.n > 0 {
		add(limitGlobal, keyGlobal, c.globalLimit)
	}
	return ls
}

// takeAll takes every limit of ls at once, when the Limiter is a
// LimitStore, or else one by one in order. It returns the limit that
// refused, if any.
func (v *Verifier) takeAll(ctx context.Context, ls []namedLimit) (*namedLimit, error) {
	if len(ls) == 0 {
		return nil, nil
	}
	store := v.store
	if store == nil {
		for i := range ls {
			if err := v.allow(ctx, ls[i].Key, rate{ls[i].N, ls[i].Per}, ls[i].name); err != nil {
				return &ls[i], err
			}
		}
		return nil, nil
	}
	limits := make([]Limit, len(ls))
	for i := range ls {
		limits[i] = ls[i].Limit
	}
	refused, retry, err := store.AllowAll(ctx, limits)
	switch {
	case err != nil:
		return nil, limiterFailure(ctx, err)
	case refused < 0:
		return nil, nil
	case refused >= len(ls):
		return nil, limiterFailure(ctx, fmt.Errorf("limit %d refused of %d", refused, len(ls)))
	}
	return &ls[refused], &RateLimitError{RetryAfter: max(retry, 0), Limit: ls[refused].name}
}

func limiterFailure(ctx context.Context, err error) error {
	return providerFailure(ctx, fmt.Errorf("%w: limiter: %w", ErrUnavailable, err))
}

// pumpingError is the refusal of the SMS-pumping guard: a
// *RateLimitError that also matches ErrSuspectedPumping.
type pumpingError struct{ *RateLimitError }

func (e pumpingError) Error() string {
	return "verify: suspected SMS pumping to this number range" +
		strings.TrimPrefix(e.RateLimitError.Error(), "verify: rate limited ("+limitPumping+")")
}

func (e pumpingError) Is(target error) bool {
	return target == ErrSuspectedPumping || target == ErrRateLimited
}

func (e pumpingError) Unwrap() error { return e.RateLimitError }

// pumpingTripped reports a trip of the SMS-pumping guard for the range of
// p, at Warn level, once per range and window across the instances that
// share the Limiter; it returns the refusal.
func (v *Verifier) pumpingTripped(ctx context.Context, p phone, err *RateLimitError) error {
	if v.log == nil {
		return pumpingError{err}
	}
	store := v.store // the guard runs only with a LimitStore
	g, r := v.cfg.pumping, numberRange(p)
	if ok, _, lerr := store.Allow(ctx, keyPumpLog+r, 1, g.per); lerr != nil || !ok {
		return pumpingError{err}
	}
	counts, cerr := store.Count(ctx, g.per, keyRange+r, keyVerified+r)
	if cerr != nil || len(counts) != 2 {
		counts = []int{-1, -1}
	}
	rateVerified := 0.0
	if counts[0] > 0 {
		rateVerified = float64(counts[1]) / float64(counts[0])
	}
	v.log.LogAttrs(ctx, slog.LevelWarn, "verify: suspected SMS pumping; refusing starts to the range",
		slog.String("range", r), slog.String("region", p.region()),
		slog.Int("starts", counts[0]), slog.Int("verified", counts[1]),
		slog.String("verified_rate", strconv.FormatFloat(100*rateVerified, 'f', 1, 64)+"%"),
		slog.String("window", g.per.String()), slog.Duration("retry_after", err.RetryAfter))
	return pumpingError{err}
}

// rememberPhone stores the number of a started verification under its
// id, so that its checks count against the number's failed checks.
func (v *Verifier) rememberPhone(ctx context.Context, ver *Verification) {
	store := v.store
	if store == nil || v.cfg.failures.after == 0 {
		return
	}
	if err := store.Put(ctx, keyPhone+ver.ID, ver.Phone, v.cfg.msg.validity); err != nil && v.log != nil {
		v.log.LogAttrs(ctx, slog.LevelWarn, "verify: limiter failed to remember a verification; its checks are capped per verification only",
			slog.String("id", ver.ID), slog.String("error", err.Error()))
	}
}

// checkLimits returns the limits of a check of id: its attempts and,
// once the number has failed enough checks in a row, the throttle. It
// also returns the number, when known.
func (v *Verifier) checkLimits(ctx context.Context, id string) ([]namedLimit, string, error) {
	// Per-call options can only lower the attempts and the validity, so
	// the Verifier's values bound every verification: all its checks fall
	// within one validity.
	ls := []namedLimit{{Limit{Key: keyAttempts + id, N: v.cfg.msg.maxAttempts, Per: v.cfg.msg.validity}, "attempts"}}
	store, f := v.store, v.cfg.failures
	if store == nil || f.after == 0 {
		return ls, "", nil
	}
	number, ok, err := store.Get(ctx, keyPhone+id)
	if err != nil {
		return nil, "", limiterFailure(ctx, err)
	}
	if !ok {
		return ls, "", nil
	}
	counts, err := store.Count(ctx, failureWindow, keyFailures+number)
	if err != nil || len(counts) != 1 {
		return nil, "", limiterFailure(ctx, fmt.Errorf("count of failed checks: %v", err))
	}
	if wait := f.wait(counts[0]); wait > 0 {
		ls = append(ls, namedLimit{Limit{Key: keyGap + number, N: 1, Per: wait}, limitFailures})
	}
	return ls, number, nil
}

// wait returns how long a check must wait after the last throttled one,
// for a number that has failed n checks in a row: nothing for the first
// f.after, then a minute, doubled for each further failure, up to
// f.longest.
func (f failureThrottle) wait(n int) time.Duration {
	if f.after == 0 || n < f.after {
		return 0
	}
	d := firstThrottle
	for i := f.after; i < n && d < f.longest; i++ {
		d *= 2 // at most 24h × 2: no overflow
	}
	return min(d, f.longest)
}

// checked records the outcome of a check of number: a wrong code counts
// as one more failed check in a row. A success is recorded by verified.
func (v *Verifier) checked(ctx context.Context, number string, err error) {
	if number == "" || !errors.Is(err, ErrInvalidCode) && !errors.Is(err, ErrTooManyAttempts) {
		return
	}
	store := v.store // number is known only with a LimitStore
	if _, _, lerr := store.Allow(ctx, keyFailures+number, maxFailures, failureWindow); lerr != nil && v.log != nil {
		v.log.LogAttrs(ctx, slog.LevelWarn, "verify: limiter failed to count a failed check",
			slog.String("phone", MaskPhone(number)), slog.String("error", lerr.Error()))
	}
}

// verified records a verified number: its failed checks in a row start
// again from zero, and its range counts one more verification for the
// SMS-pumping guard.
func (v *Verifier) verified(ctx context.Context, p phone) {
	store := v.store
	if store == nil {
		return
	}
	var err error
	if v.cfg.failures.after > 0 {
		err = store.Forget(ctx, keyFailures+p.e164, keyGap+p.e164)
	}
	if g := v.cfg.pumping; g.starts > 0 {
		_, _, verr := store.Allow(ctx, keyVerified+numberRange(p), maxVerifiedCount, g.per)
		err = errors.Join(err, verr)
	}
	if err != nil && v.log != nil {
		v.log.LogAttrs(ctx, slog.LevelWarn, "verify: limiter failed to record a verified number",
			slog.String("phone", MaskPhone(p.e164)), slog.String("error", err.Error()))
	}
}
