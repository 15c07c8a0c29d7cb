package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lateAnswer is a provider whose Start and Check do their work at once,
// then hold their answer until released: the answer of a provider that
// was slow to reply. Released, it answers as its context then stands: an
// error if the context ended meanwhile, as a real client would.
type lateAnswer struct {
	*fake.Provider
	hold    atomic.Bool
	entered chan struct{} // one value per held call
	release chan struct{} // a value lets one held call answer
	status  atomic.Int32  // Status calls
}

func newLateAnswer() *lateAnswer {
	return &lateAnswer{Provider: fake.New(), entered: make(chan struct{}, 8), release: make(chan struct{})}
}

func (p *lateAnswer) wait(ctx context.Context) error {
	if !p.hold.Load() {
		return nil
	}
	p.entered <- struct{}{}
	select {
	case <-p.release:
	case <-time.After(hangLimit): // the test gave up
	}
	return ctx.Err()
}

func (p *lateAnswer) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	ver, err := p.Provider.Start(ctx, req)
	if werr := p.wait(ctx); werr != nil {
		return nil, werr
	}
	return ver, err
}

func (p *lateAnswer) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	ver, err := p.Provider.Check(ctx, id, code)
	if werr := p.wait(ctx); werr != nil {
		return nil, werr
	}
	return ver, err
}

func (p *lateAnswer) Status(ctx context.Context, id string) (*verify.Verification, error) {
	p.status.Add(1)
	return p.Provider.Status(ctx, id)
}

// handlerOn returns a handler on p, mounted at its root, whose OnVerified
// runs f.
func handlerOn(t *testing.T, p verify.Provider, f func(http.ResponseWriter, *http.Request, *verify.Verification)) http.Handler {
	t.Helper()
	v, err := verify.New(p)
	require.NoError(t, err)
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithOnVerified(f))
	require.NoError(t, err)
	return h
}

// serveWith sends one request straight to h, under ctx, and returns the
// response as the handler wrote it (which a client that went away would
// not see).
func serveWith(ctx context.Context, h http.Handler, path, contentType, body string, c *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func stateCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == "phoneverify" {
			return c
		}
	}
	require.FailNowf(t, "no state cookie", "status %d:\n%s", rec.Code, rec.Body)
	return nil
}

// pageAfter follows a failed POST of the pages as a browser does
// (Post/Redirect/Get): it fails t unless rec redirects to the form and
// leaves the state cookie alone, then returns the form as shown with the
// state cookie st and the flash cookie rec set.
func pageAfter(t *testing.T, h http.Handler, rec *httptest.ResponseRecorder, st *http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	loc := rec.Header().Get("Location")
	require.Falsef(t, rec.Code != http.StatusSeeOther || (loc != "code" && !strings.HasPrefix(loc, "./")), "failed POST = %d %q, want 303 back to the form:\n%s", rec.Code, loc, rec.Body)
	req := httptest.NewRequest(http.MethodGet, "/"+strings.TrimPrefix(loc, "./"), nil)
	if st != nil {
		req.AddCookie(st)
	}
	for _, c := range rec.Result().Cookies() {
		require.NotEqualf(t, "phoneverify", c.Name, "failed POST set the state cookie")
		req.AddCookie(c)
	}
	page := httptest.NewRecorder()
	h.ServeHTTP(page, req)
	return page
}

// hangLimit bounds each wait of a test for another goroutine: a handler
// that never reaches the provider, or never answers, fails the test
// within seconds instead of hanging it.
const hangLimit = 10 * time.Second

