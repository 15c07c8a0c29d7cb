package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRefusesBadOptions(t *testing.T) {
	v, err := verify.New(fake.New())
	require.NoError(t, err)
	broken := template.Must(template.New("x").Parse(`{{define "success"}}{{.NoSuchField}}{{end}}`))
	tests := []struct {
		name string
		v    *verify.Verifier
		opts []verifyhttp.Option
		want string
	}{
		{"nil verifier", nil, []verifyhttp.Option{verifyhttp.WithSecret(testSecret)}, "verifier is nil"},
		{"no secret", v, nil, "WithSecret is required"},
		{"empty secret list", v, []verifyhttp.Option{verifyhttp.WithSecret()}, "WithSecret is required"},
		{"short secret", v, []verifyhttp.Option{verifyhttp.WithSecret([]byte("short"))}, "key 1 has 5 bytes"},
		{"short old key", v, []verifyhttp.Option{verifyhttp.WithSecret(testSecret, make([]byte, 31))}, "key 2 has 31 bytes"},
		{"nil option", v, []verifyhttp.Option{verifyhttp.WithSecret(testSecret), nil}, "nil option"},
		{"broken template", v, []verifyhttp.Option{verifyhttp.WithSecret(testSecret), verifyhttp.WithTemplates(broken)}, "NoSuchField"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := verifyhttp.New(tt.v, tt.opts...)
			require.Nilf(t, h, "New = %v, %v; want ErrInvalidOption mentioning %q", h, err, tt.want)
			require.ErrorIsf(t, err, verify.ErrInvalidOption, "New = %v, %v; want ErrInvalidOption mentioning %q", h, err, tt.want)
			require.Containsf(t, err.Error(), tt.want, "New = %v, %v; want ErrInvalidOption mentioning %q", h, err, tt.want)
		})
	}
}

func TestFlow(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()

	r := b.get("")
	require.Equalf(t, http.StatusOK, r.status, "GET / = %d, want 200 with the phone form:\n%s", r.status, r.body)
	require.Containsf(t, r.body, `autocomplete="tel"`, "GET / = %d, want 200 with the phone form:\n%s", r.status, r.body)
	got := r.header.Get("Cache-Control")
	assert.Equalf(t, "no-store", got, "Cache-Control = %q, want no-store", got)

	r = b.post("", url.Values{"phone": {"+31 6 1234 5678"}})
	require.Equalf(t, http.StatusSeeOther, r.status, "POST / = %d %q, want 303 to code", r.status, r.location())
	require.Equalf(t, "code", r.location(), "POST / = %d %q, want 303 to code", r.status, r.location())
	var set *http.Cookie
	for _, sc := range r.resp.Cookies() {
		set = sc
	}
	code, _ := e.fake.LastCode(testPhone)
	require.Falsef(t, set == nil || set.Name != "phoneverify" || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Secure || set.Path != "/verify/" || set.MaxAge <= 0, "state cookie = %+v; want HttpOnly, SameSite=Lax, not Secure over plain HTTP, Path=/verify/", set)

	r = b.get("code")
	for _, want := range []string{"We are calling", "31 6 •••• 5678", `autocomplete="one-time-code"`, `inputmode="numeric"`, "10:00", "Text me instead"} {
		assert.Containsf(t, r.body, want, "code page lacks %q", want)
	}
	require.Equalf(t, http.StatusOK, r.status, "GET /code = %d, want 200", r.status)

	r = b.post("code", url.Values{"code": {code[:3] + " " + code[3:]}})
	require.Equalf(t, http.StatusSeeOther, r.status, "POST /code = %d %q, want 303 to done:\n%s", r.status, r.location(), r.body)
	require.Equalf(t, "done", r.location(), "POST /code = %d %q, want 303 to done:\n%s", r.status, r.location(), r.body)
	require.Equalf(t, 1, e.verifiedCount(), "OnVerified got %+v, want one verified %s", e.verified, testPhone)
	require.Equalf(t, testPhone, e.verified[0].Phone, "OnVerified got %+v, want one verified %s", e.verified, testPhone)
	require.Truef(t, e.verified[0].Verified(), "OnVerified got %+v, want one verified %s", e.verified, testPhone)

	r = b.get("done")
	require.Equalf(t, http.StatusOK, r.status, "GET /done = %d:\n%s", r.status, r.body)
	require.Containsf(t, r.body, "Your number is verified", "GET /done = %d:\n%s", r.status, r.body)
	require.Containsf(t, r.body, "31 6 •••• 5678", "GET /done = %d:\n%s", r.status, r.body)
	r = b.get("code")
	assert.Equalf(t, http.StatusSeeOther, r.status, "GET /code after success = %d %q, want 303 to done", r.status, r.location())
	assert.Equalf(t, "done", r.location(), "GET /code after success = %d %q, want 303 to done", r.status, r.location())
}

func TestCookieSecureOnTLS(t *testing.T) {
	e := newEnv(t, envConfig{})
	srv := httptest.NewTLSServer(http.StripPrefix("/verify", e.handler))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/verify/", strings.NewReader("phone=%2B31612345678"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	cs := resp.Cookies()
	require.Equalf(t, http.StatusSeeOther, resp.StatusCode, "over TLS: %d, cookies %+v; want 303 and one Secure cookie for /verify/", resp.StatusCode, cs)
	require.Equalf(t, 1, len(cs), "over TLS: %d, cookies %+v; want 303 and one Secure cookie for /verify/", resp.StatusCode, cs)
	require.Truef(t, cs[0].Secure, "over TLS: %d, cookies %+v; want 303 and one Secure cookie for /verify/", resp.StatusCode, cs)
	require.Equalf(t, "/verify/", cs[0].Path, "over TLS: %d, cookies %+v; want 303 and one Secure cookie for /verify/", resp.StatusCode, cs)
}

