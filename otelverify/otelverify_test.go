package otelverify_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otelverify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// The code the fake sends, and a wrong one: neither may appear in the
// exported data.
const (
	code      = "987654"
	wrongCode = "135791"
)

// setup is a Verifier on the fake provider whose Observer exports to
// in-memory readers.
type setup struct {
	v       *verify.Verifier
	fake    *fake.Provider
	reader  *sdkmetric.ManualReader
	spans   *tracetest.SpanRecorder
	tracers trace.TracerProvider
}

func newSetup(t *testing.T, p verify.Provider) *setup {
	t.Helper()
	s := &setup{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	if p == nil {
		s.fake = fake.New(fake.WithCode(code))
		p = s.fake
	}
	s.tracers = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(s.spans))
	obs, err := otelverify.NewObserver(
		otelverify.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(s.reader))),
		otelverify.WithTracerProvider(s.tracers),
	)
	require.NoError(t, err)
	s.v, err = verify.New(p, verify.WithObserver(obs))
	require.NoError(t, err)
	return s
}

// flow runs starts and checks with every kind of outcome.
func (s *setup) flow(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	ver, err := s.v.Start(ctx, "+31 6 12345678")
	require.NoError(t, err)
	s.v.Start(ctx, "+31 6 12345678")  // resend cooldown
	s.v.Start(ctx, "+31 900 1234567") // premium rate
	s.v.Start(ctx, "+31 6")           // too short
	_, err = s.v.Check(ctx, ver.ID, wrongCode)
	require.ErrorIs(t, err, verify.ErrInvalidCode, "wrong code")
	_, err = s.v.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	_, err = s.v.Start(ctx, "+44 7400 123456", verify.WithChannel(verify.SMS))
	require.NoError(t, err)
	s.fake.FailNext(verify.ErrUnavailable)
	_, err = s.v.Start(ctx, "+32 470 12 34 56")
	require.ErrorIs(t, err, verify.ErrUnavailable, "outage")
}

func (s *setup) collect(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, s.reader.Collect(context.Background(), &rm))
	return rm
}

// sums returns the counters' values as "name{attributes}" → value.
func sums(rm metricdata.ResourceMetrics) map[string]int64 {
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					got[m.Name+"{"+dp.Attributes.Encoded(attribute.DefaultEncoder())+"}"] += dp.Value
				}
			}
		}
	}
	return got
}

func TestMetrics(t *testing.T) {
	s := newSetup(t, nil)
	s.flow(t)
	rm := s.collect(t)

	want := map[string]int64{
		"verify.verifications.started{verify.channel=voice,verify.provider=fake,verify.region=NL}":                                         1,
		"verify.verifications.started{verify.channel=sms,verify.provider=fake,verify.region=GB}":                                           1,
		"verify.verifications.refused{verify.channel=voice,verify.operation=start,verify.refusal.reason=resend_cooldown,verify.region=NL}": 1,
		"verify.verifications.refused{verify.channel=voice,verify.operation=start,verify.refusal.reason=line_type,verify.region=NL}":       1,
		"verify.verifications.refused{verify.operation=start,verify.refusal.reason=too_short}":                                             1,
		"verify.verifications.checked{verify.channel=voice,verify.outcome=invalid_code,verify.provider=fake,verify.region=NL}":             1,
		"verify.verifications.checked{verify.channel=voice,verify.outcome=verified,verify.provider=fake,verify.region=NL}":                 1,
	}
	assert.Equal(t, want, sums(rm), "counters")

	// The histogram: one point per provider call, error.type on the outage.
	hist := map[string]uint64{}
	var units []string
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, otelverify.ScopeName, sm.Scope.Name, "scope")
		for _, m := range sm.Metrics {
			units = append(units, m.Name+" "+m.Unit)
			h, ok := m.Data.(metricdata.Histogram[float64])
			if !ok {
				continue
			}
			for _, dp := range h.DataPoints {
				hist[dp.Attributes.Encoded(attribute.DefaultEncoder())] += dp.Count
				assert.Greater(t, dp.Sum, 0.0, "%s: sum, want > 0 seconds", m.Name)
			}
		}
	}
	wantHist := map[string]uint64{ // attributes in sorted order
		"verify.operation=start,verify.provider=fake":   2,
		"error.type=unavailable,verify.operation=start": 1,
		"verify.operation=check,verify.provider=fake":   2,
	}
	assert.Equal(t, wantHist, hist, "provider duration counts")
	slices.Sort(units)
	wantUnits := []string{
		"verify.provider.duration s",
		"verify.verifications.checked {check}",
		"verify.verifications.refused {call}",
		"verify.verifications.started {verification}",
	}
	assert.Equal(t, wantUnits, units, "instruments")
}

// spanView is what the test reads of a span.
type spanView struct {
	name   string
	status codes.Code
	attrs  map[attribute.Key]string
}