// abortedDuringProviderCall sends a request under a context that is
// canceled while the provider holds its answer, as a browser cancels the
// first submit of a double click; the provider answers afterwards.
func abortedDuringProviderCall(t *testing.T, p *lateAnswer, send func(ctx context.Context) *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	t.Helper()
	p.hold.Store(true)
	defer p.hold.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- send(ctx) }()
	select {
	case <-p.entered:
	case rec := <-done:
		require.FailNowf(t, "the request was answered without calling the provider", "%d:\n%s", rec.Code, rec.Body)
	case <-time.After(hangLimit):
		require.FailNowf(t, "the request did not reach the provider", "within %v", hangLimit)
	}
	cancel()
	p.release <- struct{}{} // the provider waits for it since it entered
	select {
	case rec := <-done:
		return rec
	case <-time.After(hangLimit):
		require.FailNowf(t, "no answer", "within %v of the provider's", hangLimit)
		return nil
	}
}

// TestCheckOutlivesAbortedRequest: the browser cancels the first submit of
// the right code after the provider accepted it. The check is seen
// through, so OnVerified runs in that request, under a context the abort
// did not end, and the second submit is told the code was already used
// (409), without the success page.
func TestCheckOutlivesAbortedRequest(t *testing.T) {
	for _, api := range []bool{false, true} {
		name := map[bool]string{false: "pages", true: "api"}[api]
		t.Run(name, func(t *testing.T) {
			p := newLateAnswer()
			var onVerified []string // the X-Attempt of each request that ran it
			var ctxErr error
			h := handlerOn(t, p, func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
				onVerified = append(onVerified, r.Header.Get("X-Attempt"))
				ctxErr = r.Context().Err() // a database call would fail with it
			})
			send := func(ctx context.Context, attempt string, st *http.Cookie, token, code string) *httptest.ResponseRecorder {
				var req *http.Request
				if api {
					body, _ := json.Marshal(map[string]string{"token": token, "code": code})
					req = httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/check", strings.NewReader(string(body)))
					req.Header.Set("Content-Type", "application/json")
				} else {
					req = httptest.NewRequestWithContext(ctx, http.MethodPost, "/code", strings.NewReader(url.Values{"code": {code}}.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.AddCookie(st)
				}
				req.Header.Set("X-Attempt", attempt)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			var st *http.Cookie
			var token string
			if api {
				rec := serveWith(context.Background(), h, "/api/start", "application/json", `{"phone":"`+testPhone+`"}`, nil)
				var out struct{ Token string }
				err := json.Unmarshal(rec.Body.Bytes(), &out)
				require.Nilf(t, err, "start: %d %s", rec.Code, rec.Body)
				require.NotEmptyf(t, out.Token, "start: %d %s", rec.Code, rec.Body)
				token = out.Token
			} else {
				st = stateCookie(t, serveWith(context.Background(), h, "/", "application/x-www-form-urlencoded", "phone=%2B31612345678", nil))
			}
			code, _ := p.LastCode(testPhone)

			first := abortedDuringProviderCall(t, p, func(ctx context.Context) *httptest.ResponseRecorder {
				return send(ctx, "first", st, token, code)
			})
			require.Equalf(t, 1, len(onVerified), "OnVerified ran for %q, want once, for the first request (answered %d)", onVerified, first.Code)
			require.Equalf(t, "first", onVerified[0], "OnVerified ran for %q, want once, for the first request (answered %d)", onVerified, first.Code)
			require.Nilf(t, ctxErr, "OnVerified ran under an ended context: %v", ctxErr)
			second := send(context.Background(), "second", st, token, code)
			assertAlreadyUsed(t, h, second, st, api)
			require.Equalf(t, 1, len(onVerified), "OnVerified ran %d times, want 1", len(onVerified))
		})
	}
}

// TestStartOutlivesAbortedRequest: the browser cancels "Send me a code"
// or a resend after the provider sent the code. The handler sees the
// start through: the state it seals names the verification whose code
// was sent, and a resend cancels the one it replaces.
func TestStartOutlivesAbortedRequest(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	p := newLateAnswer()
	h := handlerOn(t, p, func(http.ResponseWriter, *http.Request, *verify.Verification) {})

	rec := abortedDuringProviderCall(t, p, func(ctx context.Context) *httptest.ResponseRecorder {
		return serveWith(ctx, h, "/", form, "phone=%2B31612345678&channel=voice", nil)
	})
	require.Equalf(t, http.StatusSeeOther, rec.Code, "aborted start = %d, want 303 with the state:\n%s", rec.Code, rec.Body)
	first := stateCookie(t, rec)
	firstCode, _ := p.LastCode(testPhone)

	rec = abortedDuringProviderCall(t, p, func(ctx context.Context) *httptest.ResponseRecorder {
		return serveWith(ctx, h, "/resend", form, "channel=sms", first)
	})
	require.Equalf(t, http.StatusSeeOther, rec.Code, "aborted resend = %d, want 303 with the state:\n%s", rec.Code, rec.Body)
	second := stateCookie(t, rec)
	code, _ := p.LastCode(testPhone)
	msgs := p.Messages()
	require.Equalf(t, 2, len(msgs), "messages = %+v, want a call then a text", msgs)
	require.Equalf(t, verify.SMS, msgs[1].Channel, "messages = %+v, want a call then a text", msgs)
	// The resend canceled the first verification...
	if firstCode != code {
		rec := pageAfter(t, h, serveWith(context.Background(), h, "/code", form, "code="+firstCode, first), first)
		assert.Equalf(t, http.StatusGone, rec.Code, "the first code after the resend = %d, want 410", rec.Code)
	}
	// ... and its state leads to the second.
	rec = serveWith(context.Background(), h, "/code", form, "code="+code, second)
	assert.Equalf(t, http.StatusSeeOther, rec.Code, "the second code = %d %q, want 303 to done", rec.Code, rec.Header().Get("Location"))
	assert.Equalf(t, "done", rec.Header().Get("Location"), "the second code = %d %q, want 303 to done", rec.Code, rec.Header().Get("Location"))
}

// TestOnVerifiedPanicSealsNothing: when OnVerified panics (net/http
// recovers it), the response under way carries no state saying verified.
func TestOnVerifiedPanicSealsNothing(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	p := fake.New()
	h := handlerOn(t, p, func(http.ResponseWriter, *http.Request, *verify.Verification) { panic("database down") })
	st := stateCookie(t, serveWith(context.Background(), h, "/", form, "phone=%2B31612345678", nil))
	code, _ := p.LastCode(testPhone)
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			assert.NotNil(t, recover(), "OnVerified's panic did not reach net/http")
		}()
		req := httptest.NewRequest(http.MethodPost, "/code", strings.NewReader("code="+code))
		req.Header.Set("Content-Type", form)
		req.AddCookie(st)
		h.ServeHTTP(rec, req)
	}()
	sc := rec.Header().Values("Set-Cookie")
	require.Equalf(t, 0, len(sc), "Set-Cookie before OnVerified returned: %q", sc)
}

