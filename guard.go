package verify

import (
	"context"
	"fmt"
	"github.com/phoneverify/verify/internal/phone"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
)

// The prefixes of the keys a Verifier passes to its Limiter. A
// MemoryLimiter evicts the keys of starts first (startPrefixes) and those
// of the failed-check throttle last (throttlePrefixes).
const (
	keyClient          = "client:"    // starts per client key
	keyNetwork         = "net:"       // starts per IPv6 /48
	keyCooldown        = "cooldown:"  // starts per channel and number, for the resend cooldown
	keyNumber          = "number:"    // starts per number
	keyGlobal          = "global"     // all starts
	keyAttempts        = "attempts:"  // checks per verification id
	keyPhone           = "phone:"     // the number and client of a verification id (a value)
	keyFailures        = "failures:"  // failed checks per number and client, in a row
	keyFailuresMonth   = "failmonth:" // failed checks per number, for its 30-day ceiling
	keyFailuresYear    = "failyear:"  // failed checks per number, for its yearly ceiling
	keyFailuresCredit  = "failok:"    // successful checks per number, which its ceilings do not count
	keyKnown           = "known:"     // a number and client network it was verified from (a value)
	keyRange           = "range:"     // starts per number range
	keyRangeNetwork    = "rangenet:"  // starts per number range and client network
	keyVerified        = "verified:"  // verified checks per number range
	keyClientVerified  = "clientok:"  // verified checks per client key
	keyNetworkVerified = "netok:"     // verified checks per IPv6 /48
	keyPumpLog         = "pumplog:"   // one pumping warning per range and window
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
	// rangeDigits is how many last digits of a number its range leaves
	// out: a range is a block of 10,000 numbers.
	rangeDigits = 4
	// maxVerifiedCount bounds the verified checks counted per range or
	// client and window, and so their memory.
	maxVerifiedCount = 10_000
	// rangeShare is the share of the pumping guard's starts that one
	// client network may add to a range's count in a window: a tenth.
	rangeShare = 10
)

// clientKeys returns the keys of the per-client and per-network limits
// for key: an IPv6 address counts by its /64 and its /48, an IPv6 prefix
// of /48 to /64 (the http package passes /64s) by itself and its /48, a
// longer one by its /64 and its /48, each in its canonical form (however
// the caller spells it, one network is one key); anything else (an IPv4
// address, a user id) counts by itself alone.
func clientKeys(key string) (client, network string) {
	if key == "" {
		return "", ""
	}
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
func numberRange(p phone.Number) string {
	cc, nsn, _ := phone.SplitCountryCode(p.E164)
	return "+" + cc + " " + nsn[:max(len(nsn)-rangeDigits, 0)]
}

// namedLimit is a Limit with the name a refusal gives.
type namedLimit struct {
	Limit
	name string
}

// startLimits returns the limits of a start to p on ch by client, of
// network (as clientKeys gives them). The per-client and per-network
// limits count only starts that do not end verified: each verified check
// of the client's raises its limit by one.
func (v *Verifier) startLimits(p phone.Number, ch Channel, client, network string, store bool) []namedLimit {
	c := &v.cfg
	ls := make([]namedLimit, 0, 7)
	add := func(name, key string, r rate) {
		ls = append(ls, namedLimit{Limit{Key: key, N: r.n, Per: r.per}, name})
	}
	credit := func(key string) {
		ls[len(ls)-1].CreditKey, ls[len(ls)-1].Credit = key, 1
	}
	if client != "" {
		if c.clientLimit.n > 0 {
			add(limitClient, keyClient+client, c.clientLimit)
			credit(keyClientVerified + client)
		}
		if network != "" && c.networkLimit.n > 0 {
			add(limitNetwork, keyNetwork+network, c.networkLimit)
			credit(keyNetworkVerified + network)
		}
	}
	if c.cooldown > 0 {
		add(limitCooldown, keyCooldown+string(ch)+":"+p.E164, rate{1, c.cooldown})
	}
	if c.numberLimit.n > 0 {
		add(limitNumber, keyNumber+p.E164, c.numberLimit)
	}
	if g := c.pumping; g.starts > 0 && store {
		r, perVerified := numberRange(p), 100/float64(g.verifiedPercent)
		add(limitPumping, keyRange+r, rate{g.starts, g.per})
		ls[len(ls)-1].CreditKey, ls[len(ls)-1].Credit = keyVerified+r, perVerified
		// One network adds at most a tenth of the starts to the range's
		// count, and as many more as its own verified checks earn: alone,
		// it cannot trip the guard for everyone.
		if client != "" {
			add(limitPumping, keyRangeNetwork+r+" "+subject(client, network), rate{max(g.starts/rangeShare, 1), g.per})
			ls[len(ls)-1].CreditKey, ls[len(ls)-1].Credit = subjectVerifiedKey(client, network), perVerified
		}
	}
	if c.globalLimit.n > 0 {
		add(limitGlobal, keyGlobal, c.globalLimit)
	}
	return ls
}

// subjectVerifiedKey returns the key of the verified checks of the
// subject of client and network.
func subjectVerifiedKey(client, network string) string {
	if network != "" {
		return keyNetworkVerified + network
	}
	return keyClientVerified + client
}

// subject returns what the failed-check throttle and the pumping guard's
// share count a client by: its IPv6 /48, else its key (an IPv4 address,
// or whatever key the app passes, such as an account id).
func subject(client, network string) string {
	if network != "" {
		return network
	}
	return client
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

// pumpingTripped returns the refusal of a start to p by the SMS-pumping
// guard's limit l. When l is the range's own, it reports the trip at Warn
// level, once per range and window across the instances that share the
// Limiter; a network that has used up its share of a range is not a trip.
func (v *Verifier) pumpingTripped(ctx context.Context, p phone.Number, l *namedLimit, err *RateLimitError) error {
	if v.log == nil || !strings.HasPrefix(l.Key, keyRange) {
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
		slog.String("range", r), slog.String("region", p.Region),
		slog.Int("starts", counts[0]), slog.Int("verified", counts[1]),
		slog.String("verified_rate", strconv.FormatFloat(100*rateVerified, 'f', 1, 64)+"%"),
		slog.String("window", g.per.String()), slog.Duration("retry_after", err.RetryAfter))
	return pumpingError{err}
}
