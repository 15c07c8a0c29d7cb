package verify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/phoneverify/verify/internal/phone"
)

// The failed-check throttle counts the checks of a number that did not
// succeed in two ways, each a Limit with a Backoff taken atomically with
// the check (so parallel checks cannot exceed it):
//
//   - per number and client (the client network that started the
//     verification: see subject): after WithFailureThrottle's after
//     failures in a row, each further check waits firstThrottle after
//     the last, doubled for each failure, up to longest. This is the
//     slot a stranger's guesses use up: the owner, on another network,
//     has a slot of their own.
//   - per number, whatever the client, a ceiling that keeps the guess
//     caps for an attacker with any number of networks: once
//     ceilingMonth(after) failures fall within 30 days, one check per
//     longest; once 20 × after fall within a year, one check per
//     3 × longest. A client network from which the number was verified
//     within the last year is known to be the owner's, and its checks
//     are not held up by the ceilings, only by its own slot.
//
// Every check that the limits let through counts as a failure before
// the provider is asked. A success forgets the count of its number and
// client, and gives the check it used back to the number's ceilings
// (through their credit), which are never forgotten: an owner who
// verifies often cannot give an attacker fresh guesses.
const (
	// failureWindow is how long failed checks of a number and client are
	// remembered since the last one, unless a success resets them.
	failureWindow = 366 * 24 * time.Hour
	// firstThrottle is the wait of the first throttled check, doubled for
	// each further failure up to the longest wait.
	firstThrottle = time.Minute
	// monthWindow and yearWindow are the windows of a number's ceilings.
	monthWindow = 30 * 24 * time.Hour
	yearWindow  = 365 * 24 * time.Hour
	// yearCeilingTimes is the yearly ceiling as a multiple of after, and
	// yearWaitTimes its wait as a multiple of longest.
	yearCeilingTimes = 20
	yearWaitTimes    = 3
)

// ceilingMonth returns the failures of a number within 30 days from
// which its 30-day ceiling throttles: 65 for the default after of 20,
// above the 59 that one client can make in 30 days.
func ceilingMonth(after int) int { return after * 13 / 4 }

// unknownNumber stands for the number of a verification the store does
// not know.
const unknownNumber = "?"

// starter is what a Verifier remembers of a started verification, under
// its id: the number with the region and line type its start parsed, the
// channel and the provider that sent the code, and the client that asked
// for it.
type starter struct {
	number   string
	parsed   phone.Number // number as its start parsed it; zero when the value does not say (see parseStarter)
	channel  Channel      // "" in a value written by an earlier release
	provider string       // Verification.Provider; "" when unknown
	client   string       // as clientKeys gives it; "" when no client key was given
	network  string       // the IPv6 /48 of client, or ""

	ceilings bool // the check was counted by the number's ceilings
}

// value returns s as stored: the number, channel, region, line type and
// provider, the network, the client. The provider ends its line and the
// client comes last, since a provider's name may hold spaces and an
// app's key any character.
func (s starter) value() string {
	return s.number + " " + string(s.channel) + " " + s.parsed.Region + " " + s.parsed.LineType.Code() + " " + s.provider +
		"\n" + s.network + "\n" + s.client
}

// parseStarter reads a value written by starter.value. A value written
// by an earlier release has no region and line type (parsed stays zero)
// and no channel, and one holding a number alone no client either.
func parseStarter(v string) starter {
	first, rest, _ := strings.Cut(v, "\n")
	network, client, _ := strings.Cut(rest, "\n")
	number, first, _ := strings.Cut(first, " ")
	channel, first, _ := strings.Cut(first, " ")
	region, first, _ := strings.Cut(first, " ")
	code, provider, _ := strings.Cut(first, " ")
	s := starter{number: number, channel: Channel(channel), provider: provider, client: client, network: network}
	if t, ok := phone.LineTypeOf(code); ok && region != "" {
		s.parsed = phone.Number{E164: number, Region: region, LineType: t}
	}
	return s
}

// describe fills in what a failed Check's event lacks from s, the
// starter of its verification, when the Verifier knows it: the channel,
// region and line type, and the provider when it was called but did not
// say; so that failed checks count under the same labels as verified
// ones. It costs nothing without an Observer.
func (v *Verifier) describe(ev *Event, s starter) {
	if v.cfg.observer == nil {
		return
	}
	if ev.Called && ev.Provider == "" {
		ev.Provider = s.provider
	}
	if ev.Channel == "" {
		ev.Channel = s.channel
	}
	if ev.Region != "" {
		return
	}
	p := s.parsed
	if p.E164 == "" {
		var err error
		if p, err = phone.Parse(s.number, ""); err != nil {
			return
		}
	}
	ev.Region, ev.LineType = p.Region, p.LineType.Code()
}