// TestOnVerifiedResponseSealsNothing: when OnVerified answers for itself
// (here an error page), the state is not marked verified, so the success
// page cannot be reached with it.
func TestOnVerifiedResponseSealsNothing(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	p := fake.New()
	h := handlerOn(t, p, func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
		http.Error(w, "could not save the number", http.StatusInternalServerError)
	})
	st := stateCookie(t, serveWith(context.Background(), h, "/", form, "phone=%2B31612345678", nil))
	code, _ := p.LastCode(testPhone)
	rec := serveWith(context.Background(), h, "/code", form, "code="+code, st)
	require.Equalf(t, http.StatusInternalServerError, rec.Code, "POST /code = %d, cookies %v; want OnVerified's 500 and no state", rec.Code, rec.Result().Cookies())
	require.Equalf(t, 0, len(rec.Result().Cookies()), "POST /code = %d, cookies %v; want OnVerified's 500 and no state", rec.Code, rec.Result().Cookies())
}

// TestWrongCodesCostNoStatusCalls: wrong codes, including those the
// Verifier refuses itself once its cap on checks is reached, never make
// the handler ask the provider for the verification's status.
func TestWrongCodesCostNoStatusCalls(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	for _, api := range []bool{false, true} {
		p := newLateAnswer()
		h := handlerOn(t, p, func(http.ResponseWriter, *http.Request, *verify.Verification) {})
		var st *http.Cookie
		var token string
		if api {
			var out struct{ Token string }
			json.Unmarshal(serveWith(context.Background(), h, "/api/start", "application/json", `{"phone":"`+testPhone+`"}`, nil).Body.Bytes(), &out)
			token = out.Token
		} else {
			st = stateCookie(t, serveWith(context.Background(), h, "/", form, "phone=%2B31612345678", nil))
		}
		code, _ := p.LastCode(testPhone)
		statuses := map[int]int{}
		for range 50 {
			var rec *httptest.ResponseRecorder
			if api {
				rec = serveWith(context.Background(), h, "/api/check", "application/json", `{"token":"`+token+`","code":"`+wrongCode(code)+`"}`, nil)
			} else {
				rec = pageAfter(t, h, serveWith(context.Background(), h, "/code", form, "code="+wrongCode(code), st), st)
			}
			statuses[rec.Code]++
		}
		n := p.status.Load()
		assert.Zerof(t, n, "api=%v: 50 wrong codes made %d Status calls, want 0", api, n)
		assert.Falsef(t, statuses[http.StatusUnprocessableEntity] == 0 || statuses[http.StatusGone] == 0, "api=%v: statuses %v; want wrong codes (422), then too many attempts (410)", api, statuses)
	}
}

