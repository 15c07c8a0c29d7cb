package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Op is the operation an [Event] reports: one for each method of a
// [Verifier].
type Op string

// The operations.
const (
	OpStart  Op = "start"
	OpCheck  Op = "check"
	OpStatus Op = "status"
	OpCancel Op = "cancel"
)

// An Observer is told the outcome of every call of a [Verifier]'s
// [Verifier.Start], [Verifier.Check], [Verifier.Status] and
// [Verifier.Cancel]: exactly one [Event] per call, refused calls
// included, once the outcome is known. It is how metrics, traces and
// dashboards learn what happens: the otelverify module turns events into
// OpenTelemetry metrics and spans, and examples/webapp draws its
// /dev/stats page from them.
//
// The contract:
//   - Observe runs in the caller's goroutine, before the call returns, so
//     it must be cheap and must not block: count, or hand the event to a
//     channel or a buffer, and do slow work elsewhere. It must be safe for
//     concurrent use.
//   - ctx is the call's context (as a [Tagger] returned it), which may have
//     ended: Observe must not use it for work of its own.
//   - An Event never carries a code, a full phone number or a key, and
//     Err's message is safe to log; Region, Channel, LineType, Language,
//     Limit, Outcome and Reason take few values and suit metric
//     attributes, while ID does not.
//   - A panic in Observe is recovered, so that it cannot break a
//     verification; the Verifier's logger reports the first one.
//   - Without an Observer (the default) the events cost nothing: no
//     allocation (BenchmarkObserver).
//
// Conversion, the share of started verifications that end verified, is
// the number of Check events with Err == nil over that of Start events
// with Err == nil, per Channel and Region (a Check carries both, failed
// ones too, whenever the Verifier knows who started the verification:
// see [WithLimiter]); a region whose starts are rarely verified is the
// mark of SMS pumping.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// A Tagger is an [Observer] that is also told when a call begins, before
// any check or provider call, and returns the context the call goes on
// with, as grpc's stats.Handler does with TagRPC. A tracing Observer
// starts its span in Tag, so that the provider's HTTP requests become
// its children, and ends it in Observe, which receives the context Tag
// returned. Tag has the same duties as Observe: cheap, non-blocking, safe
// for concurrent use; a panic in it is recovered and ctx used as it was.
type Tagger interface {
	Observer
	Tag(ctx context.Context, op Op) context.Context
}

// Event is the outcome of one call of a Verifier. Only what is known by
// the time the call ends is set: a number refused by the parser has no
// region, a Check has no language. An Event never carries a code, a full
// phone number or a key.
type Event struct {
	// Op is the operation: [OpStart], [OpCheck], [OpStatus] or [OpCancel].
	Op Op
	// Err is the error the call returned, nil on success. A Check
	// succeeds only when the number was verified.
	Err error
	// ID is the verification's id; "" when the call was refused before a
	// provider call (a Start refused, or a malformed id).
	ID string
	// Channel is how the code was, or would have been, sent: [Voice] or [SMS].
	Channel Channel
	// Region is the number's ISO 3166-1 region, such as "NL"; "" when
	// unknown.
	Region string
	// LineType is the kind of number: "mobile", "fixed_line",
	// "fixed_line_or_mobile", "voip", "toll_free", "premium_rate", ...;
	// "" when unknown.
	LineType string
	// Language is the language of the call or text (Start only), such as
	// "nl-nl".
	Language string
	// Limit names the limit that refused the call: a [*RateLimitError]'s
	// Limit, such as "resend_cooldown", or "messagebird" when the
	// provider's own rate limit refused it; "" when no limit refused it.
	Limit string
	// Called reports whether the provider (for a test number, the
	// Verifier's stand-in for one: see Test) was called. A call that
	// failed without one was refused by the Verifier itself (see
	// [Event.Refused]), or ended with the caller's context.
	Called bool
	// Duration is the time spent in the provider call; 0 when there was
	// none.
	Duration time.Duration
	// Provider names the provider that served the call, such as
	// "messagebird" or "otp" (with Failover, the one that answered),
	// from its Verification.Provider or else its *ProviderError (for a
	// Check, else the provider that started the verification); "" when
	// no provider was called or none said.
	Provider string
	// Failovers counts the providers a Failover passed over before one
	// served the start (or before the last one failed too); 0 without
	// Failover.
	Failovers int
	// Test reports a call about a test number (WithTestNumbers), which
	// no provider served.
	Test bool
}

// Outcome names the result of a call, as [Event.Outcome] gives it. The
// outcomes are stable, few, and name the sentinel an error matches, so
// that they fit a metric attribute.
type Outcome string

