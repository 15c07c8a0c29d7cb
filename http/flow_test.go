package http_test

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOnFailure: WithOnFailure's function learns why the handler refused
// a request, for the pages and the API alike, once per refused request
// (not again when the page a failed POST redirects to shows it), and is
// not called for requests that succeed.
func TestOnFailure(t *testing.T) {
	type call struct {
		path string
		f    *verifyhttp.Failure
	}
	var got []call
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithOnFailure(func(r *http.Request, f *verifyhttp.Failure) {
		got = append(got, call{r.URL.Path, f})
	})}})
	b := e.browser()

	code := b.started(testPhone, "voice")
	require.Empty(t, got, "a start that succeeded")
	b.follow(b.post("code", url.Values{"code": {wrongCode(code)}}))
	b.postRaw("api/start", "application/json", `{"phone":"+3161"}`)
	b.postRaw("", "application/x-www-form-urlencoded", "phone=1", "Sec-Fetch-Site", "cross-site")
	b.post("code", url.Values{"code": {code}})
	b.get("done")

	require.Len(t, got, 3)
	assert.Equal(t, "/code", got[0].path)
	assert.Equal(t, verifyhttp.InvalidCode, got[0].f.Code)
	assert.ErrorIs(t, got[0].f, verify.ErrInvalidCode)
	assert.Equal(t, 422, got[0].f.Status())
	assert.Equal(t, "/api/start", got[1].path)
	pe, ok := errors.AsType[*verify.PhoneError](got[1].f)
	if assert.True(t, ok, "invalid number: %v", got[1].f) {
		assert.Equal(t, "too_short", pe.Code)
	}
	assert.Equal(t, verifyhttp.CrossOrigin, got[2].f.Code)
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
		assert.Equalf(t, tt.status, r.status, "%s %s = %d %s %q (Allow %q); want %d %s", tt.method, tt.path, r.status, r.header.Get("Content-Type"), r.body, r.header.Get("Allow"), tt.status, tt.code)
		assert.Equalf(t, "application/json", r.header.Get("Content-Type"), "%s %s = %d %s %q (Allow %q); want %d %s", tt.method, tt.path, r.status, r.header.Get("Content-Type"), r.body, r.header.Get("Allow"), tt.status, tt.code)
		assert.Containsf(t, r.body, `"code":"`+tt.code+`"`, "%s %s = %d %s %q (Allow %q); want %d %s", tt.method, tt.path, r.status, r.header.Get("Content-Type"), r.body, r.header.Get("Allow"), tt.status, tt.code)
		assert.Equalf(t, tt.allow, r.header.Get("Allow"), "%s %s = %d %s %q (Allow %q); want %d %s", tt.method, tt.path, r.status, r.header.Get("Content-Type"), r.body, r.header.Get("Allow"), tt.status, tt.code)
	}
}

// TestAPIExpiresAtWholeSeconds: expires_at has no fraction of a second.
func TestAPIExpiresAtWholeSeconds(t *testing.T) {
	e := newEnv(t, envConfig{})
	e.clock.Advance(123456789 * time.Nanosecond)
	_, out, _ := apiCall(t, e.browser(), "start", map[string]string{"phone": testPhone})
	s, _ := out["expires_at"].(string)
	_, err := time.Parse("2006-01-02T15:04:05Z", s)
	require.NoErrorf(t, err, "expires_at = %q, want whole seconds in UTC", s)
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
	r := b.get("")
	assert.Equalf(t, "example=06 12345678 len=8", r.body, "phone form = %q", r.body)
	code := b.started("06 12345678", "sms")
	lang := e.fake.Messages()[0].Language
	e.clock.Advance(15 * time.Second)
	r, want := b.get("code"), "call="+lang+" len=8 resend=25"
	assert.NotEmptyf(t, lang, "code page = %q, want %q", r.body, want)
	assert.Equalf(t, want, r.body, "code page = %q, want %q", r.body, want)
	e.clock.Advance(30 * time.Second)
	r = b.get("code")
	assert.Equalf(t, "call="+lang+" len=8 resend=0", r.body, "code page after the cooldown = %q", r.body)
	b.post("code", url.Values{"code": {code}})
	r = b.get("done")
	assert.Equalf(t, "continue=/account", r.body, "success page = %q", r.body)
}