func views(spans []sdktrace.ReadOnlySpan) []spanView {
	var out []spanView
	for _, s := range spans {
		v := spanView{name: s.Name(), status: s.Status().Code, attrs: map[attribute.Key]string{}}
		for _, kv := range s.Attributes() {
			v.attrs[kv.Key] = kv.Value.String()
		}
		out = append(out, v)
	}
	return out
}

func TestSpans(t *testing.T) {
	s := newSetup(t, nil)
	s.flow(t)
	spans := s.spans.Ended()
	got := views(spans)
	want := []struct {
		name    string
		status  codes.Code
		outcome string
		more    map[attribute.Key]string
	}{
		{"verify.start", codes.Unset, "ok", map[attribute.Key]string{"verify.channel": "voice", "verify.region": "NL", "verify.line_type": "mobile", "verify.language": "nl-nl", "verify.provider.called": "true", "verify.provider": "fake"}},
		{"verify.start", codes.Unset, "rate_limited", map[attribute.Key]string{"verify.limit": "resend_cooldown", "verify.refusal.reason": "resend_cooldown", "verify.provider.called": "false"}},
		{"verify.start", codes.Unset, "invalid_phone", map[attribute.Key]string{"verify.line_type": "premium_rate", "verify.refusal.reason": "line_type"}},
		{"verify.start", codes.Unset, "invalid_phone", map[attribute.Key]string{"verify.refusal.reason": "too_short"}},
		{"verify.check", codes.Unset, "invalid_code", map[attribute.Key]string{"verify.provider.called": "true", "verify.channel": "voice", "verify.region": "NL", "verify.provider": "fake"}}, // a user's error is no fault
		{"verify.check", codes.Unset, "verified", map[attribute.Key]string{"verify.channel": "voice", "verify.region": "NL"}},
		{"verify.start", codes.Unset, "ok", map[attribute.Key]string{"verify.channel": "sms", "verify.region": "GB"}},
		{"verify.start", codes.Error, "unavailable", map[attribute.Key]string{"error.type": "unavailable", "verify.region": "BE"}},
	}
	require.Len(t, got, len(want), "spans")
	for i, w := range want {
		g := got[i]
		assert.Equal(t, w.name, g.name, "span %d: name", i)
		assert.Equal(t, w.status, g.status, "span %d: status", i)
		assert.Equal(t, w.outcome, g.attrs["verify.outcome"], "span %d: outcome", i)
		assert.Equal(t, strings.TrimPrefix(w.name, "verify."), g.attrs["verify.operation"], "span %d: operation", i)
		for k, v := range w.more {
			assert.Equal(t, v, g.attrs[k], "span %d (%s %s): %s", i, g.name, g.attrs["verify.outcome"], k)
		}
		_, ok := g.attrs["error.type"]
		assert.Equal(t, w.status == codes.Error, ok, "span %d: error.type %q with status %v", i, g.attrs["error.type"], g.status)
	}
	assert.NotNil(t, spans[0].Attributes(), "a started verification's span has no attributes")
	assert.NotEmpty(t, got[0].attrs["verify.id"], "a started verification's span has no verify.id: %v", got[0].attrs)
	ev := spans[7].Events()
	if assert.Len(t, ev, 1, "the outage's span's events, want the error recorded") {
		assert.Equal(t, "exception", ev[0].Name, "the outage's span's event, want the error recorded")
	}
}

// ctxProvider records the span in the context each Start is given.
type ctxProvider struct {
	*fake.Provider
	got trace.SpanContext
}

func (p *ctxProvider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	p.got = trace.SpanContextFromContext(ctx)
	return p.Provider.Start(ctx, req)
}

// TestSpanNests: the call's span is the child of the caller's and the
// parent of whatever the provider does, so that the provider's HTTP
// requests nest under it.
func TestSpanNests(t *testing.T) {
	p := &ctxProvider{Provider: fake.New()}
	s := newSetup(t, p)
	ctx, parent := s.tracers.Tracer("test").Start(context.Background(), "signup")
	_, err := s.v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	parent.End()
	spans := s.spans.Ended()
	require.Len(t, spans, 2, "spans")
	require.Equal(t, "verify.start", spans[0].Name(), "the first span")
	child := spans[0]
	assert.Equal(t, parent.SpanContext().SpanID(), child.Parent().SpanID(), "verify.start's parent, want the caller's span")
	assert.Equal(t, child.SpanContext().SpanID(), p.got.SpanID(), "the span the provider ran in, want verify.start's")
	assert.Equal(t, trace.SpanKindInternal, child.SpanKind(), "span kind")
}