func TestStartFailures(t *testing.T) {
	tests := []struct {
		name       string
		form       string
		failNext   error
		wantStatus int
		wantBody   []string
		wantHeader [2]string
	}{
		{"invalid number", "phone=%2B3161", nil, 422, []string{"The number is too short.", `value="&#43;3161"`, `aria-invalid="true"`, `role="alert"`}, [2]string{}},
		{"no country code", "phone=0612345678", nil, 422, []string{"and the country code."}, [2]string{}},
		{"empty", "phone=", nil, 422, []string{"Enter a phone number."}, [2]string{}},
		{"text to a fixed line", "phone=%2B31201234567&channel=sms", nil, 422, []string{"cannot receive text messages", `value="voice" checked`}, [2]string{}},
		{"unknown channel", "phone=%2B31612345678&channel=fax", nil, 400, []string{"The form could not be read"}, [2]string{}},
		{"malformed form", "phone=%zz", nil, 400, []string{"The form could not be read"}, [2]string{}},
		{"too large", "phone=" + strings.Repeat("1", 5000), nil, 413, []string{"too large"}, [2]string{}},
		{"rate limited", "phone=%2B31612345678", &verify.RateLimitError{RetryAfter: 90 * time.Second, Limit: "per number"}, 429, []string{"wait 1 minute and 30 seconds"}, [2]string{"Retry-After", "90"}},
		{"rate limited briefly", "phone=%2B31612345678", &verify.RateLimitError{RetryAfter: 1500 * time.Millisecond}, 429, []string{"wait 2 seconds"}, [2]string{"Retry-After", "2"}},
		{"provider down", "phone=%2B31612345678", verify.ErrUnavailable, 503, []string{"cannot send or check codes right now"}, [2]string{}},
		{"provider garbage", "phone=%2B31612345678", errors.New("boom"), 503, []string{"cannot send or check codes right now"}, [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			if tt.failNext != nil {
				e.fake.FailNext(tt.failNext)
			}
			b := e.browser()
			r := b.follow(b.postRaw("", "application/x-www-form-urlencoded", tt.form, "Sec-Fetch-Site", "same-origin"))
			require.Equalf(t, tt.wantStatus, r.status, "status = %d, want %d:\n%s", r.status, tt.wantStatus, r.body)
			for _, want := range tt.wantBody {
				assert.Containsf(t, r.body, want, "body lacks %q:\n%s", want, r.body)
			}
			h := tt.wantHeader
			assert.Falsef(t, h[0] != "" && r.header.Get(h[0]) != h[1], "%s = %q, want %q", h[0], r.header.Get(h[0]), h[1])
			assert.Nil(t, b.cookie(), "a failed start set the state cookie")
		})
	}
}

func TestCheckFailures(t *testing.T) {
	tests := []struct {
		name       string
		opts       []verify.Option
		act        func(e *env, b *browser, code string) *response
		wantStatus int
		wantBody   []string
		wantForm   bool // the code field is offered again
	}{
		{"wrong code", nil, func(e *env, b *browser, code string) *response {
			return b.submit("code", url.Values{"code": {wrongCode(code)}})
		}, 422, []string{"That code is not right", `aria-invalid="true"`, "31 6 •••• 5678"}, true},
		{"malformed code", nil, func(e *env, b *browser, code string) *response {
			return b.submit("code", url.Values{"code": {"12ab"}})
		}, 422, []string{"Enter the 6-digit code."}, true},
		{"no code", nil, func(e *env, b *browser, code string) *response {
			return b.submit("code", url.Values{})
		}, 422, []string{"Enter the 6-digit code."}, true},
		{"too many wrong codes", []verify.Option{verify.WithMaxAttempts(1)}, func(e *env, b *browser, code string) *response {
			return b.submit("code", url.Values{"code": {wrongCode(code)}})
		}, 410, []string{"Too many wrong codes", "Call me again"}, false},
		{"expired at the provider", nil, func(e *env, b *browser, code string) *response {
			e.fake.Cancel(context.Background(), e.fake.Messages()[0].ID)
			return b.submit("code", url.Values{"code": {code}})
		}, 410, []string{"expired or was already used", "Text me instead"}, false},
		{"expired by the clock", nil, func(e *env, b *browser, code string) *response {
			e.clock.Advance(11 * time.Minute)
			return b.submit("code", url.Values{"code": {code}})
		}, 410, []string{"Your code has expired", "Call me with a new code", "Text me a new code"}, false},
		{"rate limited", nil, func(e *env, b *browser, code string) *response {
			e.fake.FailNext(&verify.RateLimitError{RetryAfter: 30 * time.Second})
			return b.submit("code", url.Values{"code": {code}})
		}, 429, []string{"wait 30 seconds"}, true},
		{"provider down", nil, func(e *env, b *browser, code string) *response {
			e.fake.FailNext(verify.ErrUnavailable)
			return b.submit("code", url.Values{"code": {code}})
		}, 503, []string{"cannot send or check codes"}, true},
		{"malformed form", nil, func(e *env, b *browser, code string) *response {
			return b.follow(b.postRaw("code", "application/x-www-form-urlencoded", "code=%zz"))
		}, 400, []string{"could not be read"}, true},
		{"no cookie", nil, func(e *env, b *browser, code string) *response {
			b.c.Jar, _ = nil, 0
			return b.submit("code", url.Values{"code": {code}})
		}, 200, []string{"Enter your number to start again", `autocomplete="tel"`}, false},
		{"tampered cookie", nil, func(e *env, b *browser, code string) *response {
			v := []byte(b.cookie().Value)
			v[len(v)/2] ^= 1
			if v[len(v)/2] == '-' || v[len(v)/2] == '_' {
				v[len(v)/2] = 'A'
			}
			b.setCookie(string(v))
			return b.submit("code", url.Values{"code": {code}})
		}, 200, []string{"Enter your number to start again", `autocomplete="tel"`}, false},
		{"garbage cookie", nil, func(e *env, b *browser, code string) *response {
			b.setCookie("not%20base64!")
			return b.submit("code", url.Values{"code": {code}})
		}, 200, []string{"Enter your number to start again"}, false},
		{"foreign cookie", nil, func(e *env, b *browser, code string) *response {
			other := newEnv(e.t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithSecret([]byte("another secret of 32 bytes or more!"))}})
			ob := other.browser()
			ob.started(testPhone, "voice")
			b.setCookie(ob.cookie().Value)
			return b.submit("code", url.Values{"code": {code}})
		}, 200, []string{"Enter your number to start again"}, false},
		{"stale state", nil, func(e *env, b *browser, code string) *response {
			e.clock.Advance(10*time.Minute + time.Hour + time.Second)
			return b.submit("code", url.Values{"code": {code}})
		}, 200, []string{"Your verification has ended"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{verifyOpts: tt.opts})
			b := e.browser()
			code := b.started(testPhone, "voice")
			r := tt.act(e, b, code)
			require.Equalf(t, tt.wantStatus, r.status, "status = %d, want %d:\n%s", r.status, tt.wantStatus, r.body)
			for _, want := range tt.wantBody {
				assert.Containsf(t, r.body, want, "body lacks %q:\n%s", want, r.body)
			}
			got := strings.Contains(r.body, `name="code"`)
			assert.Equalf(t, tt.wantForm, got, "code field offered = %v, want %v", got, tt.wantForm)
			n := e.verifiedCount()
			assert.Equalf(t, 0, n, "OnVerified ran %d times after a failed check", n)
		})
	}
}

