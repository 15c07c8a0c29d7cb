package verify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Failover returns a [Provider] that starts each verification with the
// first of primary and others that can, so that one provider's outage
// does not stop every user from verifying.
//
// Start tries the providers in order and moves on to the next only when
// one fails with [ErrUnavailable] (down, timeout, 5xx, garbage, or an error
// that matches no sentinel) or [ErrUnsupported] (it cannot serve this
// request, such as a channel it lacks). Any other error is returned at
// once: a number one provider refuses, or a rate limit, would fare no
// better with the next, and a second attempt would only send a second
// code. When every provider fails, the error says so and matches
// ErrUnavailable (ErrUnsupported when none could serve the request at
// all); its message names each provider's failure. When the caller's
// context ends, Start stops there. A provider that times out may still
// have sent its code: the user may then get two, of which the later
// one works.
//
// Check, Status and Cancel go to the provider that started the
// verification: its id is that provider's id behind a prefix that names
// it, "f" and its index and "-" ("f0-" for primary, "f1-" for the first
// of others), so that routing needs no state and works on any app
// instance. An id without such a prefix goes to primary, so verifications
// started before primary was wrapped in Failover can still be checked.
// Status and Cancel return ErrUnsupported when that provider is not a
// [StatusProvider] or a [Canceler]. A provider's ids must not start with
// such a prefix (none of this module's do: otp's never start with "f")
// and must leave room for it
// within the 64 characters of an id.
//
// Through a [Verifier], each failover is logged at Warn level (provider,
// error, masked number) and counted in [Event].Failovers, and
// Event.Provider names the provider that served, from its
// [Verification].Provider. Nesting a Failover in another works.
func Failover(primary Provider, others ...Provider) Provider {
	return &failover{providers: append([]Provider{primary}, others...)}
}

// failover is the Provider that Failover returns.
type failover struct {
	providers []Provider
}

var (
	_ Provider       = (*failover)(nil)
	_ StatusProvider = (*failover)(nil)
	_ Canceler       = (*failover)(nil)
)

// failoverReport is where a Failover reports the providers it passed
// over, to the Verifier that called it (see withFailoverReport).
type failoverReport struct {
	failures []failoverFailure // the providers passed over, in order
}

// failoverFailure is a provider passed over: its position (1 for
// primary) and its error.
type failoverFailure struct {
	provider int
	err      error
}

type failoverReportKey struct{}

// withFailoverReport returns a context in which a Failover's Start
// reports the providers it passed over: a Provider has no other way to
// tell the Verifier, which has the logger and the Event.
func withFailoverReport(ctx context.Context) (context.Context, *failoverReport) {
	r := new(failoverReport)
	return context.WithValue(ctx, failoverReportKey{}, r), r
}

// Start starts a verification with the first provider that can.
func (f *failover) Start(ctx context.Context, req Request) (*Verification, error) {
	report, _ := ctx.Value(failoverReportKey{}).(*failoverReport)
	var failures []error
	for i, p := range f.providers {
		if p == nil {
			return nil, fmt.Errorf("%w: Failover: provider %d is nil", ErrInvalidOption, i+1)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ver, err := p.Start(ctx, req)
		if err == nil {
			return f.started(i, ver)
		}
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			return nil, fmt.Errorf("%w: %w", cerr, err)
		}
		if ctx.Err() != nil || !passOver(err) {
			return nil, err
		}
		failures = append(failures, err)
		if report != nil && i+1 < len(f.providers) {
			report.failures = append(report.failures, failoverFailure{i + 1, err})
		}
	}
	return nil, allFailed(failures)
}

// started returns ver, the verification provider i started, with the id
// that routes to it.
func (f *failover) started(i int, ver *Verification) (*Verification, error) {
	if ver == nil || ver.ID == "" {
		return nil, fmt.Errorf("%w: Failover: provider %d returned no verification", ErrUnavailable, i+1)
	}
	id := failoverPrefix(i) + ver.ID
	if !validID(id) {
		// The code is on its way, but no id could bring its check back.
		return nil, fmt.Errorf("%w: Failover: provider %d returned an id that is malformed or too long to route", ErrUnavailable, i+1)
	}
	out := *ver
	out.ID = id
	return &out, nil
}