// TestNoSecretsExported: neither a code, right or wrong, nor the
// numbers appear anywhere in what the metrics and spans export.
func TestNoSecretsExported(t *testing.T) {
	s := newSetup(t, nil)
	s.flow(t)
	metrics, err := json.Marshal(s.collect(t))
	require.NoError(t, err)
	spans, err := json.Marshal(tracetest.SpanStubsFromReadOnlySpans(s.spans.Ended()))
	require.NoError(t, err)
	require.Contains(t, string(spans), "verify.region", "the exported spans lack the attributes this test reads")
	require.Contains(t, string(metrics), "verify.region", "the exported metrics lack the attributes this test reads")
	secrets := []string{code, wrongCode, "612345678", "9001234567", "7400123456", "470123456"}
	for name, data := range map[string]string{"metrics": string(metrics), "spans": string(spans)} {
		for _, secret := range secrets {
			assert.NotContains(t, data, secret, "the exported %s contain a secret", name)
		}
	}
}

// TestObserveWithoutTag: an Observer used directly, without its Tag,
// still records a span.
func TestObserveWithoutTag(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	obs, err := otelverify.NewObserver(
		otelverify.WithMeterProvider(sdkmetric.NewMeterProvider()),
		otelverify.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
	)
	require.NoError(t, err)
	obs.Observe(context.Background(), verify.Event{Op: verify.OpCancel, ID: "abc", Called: true})
	got := views(spans.Ended())
	require.Len(t, got, 1, "spans")
	require.Equal(t, "verify.cancel", got[0].name, "span name")
	require.Equal(t, "ok", got[0].attrs["verify.outcome"], "span outcome")
}

func TestNewObserverOptions(t *testing.T) {
	for name, opts := range map[string][]otelverify.Option{
		"nil meter provider":  {otelverify.WithMeterProvider(nil)},
		"nil tracer provider": {otelverify.WithTracerProvider(nil)},
		"nil option":          {nil},
	} {
		obs, err := otelverify.NewObserver(opts...)
		assert.Error(t, err, name)
		assert.True(t, obs == nil, "%s: NewObserver returned %v, want nil", name, obs)
	}
	_, ok := mustObserver(t).(verify.Tagger)
	assert.True(t, ok, "the Observer is not a verify.Tagger")
}

// TestGlobalProviders: without options, the Observer uses the global
// providers.
func TestGlobalProviders(t *testing.T) {
	mp, tp := otel.GetMeterProvider(), otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetMeterProvider(mp); otel.SetTracerProvider(tp) })
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))

	v, err := verify.New(fake.New(), verify.WithObserver(mustObserver(t)))
	require.NoError(t, err)
	_, err = v.Start(context.Background(), "+31612345678")
	require.NoError(t, err)
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	assert.Equal(t, int64(1), sums(rm)["verify.verifications.started{verify.channel=voice,verify.provider=fake,verify.region=NL}"],
		"global meter provider: started (%v)", sums(rm))
	assert.Len(t, spans.Ended(), 1, "global tracer provider: spans")
}

// renamed is a provider that names itself name in its verifications.
type renamed struct {
	*fake.Provider
	name string
}

func (p renamed) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	ver, err := p.Provider.Start(ctx, req)
	if ver != nil {
		ver.Provider = p.name
	}
	return ver, err
}

// TestProviderFailoversAndTestNumbers: the metrics and spans say which
// provider served, count the providers a Failover passed over, and mark
// the calls about test numbers, so that dashboards can tell them apart
// or leave them out.
func TestProviderFailoversAndTestNumbers(t *testing.T) {
	reader, spans := sdkmetric.NewManualReader(), tracetest.NewSpanRecorder()
	obs, err := otelverify.NewObserver(
		otelverify.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
		otelverify.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
	)
	require.NoError(t, err)
	down := fake.New()
	down.FailNext(verify.ErrUnavailable)
	v, err := verify.New(verify.Failover(down, renamed{fake.New(), "backup"}), verify.WithObserver(obs),
		verify.WithTestNumbers(map[string]string{"+31 6 11111111": "246810"}))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = v.Start(ctx, "+31 6 12345678")
	require.NoError(t, err)
	ver, err := v.Start(ctx, "+31 6 11111111")
	require.NoError(t, err)
	require.True(t, ver.Test)
	_, err = v.Check(ctx, ver.ID, "246810")
	require.NoError(t, err)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	assert.Equal(t, map[string]int64{
		"verify.provider.failovers{verify.operation=start,verify.provider=backup}":                                     1,
		"verify.verifications.started{verify.channel=voice,verify.provider=backup,verify.region=NL}":                   1,
		"verify.verifications.started{verify.channel=voice,verify.region=NL,verify.test=true}":                         1,
		"verify.verifications.checked{verify.channel=voice,verify.outcome=verified,verify.region=NL,verify.test=true}": 1,
	}, sums(rm))

	got := views(spans.Ended())
	require.Len(t, got, 3)
	assert.Equal(t, "backup", got[0].attrs[otelverify.AttrProvider])
	assert.Equal(t, "1", got[0].attrs[otelverify.AttrFailovers])
	assert.NotContains(t, got[0].attrs, otelverify.AttrTest)
	for _, g := range got[1:] {
		assert.Equal(t, "true", g.attrs[otelverify.AttrTest], g.name)
		assert.NotContains(t, g.attrs, otelverify.AttrFailovers, g.name)
	}
}