func TestWrongCodeThenRightCode(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	code := b.started(testPhone, "sms")
	r := b.post("code", url.Values{"code": {wrongCode(code)}})
	require.Equalf(t, 303, r.status, "wrong code: %d %q, want 303 to code", r.status, r.location())
	require.Equalf(t, "code", r.location(), "wrong code: %d %q, want 303 to code", r.status, r.location())
	r = b.get("code")
	require.Equalf(t, 422, r.status, "code page after a wrong code: %d, want 422 with the error", r.status)
	require.Containsf(t, r.body, "That code is not right", "code page after a wrong code: %d, want 422 with the error", r.status)
	r = b.post("code", url.Values{"code": {code}})
	require.Equalf(t, 303, r.status, "right code: %d %q, want 303 to done", r.status, r.location())
	require.Equalf(t, "done", r.location(), "right code: %d %q, want 303 to done", r.status, r.location())
}

func TestGETNeverChangesState(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	b.started(testPhone, "voice")
	before := b.cookie().Value
	sent := len(e.fake.Messages())
	for _, path := range []string{"", "code", "done", "?e=session_invalid", "resend", "api/start"} {
		r := b.get(path)
		assert.Equalf(t, 0, len(r.resp.Cookies()), "GET /%s set a cookie", path)
		assert.Falsef(t, r.status >= 500, "GET /%s = %d", path, r.status)
	}
	require.Equal(t, before, b.cookie().Value, "a GET changed the state or reached the provider")
	require.Equal(t, sent, len(e.fake.Messages()), "a GET changed the state or reached the provider")
	require.Equal(t, 0, e.verifiedCount(), "a GET changed the state or reached the provider")
}

func TestSuccessNeedsACheck(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	r := b.get("done")
	require.Equalf(t, http.StatusSeeOther, r.status, "GET /done with no state = %d %q, want 303 to ./", r.status, r.location())
	require.Equalf(t, "./", r.location(), "GET /done with no state = %d %q, want 303 to ./", r.status, r.location())
	b.started(testPhone, "voice")
	r = b.get("done")
	require.Equalf(t, http.StatusSeeOther, r.status, "GET /done before the check = %d %q, want 303 to ./", r.status, r.location())
	require.Equalf(t, "./", r.location(), "GET /done before the check = %d %q, want 303 to ./", r.status, r.location())
	// Verified states expire: the success page is not a permanent badge.
	code, _ := e.fake.LastCode(testPhone)
	b.post("code", url.Values{"code": {code}})
	e.clock.Advance(16 * time.Minute)
	r = b.get("done")
	require.Equalf(t, http.StatusSeeOther, r.status, "GET /done long after = %d, want 303", r.status)
}