// started stores the number p of the started verification ver, with its
// region and line type, and the client and its network (as clientKeys
// gives them), for the throttle and the client's credit when it is
// checked, for the check of the verified number's policy, and for the
// events of failed checks.
func (v *Verifier) started(ctx context.Context, ver *Verification, p phone.Number, client, network string) {
	store := v.store
	if store == nil {
		return
	}
	s := starter{number: p.E164, parsed: p, channel: ver.Channel, client: client, network: network}
	if !strings.Contains(ver.Provider, "\n") {
		s.provider = ver.Provider
	}
	if err := store.Put(ctx, keyPhone+ver.ID, s.value(), v.cfg.msg.validity); err != nil && v.log != nil {
		v.log.LogAttrs(ctx, slog.LevelWarn, "verify: limiter failed to remember a verification; its checks are capped per verification only",
			slog.String("id", ver.ID), slog.String("error", err.Error()))
	}
}

// checkLimits returns the limits of a check of id: its attempts and the
// failed-check throttle of its number (see the comment on failureWindow).
// It also returns who started it, when known.
func (v *Verifier) checkLimits(ctx context.Context, id string) ([]namedLimit, starter, error) {
	// Per-call options can only lower the attempts and the validity, so
	// the Verifier's values bound every verification: all its checks fall
	// within one validity.
	ls := []namedLimit{{Limit{Key: keyAttempts + id, N: v.cfg.msg.maxAttempts, Per: v.cfg.msg.validity}, "attempts"}}
	store := v.store
	if store == nil {
		return ls, starter{}, nil
	}
	val, ok, err := store.Get(ctx, keyPhone+id)
	if err != nil {
		return nil, starter{}, limiterFailure(ctx, err)
	}
	// A verification whose number the store does not know (its value was
	// evicted by a flood, could not be stored, or has expired; or the id
	// was made up) is throttled as one number shared by all such checks:
	// evicting the value gives an attacker no fresh guesses.
	s := starter{number: unknownNumber}
	if ok {
		s = parseStarter(val)
	}
	f := v.cfg.failures
	if f.after == 0 {
		return ls, s, nil
	}
	ls = append(ls, namedLimit{Limit{Key: s.failuresKey(), N: f.after, Per: failureWindow, Backoff: firstThrottle, Longest: f.longest}, limitFailures})
	known := false
	if s.client != "" {
		if _, known, err = store.Get(ctx, s.knownKey()); err != nil {
			return nil, starter{}, limiterFailure(ctx, err)
		}
	}
	if !known {
		s.ceilings = true
		ls = append(ls,
			namedLimit{Limit{Key: keyFailuresMonth + s.number, N: ceilingMonth(f.after), Per: monthWindow,
				CreditKey: keyFailuresCredit + s.number, Credit: 1, Backoff: f.longest, Longest: f.longest}, limitFailures},
			namedLimit{Limit{Key: keyFailuresYear + s.number, N: yearCeilingTimes * f.after, Per: yearWindow,
				CreditKey: keyFailuresCredit + s.number, Credit: 1, Backoff: yearWaitTimes * f.longest, Longest: yearWaitTimes * f.longest}, limitFailures})
	}
	return ls, s, nil
}

// knownKey is the key that marks s's client network as one s's number
// was verified from.
func (s starter) knownKey() string {
	return keyKnown + s.number + " " + subject(s.client, s.network)
}

// failuresKey is the key of the failed checks of s's number by s's client.
func (s starter) failuresKey() string {
	return keyFailures + s.number + " " + subject(s.client, s.network)
}

// verified records a verified number p, started by s: the failed checks
// of its number by s's client start again from zero, the number's
// ceilings get the check back, and s's client network is known to be
// the owner's for a year;
// s's client and network count one more verified check, which gives back
// the start it used up; and p's range counts one more for the SMS-pumping
// guard.
func (v *Verifier) verified(ctx context.Context, p phone.Number, s starter) {
	store := v.store
	if store == nil {
		return
	}
	c := &v.cfg
	var errs []error
	credit := func(key string, per time.Duration) {
		_, _, err := store.Allow(ctx, key, maxVerifiedCount, per)
		errs = append(errs, err)
	}
	if c.failures.after > 0 && s.number != "" {
		errs = append(errs, store.Forget(ctx, s.failuresKey()))
		if s.ceilings {
			credit(keyFailuresCredit+s.number, yearWindow)
		}
		if s.client != "" {
			errs = append(errs, store.Put(ctx, s.knownKey(), "1", failureWindow))
		}
	}
	// The windows of the limits that read these credits, the client
	// limits' and the pumping guard's share; 0 when they are off.
	if per := max(c.clientLimit.per, c.pumping.per); s.client != "" && per > 0 {
		credit(keyClientVerified+s.client, per)
	}
	if per := max(c.networkLimit.per, c.pumping.per); s.network != "" && per > 0 {
		credit(keyNetworkVerified+s.network, per)
	}
	if g := c.pumping; g.starts > 0 {
		credit(keyVerified+numberRange(p), g.per)
	}
	if err := errors.Join(errs...); err != nil && v.log != nil {
		v.log.LogAttrs(ctx, slog.LevelWarn, "verify: limiter failed to record a verified number",
			slog.String("phone", MaskPhone(p.E164)), slog.String("error", err.Error()))
	}
}
