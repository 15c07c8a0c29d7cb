package otelverify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	if err != nil {
		t.Fatal(err)
	}
	s.v, err = verify.New(p, verify.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// flow runs starts and checks with every kind of outcome.
func (s *setup) flow(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	ver, err := s.v.Start(ctx, "+31 6 12345678")
	if err != nil {
		t.Fatal(err)
	}
	s.v.Start(ctx, "+31 6 12345678")  // resend cooldown
	s.v.Start(ctx, "+31 900 1234567") // premium rate
	s.v.Start(ctx, "+31 6")           // too short
	if _, err := s.v.Check(ctx, ver.ID, wrongCode); !errors.Is(err, verify.ErrInvalidCode) {
		t.Fatalf("wrong code: %v", err)
	}
	if _, err := s.v.Check(ctx, ver.ID, code); err != nil {
		t.Fatal(err)
	}
	if _, err := s.v.Start(ctx, "+44 7400 123456", verify.WithChannel(verify.SMS)); err != nil {
		t.Fatal(err)
	}
	s.fake.FailNext(verify.ErrUnavailable)
	if _, err := s.v.Start(ctx, "+32 470 12 34 56"); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("outage: %v", err)
	}
}

func (s *setup) collect(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := s.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
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
	got := sums(rm)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s = %d", k, got[k])
		}
	}

	// The histogram: one point per provider call, error.type on the outage.
	hist := map[string]uint64{}
	var units []string
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelverify.ScopeName {
			t.Errorf("scope %q, want %q", sm.Scope.Name, otelverify.ScopeName)
		}
		for _, m := range sm.Metrics {
			units = append(units, m.Name+" "+m.Unit)
			h, ok := m.Data.(metricdata.Histogram[float64])
			if !ok {
				continue
			}
			for _, dp := range h.DataPoints {
				hist[dp.Attributes.Encoded(attribute.DefaultEncoder())] += dp.Count
				if dp.Sum <= 0 {
					t.Errorf("%s: sum %v, want > 0 seconds", m.Name, dp.Sum)
				}
			}
		}
	}
	wantHist := map[string]uint64{ // attributes in sorted order
		"verify.operation=start,verify.provider=fake":   2,
		"error.type=unavailable,verify.operation=start": 1,
		"verify.operation=check,verify.provider=fake":   2,
	}
	if fmt.Sprint(hist) != fmt.Sprint(wantHist) {
		t.Errorf("provider duration counts %v, want %v", hist, wantHist)
	}
	slices.Sort(units)
	wantUnits := []string{
		"verify.provider.duration s",
		"verify.verifications.checked {check}",
		"verify.verifications.refused {call}",
		"verify.verifications.started {verification}",
	}
	if !slices.Equal(units, wantUnits) {
		t.Errorf("instruments %q, want %q", units, wantUnits)
	}
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
	if len(got) != len(want) {
		t.Fatalf("%d spans, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.name != w.name || g.status != w.status || g.attrs["verify.outcome"] != w.outcome ||
			g.attrs["verify.operation"] != strings.TrimPrefix(w.name, "verify.") {
			t.Errorf("span %d = %s, status %v, attributes %v; want %s, %v, outcome %s", i, g.name, g.status, g.attrs, w.name, w.status, w.outcome)
		}
		for k, v := range w.more {
			if g.attrs[k] != v {
				t.Errorf("span %d (%s %s): %s = %q, want %q", i, g.name, g.attrs["verify.outcome"], k, g.attrs[k], v)
			}
		}
		if _, ok := g.attrs["error.type"]; ok != (w.status == codes.Error) {
			t.Errorf("span %d: error.type %q with status %v", i, g.attrs["error.type"], g.status)
		}
	}
	if spans[0].Attributes() == nil || got[0].attrs["verify.id"] == "" {
		t.Errorf("a started verification's span has no verify.id: %v", got[0].attrs)
	}
	if ev := spans[7].Events(); len(ev) != 1 || ev[0].Name != "exception" {
		t.Errorf("the outage's span has events %v, want the error recorded", ev)
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
	if _, err := s.v.Start(ctx, "+31612345678"); err != nil {
		t.Fatal(err)
	}
	parent.End()
	spans := s.spans.Ended()
	if len(spans) != 2 || spans[0].Name() != "verify.start" {
		t.Fatalf("spans %v", spans)
	}
	child := spans[0]
	if child.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("verify.start's parent is %v, want the caller's span %v", child.Parent().SpanID(), parent.SpanContext().SpanID())
	}
	if p.got.SpanID() != child.SpanContext().SpanID() {
		t.Errorf("the provider ran in span %v, want verify.start's %v", p.got.SpanID(), child.SpanContext().SpanID())
	}
	if child.SpanKind() != trace.SpanKindInternal {
		t.Errorf("span kind %v, want internal", child.SpanKind())
	}
}

// TestNoSecretsExported: neither a code, right or wrong, nor the
// numbers appear anywhere in what the metrics and spans export.
func TestNoSecretsExported(t *testing.T) {
	s := newSetup(t, nil)
	s.flow(t)
	metrics, err := json.Marshal(s.collect(t))
	if err != nil {
		t.Fatal(err)
	}
	spans, err := json.Marshal(tracetest.SpanStubsFromReadOnlySpans(s.spans.Ended()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(spans), "verify.region") || !strings.Contains(string(metrics), "verify.region") {
		t.Fatalf("the exported data lacks the attributes this test reads:\n%s\n%s", metrics, spans)
	}
	secrets := []string{code, wrongCode, "612345678", "9001234567", "7400123456", "470123456"}
	for name, data := range map[string]string{"metrics": string(metrics), "spans": string(spans)} {
		for _, secret := range secrets {
			if strings.Contains(data, secret) {
				t.Errorf("the exported %s contain %q:\n%s", name, secret, data)
			}
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
	if err != nil {
		t.Fatal(err)
	}
	obs.Observe(context.Background(), verify.Event{Op: verify.OpCancel, ID: "abc", Called: true})
	if got := views(spans.Ended()); len(got) != 1 || got[0].name != "verify.cancel" || got[0].attrs["verify.outcome"] != "ok" {
		t.Fatalf("spans %+v", got)
	}
}

func TestNewObserverOptions(t *testing.T) {
	for name, opts := range map[string][]otelverify.Option{
		"nil meter provider":  {otelverify.WithMeterProvider(nil)},
		"nil tracer provider": {otelverify.WithTracerProvider(nil)},
		"nil option":          {nil},
	} {
		if obs, err := otelverify.NewObserver(opts...); err == nil || obs != nil {
			t.Errorf("%s: %v, %v; want an error", name, obs, err)
		}
	}
	if _, ok := mustObserver(t).(verify.Tagger); !ok {
		t.Error("the Observer is not a verify.Tagger")
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(context.Background(), "+31612345678"); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if got := sums(rm)["verify.verifications.started{verify.channel=voice,verify.provider=fake,verify.region=NL}"]; got != 1 {
		t.Errorf("global meter provider: started = %d, want 1 (%v)", got, sums(rm))
	}
	if len(spans.Ended()) != 1 {
		t.Errorf("global tracer provider: %d spans, want 1", len(spans.Ended()))
	}
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
