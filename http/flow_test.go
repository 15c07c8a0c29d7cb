package http_test

import (
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
)

// TestFailureReason: a middleware wrapping the handler learns why it
// refused a request, for the pages and the API alike, and nothing when it
// did not refuse.
func TestFailureReason(t *testing.T) {
	e := newEnv(t, envConfig{})
	var got []*verifyhttp.Failure
	wrapped := http.StripPrefix("/verify", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := verifyhttp.TrackFailure(r)
		e.handler.ServeHTTP(w, next)
		got = append(got, verifyhttp.FailureReason(next))
	}))
	srv := httptest.NewServer(wrapped)
	defer srv.Close()
	e.base = srv.URL + "/verify/"
	b := e.browser()

	code := b.started(testPhone, "voice")
	b.post("code", url.Values{"code": {wrongCode(code)}})
	b.postRaw("api/start", "application/json", `{"phone":"+3161"}`)
	b.post("code", url.Values{"code": {code}})
	if len(got) != 4 {
		t.Fatalf("%d requests, want 4", len(got))
	}
	if got[0] != nil || got[3] != nil {
		t.Errorf("successful requests have failures %v, %v", got[0], got[3])
	}
	if f := got[1]; f == nil || f.Code != verifyhttp.InvalidCode || !errors.Is(f, verify.ErrInvalidCode) || f.Status() != 422 {
		t.Errorf("wrong code: FailureReason = %v", f)
	}
	var pe *verify.PhoneError
	if f := got[2]; f == nil || f.Code != verifyhttp.InvalidPhone || !errors.As(f, &pe) || pe.Code != "too_short" {
		t.Errorf("invalid number: FailureReason = %v", f)
	}
	if f := verifyhttp.FailureReason(httptest.NewRequest("GET", "/", nil)); f != nil {
		t.Errorf("a request the handler never saw has failure %v", f)
	}
}

// TestAPIAnswersInJSON: a route of the API asked with another method, or
// one it does not have, answers in the API's error format.
func TestAPIAnswersInJSON(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "api/start", 405, "method_not_allowed", "POST"},
		{"PUT", "api/check", 405, "method_not_allowed", "POST"},
		{"GET", "api/resend", 405, "method_not_allowed", "POST"},
		{"POST", "api/nothing", 404, "not_found", ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, e.base+tt.path, nil)
		r := b.do(req)
		if r.status != tt.status || r.header.Get("Content-Type") != "application/json" || !strings.Contains(r.body, `"code":"`+tt.code+`"`) || r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d %s %q (Allow %q); want %d %s", tt.method, tt.path, r.status, r.header.Get("Content-Type"), r.body, r.header.Get("Allow"), tt.status, tt.code)
		}
	}
}

// TestAPIExpiresAtWholeSeconds: expires_at has no fraction of a second.
func TestAPIExpiresAtWholeSeconds(t *testing.T) {
	e := newEnv(t, envConfig{})
	e.clock.Advance(123456789 * time.Nanosecond)
	_, out, _ := apiCall(t, e.browser(), "start", map[string]string{"phone": testPhone})
	s, _ := out["expires_at"].(string)
	if _, err := time.Parse("2006-01-02T15:04:05Z", s); err != nil {
		t.Fatalf("expires_at = %q, want whole seconds in UTC", s)
	}
}

// TestPageData: the templates receive the call's language, the code's
// length, the resend cooldown, the example number of the default region
// and the app's Continue link.
func TestPageData(t *testing.T) {
	tmpl := template.Must(template.New("t").Parse(`{{define "phone"}}example={{.Example}} len={{.CodeLength}}{{end}}` +
		`{{define "code"}}call={{.CallLanguage}} len={{.CodeLength}} resend={{.ResendIn}}{{with .Error}} error={{.Code}} retry={{.RetryAfter}}{{end}}{{end}}` +
		`{{define "success"}}continue={{.ContinueURL}}{{end}}`))
	e := newEnv(t, envConfig{
		verifyOpts: []verify.Option{verify.WithDefaultRegion("NL"), verify.WithTokenLength(8), verify.WithResendCooldown(40 * time.Second)},
		httpOpts:   []verifyhttp.Option{verifyhttp.WithTemplates(tmpl), verifyhttp.WithContinueURL("/account")},
	})
	b := e.browser()
	if r := b.get(""); r.body != "example=06 12345678 len=8" {
		t.Errorf("phone form = %q", r.body)
	}
	code := b.started("06 12345678", "sms")
	lang := e.fake.Messages()[0].Language
	e.clock.Advance(15 * time.Second)
	if r, want := b.get("code"), "call="+lang+" len=8 resend=25"; lang == "" || r.body != want {
		t.Errorf("code page = %q, want %q", r.body, want)
	}
	e.clock.Advance(30 * time.Second)
	if r := b.get("code"); r.body != "call="+lang+" len=8 resend=0" {
		t.Errorf("code page after the cooldown = %q", r.body)
	}
	b.post("code", url.Values{"code": {code}})
	if r := b.get("done"); r.body != "continue=/account" {
		t.Errorf("success page = %q", r.body)
	}
}