// TestAPIWording: the rate-limit message says how long, in minutes and seconds, and
// invalid_request names the field at fault.
func TestAPIWording(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	e.fake.FailNext(&verify.RateLimitError{RetryAfter: 61 * time.Second})
	_, out, _ := apiCall(t, b, "start", map[string]string{"phone": testPhone})
	msg := out["error"].(map[string]any)["message"].(string)
	assert.Containsf(t, msg, "1 minute and 1 second", "rate-limit message = %q, want the wait", msg)
	for _, tt := range []struct{ body, field string }{
		{`{"phone":"+31612345678","channel":"fax"}`, "channel"},
		{`{"phone":"+31612345678","phon":"x"}`, "phon"},
		{`{"phone":5}`, "phone"},
	} {
		r := b.postRaw("api/start", "application/json", tt.body)
		var out struct {
			Error struct{ Code, Message, Field string }
		}
		json.Unmarshal([]byte(r.body), &out)
		assert.Equalf(t, 400, r.status, "%s = %d %s; want invalid_request naming %q", tt.body, r.status, r.body, tt.field)
		assert.Equalf(t, "invalid_request", out.Error.Code, "%s = %d %s; want invalid_request naming %q", tt.body, r.status, r.body, tt.field)
		assert.Equalf(t, tt.field, out.Error.Field, "%s = %d %s; want invalid_request naming %q", tt.body, r.status, r.body, tt.field)
		assert.Containsf(t, out.Error.Message, `"`+tt.field+`"`, "%s = %d %s; want invalid_request naming %q", tt.body, r.status, r.body, tt.field)
	}
}

// TestPostRedirectGet: every failed POST of the pages is answered with a
// redirect to the page that shows the failure, so that Back and Reload
// only ever repeat GETs; the page shows the failure as often as it is
// reloaded, and the state it was made in is kept.
func TestPostRedirectGet(t *testing.T) {
	tests := []struct {
		name, path string
		form       url.Values
		setup      func(e *env, b *browser)
		wantTo     string
		wantStatus int
		wantBody   string
	}{
		{"invalid number", "", url.Values{"phone": {"+3161"}}, nil, "./", 422, "too short"},
		{"unknown channel", "", url.Values{"phone": {testPhone}, "channel": {"fax"}}, nil, "./", 400, "could not be read"},
		{"provider down", "", url.Values{"phone": {testPhone}}, func(e *env, b *browser) { e.fake.FailNext(verify.ErrUnavailable) }, "./", 503, "cannot send"},
		{"wrong code", "code", url.Values{"code": {"000000"}}, func(e *env, b *browser) { b.started(testPhone, "voice") }, "code", 422, "not right"},
		{"too early resend", "resend", url.Values{}, func(e *env, b *browser) { b.started(testPhone, "voice") }, "code", 429, "new code in 30 seconds"},
		{"no state", "code", url.Values{"code": {"123456"}}, nil, "./?e=session_invalid", 200, "start again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			b := e.browser()
			if tt.setup != nil {
				tt.setup(e, b)
			}
			if tt.name == "wrong code" {
				if c, _ := e.fake.LastCode(testPhone); c == "000000" {
					tt.form.Set("code", "111111")
				}
			}
			r := b.post(tt.path, tt.form)
			require.Equalf(t, http.StatusSeeOther, r.status, "POST /%s = %d %q, want 303 to %s:\n%s", tt.path, r.status, r.location(), tt.wantTo, r.body)
			require.Equalf(t, tt.wantTo, r.location(), "POST /%s = %d %q, want 303 to %s:\n%s", tt.path, r.status, r.location(), tt.wantTo, r.body)
			for reload := range 2 {
				page := b.follow(r)
				require.Equalf(t, tt.wantStatus, page.status, "GET %s (load %d) = %d, want %d with %q:\n%s", tt.wantTo, reload+1, page.status, tt.wantStatus, tt.wantBody, page.body)
				require.Containsf(t, page.body, tt.wantBody, "GET %s (load %d) = %d, want %d with %q:\n%s", tt.wantTo, reload+1, page.status, tt.wantStatus, tt.wantBody, page.body)
				require.Containsf(t, page.body, `role="alert"`, "GET %s (load %d) = %d, want %d with %q:\n%s", tt.wantTo, reload+1, page.status, tt.wantStatus, tt.wantBody, page.body)
			}
		})
	}

	// One wrong code, then the right one, then Back (twice) and Reload:
	// only GETs, which land on the success page.
	e := newEnv(t, envConfig{})
	b := e.browser()
	code := b.started(testPhone, "voice")
	b.submit("code", url.Values{"code": {wrongCode(code)}})
	r := b.post("code", url.Values{"code": {code}})
	require.Equalf(t, http.StatusSeeOther, r.status, "right code = %d %q", r.status, r.location())
	require.Equalf(t, "done", r.location(), "right code = %d %q", r.status, r.location())
	for _, path := range []string{"done", "code", "code", "done"} {
		r := b.get(path)
		assert.Falsef(t, !(r.status == http.StatusOK && path == "done") && !(r.status == http.StatusSeeOther && r.location() == "done"), "GET /%s after success = %d %q, want the success page", path, r.status, r.location())
	}
	n := e.verifiedCount()
	assert.Equalf(t, 1, n, "OnVerified ran %d times, want 1", n)
}