// The outcomes.
const (
	OutcomeOK               Outcome = "ok"                // no error; for a Check: verified
	OutcomeInvalidPhone     Outcome = "invalid_phone"     // ErrInvalidPhone
	OutcomeInvalidCode      Outcome = "invalid_code"      // ErrInvalidCode
	OutcomeExpired          Outcome = "expired"           // ErrExpired
	OutcomeNotFound         Outcome = "not_found"         // ErrNotFound
	OutcomeTooManyAttempts  Outcome = "too_many_attempts" // ErrTooManyAttempts
	OutcomeSuspectedPumping Outcome = "suspected_pumping" // ErrSuspectedPumping (which also matches ErrRateLimited)
	OutcomeRateLimited      Outcome = "rate_limited"      // ErrRateLimited
	OutcomeUnavailable      Outcome = "unavailable"       // ErrUnavailable
	OutcomeInvalidOption    Outcome = "invalid_option"    // ErrInvalidOption
	OutcomeUnsupported      Outcome = "unsupported"       // ErrUnsupported
	OutcomeCanceled         Outcome = "canceled"          // the caller's context was canceled
	OutcomeTimeout          Outcome = "timeout"           // the caller's context's deadline passed
	OutcomeError            Outcome = "error"             // an error matching none of the above
)

// outcomes maps sentinels to outcomes, context errors first: when the
// caller's context ended, that is what happened, whatever else failed.
var outcomes = [...]struct {
	err     error
	outcome Outcome
}{
	{context.Canceled, OutcomeCanceled},
	{context.DeadlineExceeded, OutcomeTimeout},
	{ErrInvalidPhone, OutcomeInvalidPhone},
	{ErrInvalidCode, OutcomeInvalidCode},
	{ErrExpired, OutcomeExpired},
	{ErrNotFound, OutcomeNotFound},
	{ErrTooManyAttempts, OutcomeTooManyAttempts},
	{ErrSuspectedPumping, OutcomeSuspectedPumping},
	{ErrRateLimited, OutcomeRateLimited},
	{ErrUnavailable, OutcomeUnavailable},
	{ErrInvalidOption, OutcomeInvalidOption},
	{ErrUnsupported, OutcomeUnsupported},
}

// Outcome names the result of the call: [OutcomeOK] when Err is nil,
// otherwise the Outcome of the sentinel Err matches.
func (e Event) Outcome() Outcome {
	if e.Err == nil {
		return OutcomeOK
	}
	for _, o := range outcomes {
		if errors.Is(e.Err, o.err) {
			return o.outcome
		}
	}
	return OutcomeError
}

// Refused reports whether the Verifier refused the call before any
// provider call: a number that does not parse or that a policy refuses, a
// limit, a malformed code or id, an option out of range. A call that ended
// with the caller's context is not a refusal.
func (e Event) Refused() bool {
	if e.Err == nil || e.Called {
		return false
	}
	o := e.Outcome()
	return o != OutcomeCanceled && o != OutcomeTimeout
}

// Reason says why a refused call was refused, in one snake_case code fit
// for a metric attribute: the Limit that refused it (such as
// "resend_cooldown", "client_limit" or "failure_throttle", or "attempts"
// for a Check past the Verifier's cap), else the [PhoneError]'s Code
// (such as "too_short", "line_type" or "region"), else the
// [Event.Outcome]. It returns "" when the call was not refused.
func (e Event) Reason() string {
	if !e.Refused() {
		return ""
	}
	if e.Limit != "" {
		return e.Limit
	}
	if pe, ok := errors.AsType[*PhoneError](e.Err); ok && pe.Code != "" {
		return pe.Code
	}
	return string(e.Outcome())
}

// begin starts the observation of a call of op: it gives a Tagger its
// chance to extend ctx. When Tag panics or returns nil, the call goes on
// with ctx.
func (v *Verifier) begin(ctx context.Context, op Op) (tagged context.Context) {
	tagged = ctx
	if v.tagger == nil {
		return tagged
	}
	defer v.recoverObserver(ctx, "Tag")
	if c := v.tagger.Tag(ctx, op); c != nil {
		tagged = c
	}
	return tagged
}

// end reports the outcome of a call to the Observer, if any.
func (v *Verifier) end(ctx context.Context, e *Event, err error) {
	if v.cfg.observer == nil {
		return
	}
	e.Err = err
	if rl, ok := errors.AsType[*RateLimitError](err); ok && e.Limit == "" {
		e.Limit = rl.Limit
	}
	defer v.recoverObserver(ctx, "Observe")
	v.cfg.observer.Observe(ctx, *e)
}

// recoverObserver recovers a panic of the Observer's method and logs the
// first one, if there is a logger.
func (v *Verifier) recoverObserver(ctx context.Context, method string) {
	r := recover()
	if r == nil {
		return
	}
	if v.log != nil && v.observerPanicked.CompareAndSwap(false, true) {
		v.log.LogAttrs(ctx, slog.LevelError, "verify: observer panicked (logged once; later panics are recovered silently)",
			slog.String("method", method), slog.String("panic", fmt.Sprint(r)))
	}
}