func TestCodePageWithoutState(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	r := b.get("code")
	require.Equalf(t, http.StatusSeeOther, r.status, "GET /code with no state = %d %q", r.status, r.location())
	require.Equalf(t, "./?e=session_invalid", r.location(), "GET /code with no state = %d %q", r.status, r.location())
	r = b.get("?e=session_invalid")
	require.Equalf(t, 200, r.status, "phone form after a lost state = %d:\n%s", r.status, r.body)
	require.Containsf(t, r.body, "Enter your number to start again", "phone form after a lost state = %d:\n%s", r.status, r.body)
	// Anything else in the query is ignored: nothing is reflected.
	r = b.get("?e=%3Cscript%3Einjected")
	require.NotContainsf(t, r.body, "role=\"alert\"", "unknown error code shown:\n%s", r.body)
	require.NotContainsf(t, r.body, "injected", "unknown error code shown:\n%s", r.body)
	b.started(testPhone, "voice")
	e.clock.Advance(11 * time.Minute)
	r = b.get("code")
	require.Equalf(t, http.StatusGone, r.status, "GET /code after expiry = %d, want 410 offering a new code:\n%s", r.status, r.body)
	require.NotContainsf(t, r.body, `name="code"`, "GET /code after expiry = %d, want 410 offering a new code:\n%s", r.status, r.body)
	require.Containsf(t, r.body, "Call me again", "GET /code after expiry = %d, want 410 offering a new code:\n%s", r.status, r.body)
}

func TestCrossOriginRefused(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		ctype   string
		body    string
		headers []string
		json    bool
	}{
		{"form, cross-site fetch metadata", "", "application/x-www-form-urlencoded", "phone=%2B31612345678", []string{"Sec-Fetch-Site", "cross-site"}, false},
		{"form, foreign origin", "", "application/x-www-form-urlencoded", "phone=%2B31612345678", []string{"Origin", "https://evil.example"}, false},
		{"check", "code", "application/x-www-form-urlencoded", "code=123456", []string{"Sec-Fetch-Site", "same-site"}, false},
		{"resend", "resend", "application/x-www-form-urlencoded", "", []string{"Sec-Fetch-Site", "cross-site"}, false},
		{"api", "api/start", "application/json", `{"phone":"+31612345678"}`, []string{"Sec-Fetch-Site", "cross-site"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			b := e.browser()
			r := b.postRaw(tt.path, tt.ctype, tt.body, tt.headers...)
			require.Equalf(t, http.StatusForbidden, r.status, "status = %d, want 403:\n%s", r.status, r.body)
			if tt.json {
				assert.Containsf(t, r.body, `"code":"cross_origin"`, "body = %s, want the cross_origin error", r.body)
			} else {
				assert.Contains(t, r.body, "sent from another site", "body lacks the explanation")
			}
			assert.False(t, len(e.fake.Messages()) != 0 || b.cookie() != nil, "a cross-origin request reached the provider or set state")
		})
	}
}

// TestDoubleSubmit submits the right code from many requests at once:
// OnVerified runs once, exactly one request ends on the success page, and
// the others are told the code was already used (409) or, past the
// Verifier's cap on checks (5 by default), too many attempts (410).
// Each request carries the state from before the check, as the submits of
// a double click do.
func TestDoubleSubmit(t *testing.T) {
	for round := range 20 {
		e := newEnv(t, envConfig{})
		first := e.browser()
		code := first.started(testPhone, "voice")
		const n = 6
		browsers := make([]*browser, n)
		for i := range browsers {
			browsers[i] = e.browser()
			browsers[i].setCookie(first.cookie().Value)
		}
		results := make([]*response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { results[i] = browsers[i].submit("code", url.Values{"code": {code}}) })
		}
		wg.Wait()
		got := e.verifiedCount()
		require.Equalf(t, 1, got, "round %d: OnVerified ran %d times, want 1", round, got)
		winners, winner := 0, -1
		for i, r := range results {
			switch {
			case r.status == http.StatusSeeOther && r.location() == "done":
				winners, winner = winners+1, i
			case r.status == http.StatusConflict && strings.Contains(r.body, "This code was already used"):
			case r.status == http.StatusGone && strings.Contains(r.body, "Too many wrong codes"):
			default:
				require.FailNowf(t, "unexpected answer", "round %d: request %d = %d %q, want 303 to done, 409 already_used or 410 too_many_attempts:\n%s", round, i, r.status, r.location(), r.body)
			}
			require.Falsef(t, r.status != http.StatusSeeOther && len(r.header.Values("Set-Cookie")) != 0, "round %d: request %d = %d set a cookie", round, i, r.status)
		}
		require.Equalf(t, 1, winners, "round %d: %d requests ended on the success page, want 1", round, winners)
		for i, b := range browsers {
			want := http.StatusSeeOther
			if i == winner {
				want = http.StatusOK
			}
			r := b.get("done")
			require.Equalf(t, want, r.status, "round %d: GET /done from request %d's browser = %d, want %d", round, i, r.status, want)
		}
	}
}

func TestOnVerifiedMayRespond(t *testing.T) {
	e := newEnv(t, envConfig{})
	e.onVer = func(w http.ResponseWriter, r *http.Request, v *verify.Verification) {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
	}
	b := e.browser()
	code := b.started(testPhone, "voice")
	r := b.post("code", url.Values{"code": {code}})
	require.Equalf(t, http.StatusSeeOther, r.status, "POST /code = %d %q, want OnVerified's redirect to /account", r.status, r.location())
	require.Equalf(t, "/account", r.location(), "POST /code = %d %q, want OnVerified's redirect to /account", r.status, r.location())
}