// TestTooEarlyResend: without the page's script, a resend during the
// cooldown leads back to the code page, which says how long to wait and
// keeps the code field; ResendIn counts the longer of the cooldown and
// the limit's wait, down from when the resend was refused, and once it
// has passed the page no longer says to wait.
func TestTooEarlyResend(t *testing.T) {
	tmpl := template.Must(template.New("t").Parse(`{{define "code"}}resend={{.ResendIn}} form={{.CanEnterCode}}{{with .Error}} {{.Code}} {{.RetryAfter}}{{end}}{{end}}`))
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithTemplates(tmpl)}})
	b := e.browser()
	b.started(testPhone, "voice")
	e.clock.Advance(10 * time.Second)
	r := b.submit("resend", url.Values{})
	assert.Equalf(t, 429, r.status, "too early resend = %d %q", r.status, r.body)
	assert.Equalf(t, "resend=20 form=true rate_limited 20", r.body, "too early resend = %d %q", r.status, r.body)
	e.clock.Advance(25 * time.Second)
	e.fake.FailNext(&verify.RateLimitError{RetryAfter: 90 * time.Second})
	r = b.submit("resend", url.Values{})
	assert.Equalf(t, 429, r.status, "resend refused by a limit = %d %q", r.status, r.body)
	assert.Equalf(t, "resend=90 form=true rate_limited 90", r.body, "resend refused by a limit = %d %q", r.status, r.body)
	e.clock.Advance(30 * time.Second)
	r = b.get("code")
	assert.Equalf(t, "resend=60 form=true rate_limited 60", r.body, "30 s later = %q", r.body)
	e.clock.Advance(59 * time.Second)
	r = b.get("code")
	assert.Equalf(t, "resend=1 form=true rate_limited 1", r.body, "a second before the wait ends = %q", r.body)
	e.clock.Advance(time.Second)
	r = b.get("code")
	assert.Equalf(t, http.StatusOK, r.status, "when the wait ends = %d %q", r.status, r.body)
	assert.Equalf(t, "resend=0 form=true", r.body, "when the wait ends = %q", r.body)
}