// passOver reports whether Start may try the next provider after err:
// the provider is down or cannot serve the request. An error that
// matches no sentinel counts as the provider being down, as it does for
// a Verifier.
func passOver(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrUnsupported) || !matchesSentinel(err)
}

// allFailed returns the error of a Start that no provider could serve:
// ErrUnsupported when none could serve the request, else ErrUnavailable.
// It names each failure but wraps none, so that it matches exactly one
// sentinel.
func allFailed(errs []error) error {
	sentinel := ErrUnsupported
	msgs := make([]string, len(errs))
	for i, err := range errs {
		if !errors.Is(err, ErrUnsupported) {
			sentinel = ErrUnavailable
		}
		msgs[i] = fmt.Sprintf("provider %d: %s", i+1, strings.TrimPrefix(err.Error(), "verify: "))
	}
	return fmt.Errorf("%w: all %d providers failed (%s)", sentinel, len(errs), strings.Join(msgs, "; "))
}

// failoverPrefix returns the prefix of the ids of provider i.
func failoverPrefix(i int) string { return "f" + strconv.Itoa(i) + "-" }

// route returns the provider that started the verification id and that
// provider's own id for it, or ErrNotFound when the prefix names no
// provider.
func (f *failover) route(id string) (Provider, string, error) {
	i, inner, ok := splitFailoverID(id)
	switch {
	case !ok:
		i, inner = 0, id
	case i >= len(f.providers):
		return nil, "", fmt.Errorf("%w: Failover: the id names no provider", ErrNotFound)
	}
	p := f.providers[i]
	if p == nil {
		return nil, "", fmt.Errorf("%w: Failover: provider %d is nil", ErrInvalidOption, i+1)
	}
	return p, inner, nil
}

// splitFailoverID splits an id made by failover.started into the index
// of its provider and that provider's id. ok is false when id has no
// such prefix.
func splitFailoverID(id string) (i int, inner string, ok bool) {
	rest, found := strings.CutPrefix(id, "f")
	if !found {
		return 0, "", false
	}
	digits, inner, found := strings.Cut(rest, "-")
	if !found || digits == "" || len(digits) > 4 || inner == "" || digits[0] == '0' && len(digits) > 1 {
		return 0, "", false
	}
	i, err := strconv.Atoi(digits)
	if err != nil || i < 0 {
		return 0, "", false
	}
	return i, inner, true
}

// answer returns ver, a provider's answer about its verification inner,
// under the Failover id. An answer about another verification keeps its
// id, for the Verifier to refuse.
func answer(id, inner string, ver *Verification, err error) (*Verification, error) {
	if ver == nil || ver.ID != inner {
		return ver, err
	}
	out := *ver
	out.ID = id
	return &out, err
}

// Check submits code to the provider that started the verification.
func (f *failover) Check(ctx context.Context, id, code string) (*Verification, error) {
	p, inner, err := f.route(id)
	if err != nil {
		return nil, err
	}
	ver, err := p.Check(ctx, inner, code)
	return answer(id, inner, ver, err)
}

// Status reads the verification from the provider that started it.
func (f *failover) Status(ctx context.Context, id string) (*Verification, error) {
	p, inner, err := f.route(id)
	if err != nil {
		return nil, err
	}
	sp, ok := p.(StatusProvider)
	if !ok {
		return nil, fmt.Errorf("%w: the provider that started the verification cannot read it", ErrUnsupported)
	}
	ver, err := sp.Status(ctx, inner)
	return answer(id, inner, ver, err)
}

// Cancel cancels the verification at the provider that started it.
func (f *failover) Cancel(ctx context.Context, id string) error {
	p, inner, err := f.route(id)
	if err != nil {
		return err
	}
	c, ok := p.(Canceler)
	if !ok {
		return fmt.Errorf("%w: the provider that started the verification cannot cancel it", ErrUnsupported)
	}
	return c.Cancel(ctx, inner)
}