func TestResend(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	first := b.started(testPhone, "voice")

	r := b.post("resend", url.Values{"channel": {"sms"}})
	require.Equalf(t, http.StatusSeeOther, r.status, "POST /resend = %d %q, want 303 to code", r.status, r.location())
	require.Equalf(t, "code", r.location(), "POST /resend = %d %q, want 303 to code", r.status, r.location())
	msgs := e.fake.Messages()
	require.Equalf(t, 2, len(msgs), "messages = %+v, want a second one by SMS to %s", msgs, testPhone)
	require.Equalf(t, verify.SMS, msgs[1].Channel, "messages = %+v, want a second one by SMS to %s", msgs, testPhone)
	require.Equalf(t, testPhone, msgs[1].Phone, "messages = %+v, want a second one by SMS to %s", msgs, testPhone)
	r = b.get("code")
	assert.Containsf(t, r.body, "We sent a text with a code to", "code page after switching to SMS:\n%s", r.body)
	assert.Containsf(t, r.body, "Call me instead", "code page after switching to SMS:\n%s", r.body)
	// The old code no longer works; the new one does.
	second := msgs[1].Code
	if first != second {
		r := b.submit("code", url.Values{"code": {first}})
		require.Equalf(t, 422, r.status, "old code = %d, want 422", r.status)
	}
	ver, err := e.fake.Status(context.Background(), msgs[0].ID)
	assert.Falsef(t, err != nil || ver.Status != verify.StatusCanceled, "the first verification is %v, %v; want canceled", ver, err)
	// Too soon on the same channel: the Verifier's cooldown answers.
	r = b.submit("resend", url.Values{})
	require.Equalf(t, http.StatusTooManyRequests, r.status, "resend too soon = %d, Retry-After %q:\n%s", r.status, r.header.Get("Retry-After"), r.body)
	require.Equalf(t, "30", r.header.Get("Retry-After"), "resend too soon = %d, Retry-After %q:\n%s", r.status, r.header.Get("Retry-After"), r.body)
	require.Containsf(t, r.body, "You can ask for a new code in 30 seconds.", "resend too soon = %d, Retry-After %q:\n%s", r.status, r.header.Get("Retry-After"), r.body)
	// No channel: the same as before.
	e.clock.Advance(31 * time.Second)
	b.post("resend", url.Values{})
	msgs = e.fake.Messages()
	assert.Equalf(t, verify.SMS, msgs[2].Channel, "resend without channel used %s, want sms", msgs[2].Channel)
	r = b.post("code", url.Values{"code": {msgs[2].Code}})
	require.Equalf(t, 303, r.status, "new code = %d, want 303", r.status)
}

func TestResendFailures(t *testing.T) {
	tests := []struct {
		name       string
		phone      string
		form       url.Values
		fail       error
		wantStatus int
		want       string
	}{
		{"rate limited", testPhone, url.Values{}, &verify.RateLimitError{RetryAfter: 45 * time.Second}, 429, "You can ask for a new code in 45 seconds."},
		{"provider down", testPhone, url.Values{}, verify.ErrUnavailable, 503, "cannot send or check codes"},
		{"text to a fixed line", "+31201234567", url.Values{"channel": {"sms"}}, nil, 422, "cannot receive text messages"},
		{"unknown channel", testPhone, url.Values{"channel": {"pigeon"}}, nil, 400, "could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			b := e.browser()
			r := b.post("", url.Values{"phone": {tt.phone}})
			require.Equalf(t, 303, r.status, "start = %d", r.status)
			e.clock.Advance(31 * time.Second) // past the resend cooldown
			if tt.fail != nil {
				e.fake.FailNext(tt.fail)
			}
			r = b.submit("resend", tt.form)
			require.Equalf(t, tt.wantStatus, r.status, "POST /resend = %d, want %d with %q:\n%s", r.status, tt.wantStatus, tt.want, r.body)
			require.Containsf(t, r.body, tt.want, "POST /resend = %d, want %d with %q:\n%s", r.status, tt.wantStatus, tt.want, r.body)
			assert.Contains(t, r.body, `name="code"`, "the code field is gone although the first code still works")
			// The verification is the one from before: its code works.
			r = b.post("code", url.Values{"code": {e.fake.Messages()[0].Code}})
			assert.Equalf(t, http.StatusSeeOther, r.status, "the first code after a failed resend = %d %q, want 303 to done", r.status, r.location())
			assert.Equalf(t, "done", r.location(), "the first code after a failed resend = %d %q, want 303 to done", r.status, r.location())
		})
	}
	t.Run("no state", func(t *testing.T) {
		e := newEnv(t, envConfig{})
		r := e.browser().submit("resend", url.Values{})
		require.Equalf(t, 200, r.status, "POST /resend without state = %d, want the phone form saying why", r.status)
		require.Containsf(t, r.body, `autocomplete="tel"`, "POST /resend without state = %d, want the phone form saying why", r.status)
		require.Containsf(t, r.body, "start again", "POST /resend without state = %d, want the phone form saying why", r.status)
	})
}

func TestRouting(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	tests := []struct {
		method, path string
		want         int
		location     string
	}{
		{"GET", "nope", 404, ""},
		{"PUT", "", 405, ""},
		{"DELETE", "code", 405, ""},
		{"GET", "api/check", 405, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, e.base+tt.path, nil)
		r := b.do(req)
		assert.Equalf(t, tt.want, r.status, "%s /%s = %d, want %d", tt.method, tt.path, r.status, tt.want)
	}
	// The mount point without its slash redirects to it, so that the
	// pages' relative links work.
	req, _ := http.NewRequest("GET", e.srv.URL+"/verify", nil)
	rec := httptest.NewRecorder()
	req.RequestURI = "/verify"
	http.StripPrefix("/verify", e.handler).ServeHTTP(rec, req)
	assert.Equalf(t, http.StatusTemporaryRedirect, rec.Code, "GET /verify = %d %q, want 307 to verify/", rec.Code, rec.Header().Get("Location"))
	assert.Equalf(t, "verify/", rec.Header().Get("Location"), "GET /verify = %d %q, want 307 to verify/", rec.Code, rec.Header().Get("Location"))
}