// TestDefaultPagesShowExampleAndContinue: with a default region the phone
// form's hint is a national example, and the success page links on to
// WithContinueURL's address.
func TestDefaultPagesShowExampleAndContinue(t *testing.T) {
	e := newEnv(t, envConfig{
		verifyOpts: []verify.Option{verify.WithDefaultRegion("DE")},
		httpOpts:   []verifyhttp.Option{verifyhttp.WithContinueURL("/account?step=2")},
	})
	b := e.browser()
	r := b.get("")
	assert.Containsf(t, r.body, `For example <span class="nowrap">01512 3456789</span>`, "phone form hint:\n%s", r.body)
	code := b.started("+31612345678", "voice")
	b.post("code", url.Values{"code": {code}})
	r = b.get("done")
	assert.Containsf(t, r.body, `href="/account?step=2">Continue</a>`, "success page:\n%s", r.body)
}

// TestMalformedCodeSaysFormat: a code that is not as many digits as the
// codes sent is refused with reason_code "format", so that a page can say
// how long a code is; a wrong code of the right length has no reason.
func TestMalformedCodeSaysFormat(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	_, out, _ := apiCall(t, b, "start", map[string]string{"phone": testPhone})
	token := out["token"].(string)
	code, _ := e.fake.LastCode(testPhone)
	for _, tt := range []struct{ code, reason string }{{"12345", "format"}, {"12ab56", "format"}, {wrongCode(code), ""}} {
		_, out, _ := apiCall(t, b, "check", map[string]string{"token": token, "code": tt.code})
		e, _ := out["error"].(map[string]any)
		reason, _ := e["reason_code"].(string)
		assert.Falsef(t, e["code"] != "invalid_code" || reason != tt.reason, "code %q: %v, want invalid_code with reason_code %q", tt.code, out, tt.reason)
	}
}

// TestRefusedRegionIsNamed: a number of a region the Verifier refuses is
// refused with the region, for the page to name the country, on the API
// and after the phone form's redirect.
func TestRefusedRegionIsNamed(t *testing.T) {
	tmpl := template.Must(template.New("t").Parse(`{{define "phone"}}{{with .Error}}{{.Code}} {{.ReasonCode}} {{.Region}}{{end}}{{end}}`))
	e := newEnv(t, envConfig{
		verifyOpts: []verify.Option{verify.WithAllowedRegions("NL")},
		httpOpts:   []verifyhttp.Option{verifyhttp.WithTemplates(tmpl)},
	})
	b := e.browser()
	status, out, _ := apiCall(t, b, "start", map[string]string{"phone": "+447400123456"})
	apiErr, _ := out["error"].(map[string]any)
	assert.Equal(t, 422, status)
	assert.Equalf(t, "region", apiErr["reason_code"], "API = %d %v, want invalid_phone naming GB", status, out)
	assert.Equalf(t, "GB", apiErr["region"], "API = %d %v, want invalid_phone naming GB", status, out)
	r := b.submit("", url.Values{"phone": {"+447400123456"}})
	assert.Equalf(t, 422, r.status, "phone form = %d %q", r.status, r.body)
	assert.Equalf(t, "invalid_phone region GB", r.body, "phone form = %d %q", r.status, r.body)
}

// TestStartClearsOldFailure: after a typo and then a start that
// succeeded, "Use another number" shows a clean phone form, not the
// failure and the typo of before.
func TestStartClearsOldFailure(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	r := b.submit("", url.Values{"phone": {"+31 6 1234"}})
	require.Equalf(t, 422, r.status, "typo = %d", r.status)
	b.started(testPhone, "voice")
	r = b.get("")
	assert.Equalf(t, 200, r.status, "phone form after a start = %d:\n%s", r.status, r.body)
	assert.NotContainsf(t, r.body, `role="alert"`, "phone form after a start = %d:\n%s", r.status, r.body)
	assert.NotContainsf(t, r.body, "6 1234\"", "phone form after a start = %d:\n%s", r.status, r.body)
}