// assertAlreadyUsed fails t unless rec answers already_used (409): the
// API's error, or a redirect to the code page without the code field, and
// no state cookie.
func assertAlreadyUsed(t *testing.T, h http.Handler, rec *httptest.ResponseRecorder, st *http.Cookie, api bool) {
	t.Helper()
	if !api {
		rec = pageAfter(t, h, rec, st)
	}
	require.Equalf(t, http.StatusConflict, rec.Code, "check = %d %q, want 409 already_used:\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	sc := rec.Header().Values("Set-Cookie")
	require.Equalf(t, 0, len(sc), "already_used set a cookie: %q", sc)
	body := rec.Body.String()
	if api {
		var out struct {
			Error struct{ Code, Message string }
		}
		err := json.Unmarshal(rec.Body.Bytes(), &out)
		require.Nilf(t, err, "check answered %s, want the error already_used", body)
		require.Equalf(t, "already_used", out.Error.Code, "check answered %s, want the error already_used", body)
		require.NotEmptyf(t, out.Error.Message, "check answered %s, want the error already_used", body)
		return
	}
	require.Containsf(t, body, "This code was already used", "check answered a page without the already_used error, or with the code field:\n%s", body)
	require.NotContainsf(t, body, `name="code"`, "check answered a page without the already_used error, or with the code field:\n%s", body)
	require.Containsf(t, body, `action="resend"`, "check answered a page without the already_used error, or with the code field:\n%s", body)
}

// TestReplayAfterSuccess: the state of a verification that succeeded,
// sent again with any code, is refused as already_used (409): never the
// success page, never a verified state, and OnVerified does not run
// again. Once the code has expired, it is refused as expired.
func TestReplayAfterSuccess(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	code := b.started(testPhone, "voice")
	old := b.cookie()
	r := b.post("code", url.Values{"code": {code}})
	require.Equalf(t, http.StatusSeeOther, r.status, "check = %d %q", r.status, r.location())
	require.Equalf(t, "done", r.location(), "check = %d %q", r.status, r.location())
	// The cookie from before the success, with a wrong code or the right one.
	for _, c := range []string{wrongCode(code), code} {
		b.setCookie(old.Value)
		posted := b.post("code", url.Values{"code": {c}})
		for _, sc := range posted.resp.Cookies() {
			require.NotEqualf(t, "phoneverify", sc.Name, "replay set the state cookie")
		}
		r := b.follow(posted)
		require.Equalf(t, http.StatusConflict, r.status, "replay while the code is valid = %d %q, want 409 already_used:\n%s", r.status, r.location(), r.body)
		require.Containsf(t, r.body, "This code was already used", "replay while the code is valid = %d %q, want 409 already_used:\n%s", r.status, r.location(), r.body)
		r = b.get("done")
		require.Equalf(t, http.StatusSeeOther, r.status, "GET /done after a replay = %d %q, want 303 to the phone form", r.status, r.location())
		require.Equalf(t, "./", r.location(), "GET /done after a replay = %d %q, want 303 to the phone form", r.status, r.location())
	}
	b.setCookie(old.Value)
	e.clock.Advance(11 * time.Minute)
	r = b.submit("code", url.Values{"code": {wrongCode(code)}})
	require.Equalf(t, http.StatusGone, r.status, "replay after the code expired = %d %q, want 410", r.status, r.location())

	phone := "+31612345679"
	status, out, _ := apiCall(t, b, "start", map[string]string{"phone": phone})
	require.Equalf(t, http.StatusOK, status, "api start = %d %v", status, out)
	token := out["token"].(string)
	code, _ = e.fake.LastCode(phone)
	status, out, _ = apiCall(t, b, "check", map[string]string{"token": token, "code": code})
	require.Equalf(t, http.StatusOK, status, "api check = %d %v", status, out)
	require.Equalf(t, phone, out["phone"], "api check = %d %v", status, out)
	for _, c := range []string{wrongCode(code), code} {
		status, out, _ = apiCall(t, b, "check", map[string]string{"token": token, "code": c})
		errBody, _ := out["error"].(map[string]any)
		_, ok := out["verified"]
		require.Falsef(t, status != http.StatusConflict || ok || errBody["code"] != "already_used", "api replay = %d %v; want 409 already_used", status, out)
	}
	n := e.verifiedCount()
	require.Equalf(t, 2, n, "OnVerified ran %d times, want 2 (once per verification)", n)
}

// lostAnswer is the fake with a Check that verifies the code, then
// answers a timeout: the provider's answer to the winning check lost.
type lostAnswer struct{ *fake.Provider }

func (p lostAnswer) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	if _, err := p.Provider.Check(ctx, id, code); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: timeout", verify.ErrUnavailable)
}