func TestMountedAtRoot(t *testing.T) {
	e := newEnv(t, envConfig{})
	srv := httptest.NewServer(e.handler)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("phone=%2B31612345678"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	cs := resp.Cookies()
	require.Equalf(t, 303, resp.StatusCode, "mounted at /: %d, cookies %+v; want 303 and Path=/", resp.StatusCode, cs)
	require.Equalf(t, 1, len(cs), "mounted at /: %d, cookies %+v; want 303 and Path=/", resp.StatusCode, cs)
	require.Equalf(t, "/", cs[0].Path, "mounted at /: %d, cookies %+v; want 303 and Path=/", resp.StatusCode, cs)
}

func TestClientIPReachesTheVerifier(t *testing.T) {
	var got []string
	var mu sync.Mutex
	ip := func(r *http.Request) string {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Header.Get("X-Test-Client"))
		return r.Header.Get("X-Test-Client")
	}
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithClientIP(ip)}})
	b := e.browser()
	b.post("", url.Values{"phone": {testPhone}}, "X-Test-Client", "198.51.100.7")
	e.clock.Advance(31 * time.Second) // past the resend cooldown
	b.post("resend", url.Values{}, "X-Test-Client", "198.51.100.8")
	require.Equalf(t, 2, len(got), "WithClientIP was asked for %v, want one call per start", got)
	require.Equalf(t, "198.51.100.7", got[0], "WithClientIP was asked for %v, want one call per start", got)
	require.Equalf(t, "198.51.100.8", got[1], "WithClientIP was asked for %v, want one call per start", got)
}

func TestKeyRotation(t *testing.T) {
	old := newEnv(t, envConfig{})
	b := old.browser()
	code := b.started(testPhone, "voice")
	newKey := []byte("a brand new key of thirty-two bytes!")

	// A handler with the new key first and the old one second opens the
	// old state, on the same provider.
	v, _ := verify.New(old.fake)
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(newKey, testSecret))
	require.NoError(t, err)
	verifyhttp.SetClock(h, old.clock.Now)
	mux := http.NewServeMux()
	mux.Handle("/verify/", http.StripPrefix("/verify", h))
	old.srv.Config.Handler = mux
	r := b.post("code", url.Values{"code": {code}})
	require.Equalf(t, 303, r.status, "check with a rotated key = %d %q", r.status, r.location())
	require.Equalf(t, "done", r.location(), "check with a rotated key = %d %q", r.status, r.location())
	// The new key sealed the verified state: without the old key it still opens.
	h2, _ := verifyhttp.New(v, verifyhttp.WithSecret(newKey))
	verifyhttp.SetClock(h2, old.clock.Now)
	mux2 := http.NewServeMux()
	mux2.Handle("/verify/", http.StripPrefix("/verify", h2))
	old.srv.Config.Handler = mux2
	r = b.get("done")
	require.Equalf(t, 200, r.status, "success page under the new key alone = %d", r.status)
}

func TestLogsHideCodesAndNumbers(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithLogger(logger)}, verifyOpts: []verify.Option{verify.WithLogger(logger)}})
	b := e.browser()
	code := b.started(testPhone, "voice")
	b.post("code", url.Values{"code": {wrongCode(code)}})
	e.fake.FailNext(verify.ErrUnavailable)
	b.post("code", url.Values{"code": {code}})
	b.setCookie("tampered")
	b.post("code", url.Values{"code": {code}})
	out := buf.String()
	require.Containsf(t, out, "verifyhttp: state cookie refused", "expected handler logs, got:\n%s", out)
	require.Containsf(t, out, "verifyhttp: check failed", "expected handler logs, got:\n%s", out)
	require.NotContainsf(t, out, code, "logs reveal a code, number or secret:\n%s", out)
	require.NotContainsf(t, out, testPhone, "logs reveal a code, number or secret:\n%s", out)
	require.NotContainsf(t, out, string(testSecret), "logs reveal a code, number or secret:\n%s", out)
}

func TestTemplatesReplaceable(t *testing.T) {
	nl := template.Must(template.New("nl").Parse(`{{define "lang"}}nl{{end}}` +
		`{{define "error_message"}}{{if eq .Code "invalid_code"}}Die code klopt niet.{{else}}{{.Message}}{{end}}{{end}}`))
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithTemplates(nl)}})
	b := e.browser()
	code := b.started(testPhone, "voice")
	r := b.submit("code", url.Values{"code": {wrongCode(code)}})
	require.Equalf(t, 422, r.status, "translated page = %d:\n%s", r.status, r.body)
	require.Containsf(t, r.body, `<html lang="nl"`, "translated page = %d:\n%s", r.status, r.body)
	require.Containsf(t, r.body, "Die code klopt niet.", "translated page = %d:\n%s", r.status, r.body)
	// The defaults fill in everything else.
	assert.Contains(t, r.body, `autocomplete="one-time-code"`, "default code page missing")
	// DefaultTemplates is a fresh copy each time.
	d := verifyhttp.DefaultTemplates()
	template.Must(d.Parse(`{{define "lang"}}de{{end}}`))
	var out bytes.Buffer
	err := verifyhttp.DefaultTemplates().ExecuteTemplate(&out, "lang", &verifyhttp.Page{Lang: "fr"})
	require.Nilf(t, err, "DefaultTemplates shares state: %q, %v", out.String(), err)
	require.Equalf(t, "fr", out.String(), "DefaultTemplates shares state: %q, %v", out.String(), err)
}

