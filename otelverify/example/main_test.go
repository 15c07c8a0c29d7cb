package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/phoneverify/verify/fake"
)

// TestMetricsEndpoint runs one verification through the pages and reads
// it back from /metrics, parsed as Prometheus parses it.
func TestMetricsEndpoint(t *testing.T) {
	p := fake.New(fake.WithCode("864209"))
	h, shutdown, err := newHandler(slog.New(slog.DiscardHandler), p, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}

	post := func(path string, form url.Values, wantPath string) {
		t.Helper()
		res, err := c.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Request.URL.Path != wantPath {
			t.Fatalf("POST %s ended on %s (%d), want %s", path, res.Request.URL.Path, res.StatusCode, wantPath)
		}
	}
	post("/", url.Values{"phone": {"+31 6 12345678"}}, "/code")
	post("/code", url.Values{"code": {"111111"}}, "/code")   // wrong
	post("/code", url.Values{"code": {"864209"}}, "/done")   // right
	post("/", url.Values{"phone": {"+31 900 1234567"}}, "/") // premium rate: refused

	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, secret := range []string{"864209", "111111", "612345678", "9001234567"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("/metrics contains %q", secret)
		}
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}

	tests := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"verify_verifications_started_total", map[string]string{"verify_channel": "voice", "verify_region": "NL"}, 1},
		// A failed check counts under the labels of a verified one (issue 18).
		{"verify_verifications_checked_total", map[string]string{"verify_outcome": "invalid_code", "verify_channel": "voice", "verify_region": "NL", "verify_provider": "fake"}, 1},
		{"verify_verifications_checked_total", map[string]string{"verify_outcome": "verified", "verify_channel": "voice", "verify_region": "NL", "verify_provider": "fake"}, 1},
		{"verify_verifications_refused_total", map[string]string{"verify_operation": "start", "verify_refusal_reason": "line_type", "verify_region": "NL"}, 1},
		{"verify_provider_duration_seconds", map[string]string{"verify_operation": "start"}, 1}, // histogram: its count
		{"verify_provider_duration_seconds", map[string]string{"verify_operation": "check"}, 2},
	}
	for _, tt := range tests {
		if got := value(families[tt.family], tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v\n%s", tt.family, tt.labels, got, tt.want, body)
		}
	}
	// The service is named, not "unknown_service:example".
	var service []string
	for _, m := range families["target_info"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "service_name" {
				service = append(service, l.GetValue())
			}
		}
	}
	if len(service) != 1 || service[0] != "phoneverify-example" {
		t.Errorf("target_info's service_name = %q, want [phoneverify-example]", service)
	}
}

// value returns the sum of the counters, or of the histograms' counts, of
// the family's metrics that carry labels.
func value(f *dto.MetricFamily, labels map[string]string) float64 {
	var sum float64
	for _, m := range f.GetMetric() {
		match := 0
		for _, l := range m.GetLabel() {
			if v, ok := labels[l.GetName()]; ok && v == l.GetValue() {
				match++
			}
		}
		if match != len(labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}