// TestFailedSuccessIsNeverShown: when the winning check did not end in a
// successful OnVerified — it answered with its own error, it panicked, or
// the provider's answer was lost — a resubmit of the state, with the
// right code or a wrong one, is refused as already_used, and the success
// page stays out of reach.
func TestFailedSuccessIsNeverShown(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name       string
		provider   func(*fake.Provider) verify.Provider
		onVerified func(http.ResponseWriter, *http.Request, *verify.Verification)
		calls      int // OnVerified calls
	}{
		{"error page", func(p *fake.Provider) verify.Provider { return p }, func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
			http.Error(w, "could not save the number", http.StatusInternalServerError)
		}, 1},
		{"panic", func(p *fake.Provider) verify.Provider { return p }, func(http.ResponseWriter, *http.Request, *verify.Verification) {
			panic("database down")
		}, 1},
		{"answer lost", func(p *fake.Provider) verify.Provider { return lostAnswer{p} }, func(http.ResponseWriter, *http.Request, *verify.Verification) {}, 0},
	}
	for _, tt := range tests {
		for _, api := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/api=%v", tt.name, api), func(t *testing.T) {
				fp := fake.New()
				var calls atomic.Int32
				h := handlerOn(t, tt.provider(fp), func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
					calls.Add(1)
					tt.onVerified(w, r, ver)
				})
				var st *http.Cookie
				var token string
				if api {
					var out struct{ Token string }
					json.Unmarshal(serveWith(context.Background(), h, "/api/start", "application/json", `{"phone":"`+testPhone+`"}`, nil).Body.Bytes(), &out)
					token = out.Token
				} else {
					st = stateCookie(t, serveWith(context.Background(), h, "/", form, "phone=%2B31612345678", nil))
				}
				code, _ := fp.LastCode(testPhone)
				check := func(code string) *httptest.ResponseRecorder {
					if api {
						return serveWith(context.Background(), h, "/api/check", "application/json", `{"token":"`+token+`","code":"`+code+`"}`, nil)
					}
					return serveWith(context.Background(), h, "/code", form, "code="+code, st)
				}
				func() {
					defer func() { recover() }() // the panic, as net/http would
					first := check(code)
					if first.Code == http.StatusSeeOther && !api {
						first = pageAfter(t, h, first, st) // a failure shown on the code page
					}
					require.NotEqualf(t, http.StatusSeeOther, first.Code, "the failed check answered %d with cookies %v", first.Code, first.Result().Cookies())
					require.NotEqualf(t, http.StatusOK, first.Code, "the failed check answered %d with cookies %v", first.Code, first.Result().Cookies())
					require.Equalf(t, 0, len(first.Result().Cookies()), "the failed check answered %d with cookies %v", first.Code, first.Result().Cookies())
				}()
				for _, c := range []string{code, wrongCode(code)} {
					assertAlreadyUsed(t, h, check(c), st, api)
				}
				if !api {
					req := httptest.NewRequest(http.MethodGet, "/done", nil)
					req.AddCookie(st)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					require.Equalf(t, http.StatusSeeOther, rec.Code, "GET /done = %d %q, want 303 to the phone form", rec.Code, rec.Header().Get("Location"))
					require.Equalf(t, "./", rec.Header().Get("Location"), "GET /done = %d %q, want 303 to the phone form", rec.Code, rec.Header().Get("Location"))
				}
				n := calls.Load()
				require.Equalf(t, tt.calls, int(n), "OnVerified ran %d times, want %d", n, tt.calls)
			})
		}
	}
}