// apiCall posts a JSON body to the API.
func apiCall(t *testing.T, b *browser, path string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	r := b.postRaw("api/"+path, "application/json", string(raw))
	var out map[string]any
	err = json.Unmarshal([]byte(r.body), &out)
	require.NoErrorf(t, err, "POST /api/%s = %d, not JSON: %q", path, r.status, r.body)
	ct := r.header.Get("Content-Type")
	assert.Equalf(t, "application/json", ct, "Content-Type = %q", ct)
	return r.status, out, r.header
}

func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// TestSendOnceTemplate: the guard that sends each form once is its own
// template, so an app that replaces "foot" keeps it by calling
// "send_once", and can leave it out only on purpose.
func TestSendOnceTemplate(t *testing.T) {
	const guard = `document.addEventListener("submit"`
	tests := []struct {
		name      string
		templates string // "" for the defaults
		want      bool
	}{
		{"defaults", "", true},
		{"foot replaced, calls send_once", `{{define "foot"}}</main><footer>Acme</footer>{{template "send_once" .}}</body></html>{{end}}`, true},
		{"send_once replaced", `{{define "send_once"}}{{end}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg envConfig
			if tt.templates != "" {
				cfg.httpOpts = []verifyhttp.Option{verifyhttp.WithTemplates(template.Must(template.New("app").Parse(tt.templates)))}
			}
			e := newEnv(t, cfg)
			for _, path := range []string{"", "?e=session_expired"} {
				r := e.browser().get(path)
				require.Equalf(t, http.StatusOK, r.status, "GET /%s = %d:\n%s", path, r.status, r.body)
				got := strings.Count(r.body, guard)
				require.Equalf(t, map[bool]int{false: 0, true: 1}[tt.want], got, "GET /%s has the guard %d times, want it: %v\n%s", path, got, tt.want, r.body)
			}
		})
	}
}

func TestAPIFlow(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	status, out, _ := apiCall(t, b, "start", map[string]string{"phone": "+31 6 12345678", "channel": "sms"})
	require.Equalf(t, 200, status, "start = %d %v", status, out)
	require.Equalf(t, "sms", out["channel"], "start = %d %v", status, out)
	require.Equalf(t, "+31 6 •••• 5678", out["phone_masked"], "start = %d %v", status, out)
	require.Equalf(t, "2026-03-04T10:10:00Z", out["expires_at"], "start = %d %v", status, out)
	token := out["token"].(string)
	assert.Nil(t, b.cookie(), "the API set a cookie")
	code, _ := e.fake.LastCode(testPhone)

	status, out, _ = apiCall(t, b, "check", map[string]string{"token": token, "code": wrongCode(code)})
	require.Equalf(t, 422, status, "wrong code = %d %v", status, out)
	require.Equalf(t, "invalid_code", errorCode(out), "wrong code = %d %v", status, out)
	require.NotEmptyf(t, out["error"].(map[string]any)["message"], "wrong code = %d %v", status, out)
	status, out, _ = apiCall(t, b, "resend", map[string]string{"token": token, "channel": "voice"})
	require.Equalf(t, 200, status, "resend = %d %v", status, out)
	require.Equalf(t, "voice", out["channel"], "resend = %d %v", status, out)
	require.NotEqualf(t, token, out["token"], "resend = %d %v", status, out)
	token = out["token"].(string)
	code, _ = e.fake.LastCode(testPhone)
	status, out, _ = apiCall(t, b, "check", map[string]string{"token": token, "code": code})
	require.Equalf(t, 200, status, "check = %d %v (OnVerified %d times)", status, out, e.verifiedCount())
	require.Equalf(t, true, out["verified"], "check = %d %v (OnVerified %d times)", status, out, e.verifiedCount())
	require.Equalf(t, testPhone, out["phone"], "check = %d %v (OnVerified %d times)", status, out, e.verifiedCount())
	require.Equalf(t, 1, e.verifiedCount(), "check = %d %v (OnVerified %d times)", status, out, e.verifiedCount())
	// A second submit of the same token and code is told the code was
	// used, and does not run OnVerified again.
	status, out, _ = apiCall(t, b, "check", map[string]string{"token": token, "code": code})
	_, ok := out["verified"]
	require.Falsef(t, status != http.StatusConflict || ok || errorCode(out) != "already_used" || e.verifiedCount() != 1, "second check = %d %v (OnVerified %d times)", status, out, e.verifiedCount())
}

func TestAPIFailures(t *testing.T) {
	const token, cookie = "$token", "$cookie" // replaced by a fresh token or state cookie
	tests := []struct {
		name     string
		path     string
		body     map[string]string
		fail     error
		advance  time.Duration
		status   int
		code     string
		retry    string
		wantMore string
	}{
		{"invalid number", "start", map[string]string{"phone": "+3161"}, nil, 0, 422, "invalid_phone", "", `"reason":"the number is too short","reason_code":"too_short"`},
		{"sms to fixed line", "start", map[string]string{"phone": "+31201234567", "channel": "sms"}, nil, 0, 422, "unsupported", "", ""},
		{"unknown channel", "start", map[string]string{"phone": testPhone, "channel": "fax"}, nil, 0, 400, "invalid_request", "", ""},
		{"unknown field", "start", map[string]string{"phone": testPhone, "phon": "x"}, nil, 0, 400, "invalid_request", "", ""},
		{"rate limited", "start", map[string]string{"phone": "+31687654321"}, &verify.RateLimitError{RetryAfter: 61 * time.Second}, 0, 429, "rate_limited", "61", `"retry_after":61`},
		{"provider down", "start", map[string]string{"phone": "+31687654321"}, verify.ErrUnavailable, 0, 503, "unavailable", "", ""},
		{"bad token", "check", map[string]string{"token": "AAAA", "code": "123456"}, nil, 0, 400, "invalid_token", "", ""},
		{"cookie as token", "check", map[string]string{"token": cookie, "code": "123456"}, nil, 0, 400, "invalid_token", "", ""},
		{"expired", "check", map[string]string{"token": token, "code": "123456"}, nil, 11 * time.Minute, 410, "expired", "", ""},
		{"check rate limited", "check", map[string]string{"token": token, "code": "123456"}, &verify.RateLimitError{RetryAfter: 7 * time.Second}, 0, 429, "rate_limited", "7", ""},
		{"stale token", "resend", map[string]string{"token": token}, nil, 2 * time.Hour, 410, "token_expired", "", ""},
		{"resend too soon", "resend", map[string]string{"token": token}, nil, 0, 429, "rate_limited", "30", `"retry_after":30`},
		{"resend rate limited", "resend", map[string]string{"token": token}, &verify.RateLimitError{RetryAfter: 5 * time.Second}, 31 * time.Second, 429, "rate_limited", "5", ""},
		{"resend bad channel", "resend", map[string]string{"token": token, "channel": "x"}, nil, 0, 400, "invalid_request", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			b := e.browser()
			_, out, _ := apiCall(t, b, "start", map[string]string{"phone": testPhone})
			b.started(testPhone, "sms")
			for k, v := range tt.body {
				switch v {
				case token:
					tt.body[k] = out["token"].(string)
				case cookie:
					tt.body[k] = b.cookie().Value
				}
			}
			e.clock.Advance(tt.advance)
			if tt.fail != nil {
				e.fake.FailNext(tt.fail)
			}
			raw, _ := json.Marshal(tt.body)
			r := b.postRaw("api/"+tt.path, "application/json", string(raw))
			require.Equalf(t, tt.status, r.status, "= %d %s; want %d %s %s", r.status, r.body, tt.status, tt.code, tt.wantMore)
			require.Containsf(t, r.body, `"code":"`+tt.code+`"`, "= %d %s; want %d %s %s", r.status, r.body, tt.status, tt.code, tt.wantMore)
			require.Containsf(t, r.body, tt.wantMore, "= %d %s; want %d %s %s", r.status, r.body, tt.status, tt.code, tt.wantMore)
			got := r.header.Get("Retry-After")
			assert.Equalf(t, tt.retry, got, "Retry-After = %q, want %q", got, tt.retry)
		})
	}

	e := newEnv(t, envConfig{})
	b := e.browser()
	raws := []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"form body", "application/x-www-form-urlencoded", "phone=%2B31612345678", 415, "unsupported_media_type"},
		{"no content type", "", `{"phone":"+31612345678"}`, 415, "unsupported_media_type"},
		{"not JSON", "application/json", `{"phone":`, 400, "invalid_request"},
		{"two objects", "application/json", `{"phone":"+31612345678"}{}`, 400, "invalid_request"},
		{"too large", "application/json", `{"phone":"` + strings.Repeat("1", 5000) + `"}`, 413, "too_large"},
		{"charset is fine", "application/json; charset=utf-8", `{"phone":"+3161"}`, 422, "invalid_phone"},
	}
	for _, tt := range raws {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postRaw("api/start", tt.ctype, tt.body)
			require.Equalf(t, tt.status, r.status, "= %d %s; want %d %s", r.status, r.body, tt.status, tt.code)
			require.Containsf(t, r.body, `"code":"`+tt.code+`"`, "= %d %s; want %d %s", r.status, r.body, tt.status, tt.code)
		})
	}
}

// TestAPIDoubleSubmit: of many checks of the right code at once, one
// answers verified with the number; the others already_used (409) or,
// past the Verifier's cap, too_many_attempts (410).
func TestAPIDoubleSubmit(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	_, out, _ := apiCall(t, b, "start", map[string]string{"phone": testPhone})
	body, _ := json.Marshal(map[string]string{"token": out["token"].(string), "code": func() string { c, _ := e.fake.LastCode(testPhone); return c }()})
	const n = 6 // one more than the Verifier's cap on checks
	results := make([]*response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = b.postRaw("api/check", "application/json", string(body)) })
	}
	wg.Wait()
	got := e.verifiedCount()
	require.Equalf(t, 1, got, "OnVerified ran %d times, want 1", got)
	var winners int
	for i, r := range results {
		switch got := strings.TrimSpace(r.body); {
		case r.status == http.StatusOK && got == `{"verified":true,"phone":"`+testPhone+`"}`:
			winners++
		case r.status == http.StatusConflict && strings.HasPrefix(got, `{"error":{"code":"already_used",`):
		case r.status == http.StatusGone && strings.HasPrefix(got, `{"error":{"code":"too_many_attempts",`):
		default:
			require.FailNowf(t, "unexpected answer", "request %d = %d %s", i, r.status, got)
		}
	}
	require.Equalf(t, 1, winners, "%d answers say verified, want 1", winners)
}
