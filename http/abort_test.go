package http_test

import (
	"context"
	"encoding/json"
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
	<-p.release
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
	if err != nil {
		t.Fatal(err)
	}
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithOnVerified(f))
	if err != nil {
		t.Fatal(err)
	}
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
	t.Fatalf("no state cookie; status %d:\n%s", rec.Code, rec.Body)
	return nil
}

// abortedDuringProviderCall sends a request under a context that is
// canceled while the provider holds its answer, as a browser cancels the
// first submit of a double click; the provider answers afterwards.
func abortedDuringProviderCall(p *lateAnswer, send func(ctx context.Context) *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	p.hold.Store(true)
	defer p.hold.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- send(ctx) }()
	<-p.entered
	cancel()
	p.release <- struct{}{}
	return <-done
}

// TestCheckOutlivesAbortedRequest: the browser cancels the first submit of
// the right code after the provider accepted it. The check is seen
// through, so OnVerified runs in that request, under a context the abort
// did not end, and the second submit finds the verification done.
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
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Token == "" {
					t.Fatalf("start: %d %s", rec.Code, rec.Body)
				}
				token = out.Token
			} else {
				st = stateCookie(t, serveWith(context.Background(), h, "/", "application/x-www-form-urlencoded", "phone=%2B31612345678", nil))
			}
			code, _ := p.LastCode(testPhone)

			first := abortedDuringProviderCall(p, func(ctx context.Context) *httptest.ResponseRecorder {
				return send(ctx, "first", st, token, code)
			})
			if len(onVerified) != 1 || onVerified[0] != "first" {
				t.Fatalf("OnVerified ran for %q, want once, for the first request (answered %d)", onVerified, first.Code)
			}
			if ctxErr != nil {
				t.Fatalf("OnVerified ran under an ended context: %v", ctxErr)
			}
			second := send(context.Background(), "second", st, token, code)
			if api {
				if got := strings.TrimSpace(second.Body.String()); second.Code != http.StatusOK || got != `{"verified":true,"duplicate":true}` {
					t.Fatalf("second check = %d %s, want 200 and a duplicate", second.Code, got)
				}
			} else if second.Code != http.StatusSeeOther || second.Header().Get("Location") != "done" {
				t.Fatalf("second check = %d %q, want 303 to done", second.Code, second.Header().Get("Location"))
			}
			if len(onVerified) != 1 {
				t.Fatalf("OnVerified ran %d times, want 1", len(onVerified))
			}
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

	rec := abortedDuringProviderCall(p, func(ctx context.Context) *httptest.ResponseRecorder {
		return serveWith(ctx, h, "/", form, "phone=%2B31612345678&channel=voice", nil)
	})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("aborted start = %d, want 303 with the state:\n%s", rec.Code, rec.Body)
	}
	first := stateCookie(t, rec)
	firstCode, _ := p.LastCode(testPhone)

	rec = abortedDuringProviderCall(p, func(ctx context.Context) *httptest.ResponseRecorder {
		return serveWith(ctx, h, "/resend", form, "channel=sms", first)
	})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("aborted resend = %d, want 303 with the state:\n%s", rec.Code, rec.Body)
	}
	second := stateCookie(t, rec)
	code, _ := p.LastCode(testPhone)
	if msgs := p.Messages(); len(msgs) != 2 || msgs[1].Channel != verify.SMS {
		t.Fatalf("messages = %+v, want a call then a text", msgs)
	}
	// The resend canceled the first verification...
	if firstCode != code {
		if rec := serveWith(context.Background(), h, "/code", form, "code="+firstCode, first); rec.Code != http.StatusGone {
			t.Errorf("the first code after the resend = %d, want 410", rec.Code)
		}
	}
	// ... and its state leads to the second.
	if rec := serveWith(context.Background(), h, "/code", form, "code="+code, second); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "done" {
		t.Errorf("the second code = %d %q, want 303 to done", rec.Code, rec.Header().Get("Location"))
	}
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
			if recover() == nil {
				t.Error("OnVerified's panic did not reach net/http")
			}
		}()
		req := httptest.NewRequest(http.MethodPost, "/code", strings.NewReader("code="+code))
		req.Header.Set("Content-Type", form)
		req.AddCookie(st)
		h.ServeHTTP(rec, req)
	}()
	if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("Set-Cookie before OnVerified returned: %q", sc)
	}
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
	if rec.Code != http.StatusInternalServerError || len(rec.Result().Cookies()) != 0 {
		t.Fatalf("POST /code = %d, cookies %v; want OnVerified's 500 and no state", rec.Code, rec.Result().Cookies())
	}
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
				rec = serveWith(context.Background(), h, "/code", form, "code="+wrongCode(code), st)
			}
			statuses[rec.Code]++
		}
		if n := p.status.Load(); n != 0 {
			t.Errorf("api=%v: 50 wrong codes made %d Status calls, want 0", api, n)
		}
		if statuses[http.StatusUnprocessableEntity] == 0 || statuses[http.StatusGone] == 0 {
			t.Errorf("api=%v: statuses %v; want wrong codes (422), then too many attempts (410)", api, statuses)
		}
	}
}

// TestReplayAfterSuccess: the state of a verification that succeeded,
// sent again with any code, is answered as a duplicate: the API without
// the number, and OnVerified does not run again. Once the code has
// expired, it is refused.
func TestReplayAfterSuccess(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	code := b.started(testPhone, "voice")
	old := b.cookie()
	if r := b.post("code", url.Values{"code": {code}}); r.status != http.StatusSeeOther || r.location() != "done" {
		t.Fatalf("check = %d %q", r.status, r.location())
	}
	// The cookie from before the success, with a wrong code.
	b.setCookie(old.Value)
	if r := b.post("code", url.Values{"code": {wrongCode(code)}}); r.status != http.StatusSeeOther || r.location() != "done" {
		t.Fatalf("replay while the code is valid = %d %q, want the success page", r.status, r.location())
	}
	b.setCookie(old.Value)
	e.clock.Advance(11 * time.Minute)
	if r := b.post("code", url.Values{"code": {wrongCode(code)}}); r.status != http.StatusGone {
		t.Fatalf("replay after the code expired = %d %q, want 410", r.status, r.location())
	}

	phone := "+31612345679"
	status, out, _ := apiCall(t, b, "start", map[string]string{"phone": phone})
	if status != http.StatusOK {
		t.Fatalf("api start = %d %v", status, out)
	}
	token := out["token"].(string)
	code, _ = e.fake.LastCode(phone)
	if status, out, _ = apiCall(t, b, "check", map[string]string{"token": token, "code": code}); status != http.StatusOK || out["phone"] != phone {
		t.Fatalf("api check = %d %v", status, out)
	}
	status, out, _ = apiCall(t, b, "check", map[string]string{"token": token, "code": wrongCode(code)})
	if _, hasPhone := out["phone"]; status != http.StatusOK || out["duplicate"] != true || hasPhone {
		t.Fatalf("api replay with a wrong code = %d %v; want 200, duplicate, no number", status, out)
	}
	if n := e.verifiedCount(); n != 2 {
		t.Fatalf("OnVerified ran %d times, want 2 (once per verification)", n)
	}
}