// slowCheck is the fake with a Check that takes a while and records the
// deadline of its context.
type slowCheck struct {
	*fake.Provider
	deadline time.Time
}

func (p *slowCheck) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	p.deadline, _ = ctx.Deadline()
	time.Sleep(20 * time.Millisecond)
	return p.Provider.Check(ctx, id, code)
}

// TestOnVerifiedHasItsOwnDeadline: OnVerified's context is not the one
// of the provider's check, whose time a slow provider used up: its
// deadline is counted from when OnVerified starts.
func TestOnVerifiedHasItsOwnDeadline(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	p := &slowCheck{Provider: fake.New()}
	var deadline, called time.Time
	var ok bool
	h := handlerOn(t, p, func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
		called = time.Now()
		deadline, ok = r.Context().Deadline()
	})
	st := stateCookie(t, serveWith(context.Background(), h, "/", form, "phone=%2B31612345678", nil))
	code, _ := p.LastCode(testPhone)
	rec := serveWith(context.Background(), h, "/code", form, "code="+code, st)
	require.Equalf(t, http.StatusSeeOther, rec.Code, "check = %d", rec.Code)
	require.Falsef(t, !ok || p.deadline.IsZero(), "OnVerified's context has a deadline: %v; the check's: %v", ok, p.deadline)
	// The check took at least 20ms; OnVerified's 30 seconds start after it.
	d := deadline.Sub(p.deadline)
	assert.Falsef(t, d < 20*time.Millisecond, "OnVerified's deadline is %v after the check's, want its own (at least the check's 20ms later)", d)
	d = deadline.Sub(called)
	assert.Falsef(t, d > 30*time.Second, "OnVerified has %v, want at most 30s", d)
}
