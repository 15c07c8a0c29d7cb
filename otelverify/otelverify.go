package otelverify

import (
	"context"
	"errors"
	"fmt"

	"github.com/phoneverify/verify"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the meter and the tracer.
const ScopeName = "github.com/phoneverify/verify/otelverify"

// The names of the metrics, in OpenTelemetry's dotted style. Prometheus
// sees them with underscores and suffixes: verify_verifications_started_total,
// verify_verifications_refused_total, verify_verifications_checked_total,
// verify_provider_duration_seconds and verify_provider_failovers_total.
// Every one also has verify.test=true for the calls about test numbers
// (verify.WithTestNumbers), and only for them.
const (
	// MetricStarted counts the verifications started: Starts that the
	// provider accepted, so that a code was sent. Attributes: verify.channel,
	// verify.region, verify.provider.
	MetricStarted = "verify.verifications.started"
	// MetricRefused counts the calls the Verifier refused before any
	// provider call (verify.Event.Refused). Attributes: verify.operation,
	// verify.refusal.reason, and verify.channel and verify.region when the
	// number was read.
	MetricRefused = "verify.verifications.refused"
	// MetricChecked counts the Checks that were not refused, by outcome:
	// "verified", "invalid_code", "expired", "too_many_attempts",
	// "not_found", "unavailable", ... Attributes: verify.outcome,
	// verify.provider, and verify.channel and verify.region whenever the
	// Verifier knows the verification (a verified check, and a failed one
	// of a verification it started).
	MetricChecked = "verify.verifications.checked"
	// MetricProviderDuration is the time spent in provider calls, in
	// seconds. Attributes: verify.operation, verify.provider, and
	// error.type when the provider failed (a fault; see the package doc).
	MetricProviderDuration = "verify.provider.duration"
	// MetricFailovers counts the providers a verify.Failover passed over
	// (verify.Event.Failovers): a rise means the first provider is
	// failing. Attributes: verify.operation, and verify.provider, the
	// provider that served in the end (or failed last).
	MetricFailovers = "verify.provider.failovers"
)

// The attribute keys. Every one takes few values: none of them is an id, a
// number or a code.
const (
	AttrOperation     = attribute.Key("verify.operation")      // "start", "check", "status", "cancel"
	AttrOutcome       = attribute.Key("verify.outcome")        // "ok" ("verified" for a check), or an error's kind
	AttrChannel       = attribute.Key("verify.channel")        // "voice", "sms"
	AttrRegion        = attribute.Key("verify.region")         // ISO 3166-1 region of the number, such as "NL"
	AttrRefusalReason = attribute.Key("verify.refusal.reason") // verify.Event.Reason: "resend_cooldown", "line_type", ...
	AttrErrorType     = attribute.Key("error.type")            // the outcome of a provider failure: "unavailable", "timeout", ...
	AttrProvider      = attribute.Key("verify.provider")       // the provider that served, such as "messagebird", "twilio", "otp"
	AttrTest          = attribute.Key("verify.test")           // true for a test number's call (verify.WithTestNumbers); absent otherwise
)

// Span-only attribute keys: spans are sampled and looked at one by one,
// so they may say more than metrics.
const (
	AttrLineType  = attribute.Key("verify.line_type") // "mobile", "fixed_line", ...
	AttrLanguage  = attribute.Key("verify.language")  // "nl-nl", ...
	AttrLimit     = attribute.Key("verify.limit")     // the limit that refused the call
	AttrCalled    = attribute.Key("verify.provider.called")
	AttrID        = attribute.Key("verify.id")                 // the provider's verification id
	AttrFailovers = attribute.Key("verify.provider.failovers") // the providers a Failover passed over, when any
)

// OutcomeVerified is the verify.outcome of a successful Check.
const OutcomeVerified = "verified"

// durationBuckets are the histogram's bucket boundaries in seconds,
// those OpenTelemetry's semantic conventions advise for HTTP client
// calls, which provider calls are.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// An Option configures NewObserver.
type Option interface{ apply(*config) }

type config struct {
	meters  metric.MeterProvider
	tracers trace.TracerProvider
	err     error
}

type meterOption struct{ mp metric.MeterProvider }

// WithMeterProvider sets where the metrics go. Default: the global
// MeterProvider (otel.GetMeterProvider) at the time of NewObserver.
func WithMeterProvider(mp metric.MeterProvider) Option { return meterOption{mp} }

func (o meterOption) apply(c *config) {
	if o.mp == nil {
		c.err = errors.Join(c.err, errors.New("otelverify: WithMeterProvider(nil)"))
	}
	c.meters = o.mp
}

type tracerOption struct{ tp trace.TracerProvider }

// WithTracerProvider sets where the spans go. Default: the global
// TracerProvider (otel.GetTracerProvider) at the time of NewObserver.
func WithTracerProvider(tp trace.TracerProvider) Option { return tracerOption{tp} }

func (o tracerOption) apply(c *config) {
	if o.tp == nil {
		c.err = errors.Join(c.err, errors.New("otelverify: WithTracerProvider(nil)"))
	}
	c.tracers = o.tp
}

// observer turns verify.Events into metrics and spans.
type observer struct {
	tracer    trace.Tracer
	started   metric.Int64Counter
	refused   metric.Int64Counter
	checked   metric.Int64Counter
	duration  metric.Float64Histogram
	failovers metric.Int64Counter
}

var (
	_ verify.Observer = (*observer)(nil)
	_ verify.Tagger   = (*observer)(nil)
)

// NewObserver returns a verify.Observer that records every call of a
// Verifier as metrics and a span; pass it to verify.WithObserver. It is
// also a verify.Tagger, so that each span starts before the provider call
// and the provider's HTTP requests, if instrumented, become its children.
// It returns an error for a nil provider or when an instrument cannot be
// created.
func NewObserver(opts ...Option) (verify.Observer, error) {
	var c config
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("otelverify: nil option")
		}
		o.apply(&c)
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.meters == nil {
		c.meters = otel.GetMeterProvider()
	}
	if c.tracers == nil {
		c.tracers = otel.GetTracerProvider()
	}
	meter := c.meters.Meter(ScopeName)
	o := &observer{tracer: c.tracers.Tracer(ScopeName)}
	var errs [5]error
	o.started, errs[0] = meter.Int64Counter(MetricStarted, metric.WithUnit("{verification}"),
		metric.WithDescription("Verifications started: a code was sent."))
	o.refused, errs[1] = meter.Int64Counter(MetricRefused, metric.WithUnit("{call}"),
		metric.WithDescription("Calls refused before any provider call: a bad number, a policy, a limit, a malformed code or id."))
	o.checked, errs[2] = meter.Int64Counter(MetricChecked, metric.WithUnit("{check}"),
		metric.WithDescription("Codes checked with the provider, by outcome."))
	o.duration, errs[3] = meter.Float64Histogram(MetricProviderDuration, metric.WithUnit("s"),
		metric.WithDescription("Time spent in provider calls."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	o.failovers, errs[4] = meter.Int64Counter(MetricFailovers, metric.WithUnit("{provider}"),
		metric.WithDescription("Providers a failover passed over because they failed."))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("otelverify: %w", err)
	}
	return o, nil
}

// spanKey is the context key under which Tag leaves the span it started.
type spanKey struct{}

// Tag starts the call's span.
func (o *observer) Tag(ctx context.Context, op verify.Op) context.Context {
	ctx, span := o.tracer.Start(ctx, spanName(op), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(AttrOperation.String(string(op))))
	return context.WithValue(ctx, spanKey{}, span)
}

// Observe records e and ends the span Tag started.
func (o *observer) Observe(ctx context.Context, e verify.Event) {
	outcome := outcomeOf(e)
	o.record(ctx, e, outcome)

	span, ok := ctx.Value(spanKey{}).(trace.Span)
	if !ok {
		// Called without Tag: the span covers no time, but it is there.
		_, span = o.tracer.Start(ctx, spanName(e.Op), trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithAttributes(AttrOperation.String(string(e.Op))))
	}
	if !span.IsRecording() {
		span.End()
		return
	}
	attrs := make([]attribute.KeyValue, 0, 14)
	attrs = append(attrs, AttrOutcome.String(outcome), AttrCalled.Bool(e.Called))
	attrs = appendNonEmpty(attrs, AttrID, e.ID)
	attrs = appendNonEmpty(attrs, AttrProvider, e.Provider)
	if e.Failovers > 0 {
		attrs = append(attrs, AttrFailovers.Int(e.Failovers))
	}
	if e.Test {
		attrs = append(attrs, AttrTest.Bool(true))
	}
	attrs = appendNonEmpty(attrs, AttrChannel, string(e.Channel))
	attrs = appendNonEmpty(attrs, AttrRegion, e.Region)
	attrs = appendNonEmpty(attrs, AttrLineType, e.LineType)
	attrs = appendNonEmpty(attrs, AttrLanguage, e.Language)
	attrs = appendNonEmpty(attrs, AttrLimit, e.Limit)
	attrs = appendNonEmpty(attrs, AttrRefusalReason, e.Reason())
	if fault(e) {
		attrs = append(attrs, AttrErrorType.String(outcome))
		span.RecordError(e.Err)
		span.SetStatus(codes.Error, outcome)
	}
	span.SetAttributes(attrs...)
	span.End()
}

// record adds e to the metrics.
func (o *observer) record(ctx context.Context, e verify.Event, outcome string) {
	var test []attribute.KeyValue
	if e.Test {
		test = []attribute.KeyValue{AttrTest.Bool(true)}
	}
	where := make([]attribute.KeyValue, 0, 6)
	where = appendNonEmpty(appendNonEmpty(append(where, test...), AttrChannel, string(e.Channel)), AttrRegion, e.Region)
	switch {
	case e.Refused():
		attrs := append(where, AttrOperation.String(string(e.Op)), AttrRefusalReason.String(e.Reason()))
		o.refused.Add(ctx, 1, metric.WithAttributes(attrs...))
	case e.Op == verify.OpStart && e.Err == nil:
		o.started.Add(ctx, 1, metric.WithAttributes(appendNonEmpty(where, AttrProvider, e.Provider)...))
	case e.Op == verify.OpCheck:
		attrs := append(appendNonEmpty(where, AttrProvider, e.Provider), AttrOutcome.String(outcome))
		o.checked.Add(ctx, 1, metric.WithAttributes(attrs...))
	}
	if !e.Called {
		return
	}
	attrs := appendNonEmpty(append(test, AttrOperation.String(string(e.Op))), AttrProvider, e.Provider)
	if e.Failovers > 0 {
		o.failovers.Add(ctx, int64(e.Failovers), metric.WithAttributes(attrs...))
	}
	if fault(e) {
		attrs = append(attrs, AttrErrorType.String(outcome))
	}
	o.duration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs...))
}

// outcomeOf is e's outcome as the metrics and spans name it: a verified
// check is "verified".
func outcomeOf(e verify.Event) string {
	o := e.Outcome()
	if o == verify.OutcomeOK && e.Op == verify.OpCheck {
		return OutcomeVerified
	}
	return string(o)
}

// fault reports whether e is a failure of the provider or of the
// Verifier's own machinery (the limiter's store, a bug), as opposed to an
// outcome the user caused or a call the caller gave up: a wrong code, an
// expired verification, a refused number or a limit are not faults.
func fault(e verify.Event) bool {
	switch e.Outcome() {
	case verify.OutcomeUnavailable, verify.OutcomeTimeout, verify.OutcomeInvalidOption, verify.OutcomeError:
		return true
	}
	return false
}

func spanName(op verify.Op) string { return "verify." + string(op) }

func appendNonEmpty(attrs []attribute.KeyValue, k attribute.Key, v string) []attribute.KeyValue {
	if v == "" {
		return attrs
	}
	return append(attrs, k.String(v))
}
