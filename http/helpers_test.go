package http_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/verifytest"
	"github.com/stretchr/testify/require"
)

// testSecret is the key the test handlers seal with.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

const testPhone = "+31612345678"

// env is a handler on the fake provider, mounted at /verify/ of a
// loopback server, with OnVerified recording its calls.
type env struct {
	t       *testing.T
	fake    *fake.Provider
	clock   *verifytest.Clock
	handler http.Handler
	srv     *httptest.Server
	base    string // the mount point's URL, ending in "/verify/"

	mu       sync.Mutex
	verified []*verify.Verification
	onVer    func(w http.ResponseWriter, r *http.Request, v *verify.Verification)
}

type envConfig struct {
	verifyOpts []verify.Option
	httpOpts   []verifyhttp.Option
}

func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t, clock: verifytest.NewClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))}
	e.fake = fake.New(fake.WithClock(e.clock.Now))
	// The fake, the limiter and the handler share one clock; the
	// Verifier's default limits apply.
	v, err := verify.New(e.fake, append([]verify.Option{verify.WithLimiter(&verify.MemoryLimiter{Now: e.clock.Now})}, cfg.verifyOpts...)...)
	require.NoError(t, err)
	opts := append([]verifyhttp.Option{
		verifyhttp.WithSecret(testSecret),
		verifyhttp.WithOnVerified(func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
			e.mu.Lock()
			e.verified = append(e.verified, ver)
			f := e.onVer
			e.mu.Unlock()
			if f != nil {
				f(w, r, ver)
			}
		}),
	}, cfg.httpOpts...)
	h, err := verifyhttp.New(v, opts...)
	require.NoError(t, err)
	verifyhttp.SetClock(h, e.clock.Now)
	e.handler = h
	mux := http.NewServeMux()
	mux.Handle("/verify/", http.StripPrefix("/verify", h))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.base = e.srv.URL + "/verify/"
	return e
}

func (e *env) verifiedCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.verified)
}

// browser is a client with its own cookies that does not follow
// redirects, so that each response can be inspected.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(e.t, err)
	return &browser{e: e, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   string
	resp   *http.Response
}

func (r *response) location() string { return r.header.Get("Location") }

func (b *browser) do(req *http.Request) *response {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.e.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.e.t, err)
	return &response{status: resp.StatusCode, header: resp.Header, body: string(body), resp: resp}
}

func (b *browser) get(path string) *response {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.base+path, nil)
	require.NoError(b.e.t, err)
	return b.do(req)
}

// post sends a form as a browser would from the same origin.
func (b *browser) post(path string, form url.Values, headers ...string) *response {
	b.e.t.Helper()
	return b.postRaw(path, "application/x-www-form-urlencoded", form.Encode(), append([]string{"Sec-Fetch-Site", "same-origin"}, headers...)...)
}

func (b *browser) postRaw(path, contentType, body string, headers ...string) *response {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.base+path, strings.NewReader(body))
	require.NoError(b.e.t, err)
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// cookie returns the state cookie the browser holds for the mount point.
func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse(b.e.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "phoneverify" {
			return c
		}
	}
	return nil
}

// setCookie replaces the state cookie.
func (b *browser) setCookie(value string) {
	u, _ := url.Parse(b.e.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "phoneverify", Value: value, Path: "/verify/"}})
}

// started posts the phone form and fails the test unless it redirects to
// the code page; it returns the code the fake "sent".
func (b *browser) started(phone, channel string) string {
	b.e.t.Helper()
	r := b.post("", url.Values{"phone": {phone}, "channel": {channel}})
	require.Equalf(b.e.t, http.StatusSeeOther, r.status, "POST / = %d %q, want 303 to code; body:\n%s", r.status, r.location(), r.body)
	require.Equal(b.e.t, "code", r.location())
	code, ok := b.e.fake.LastCode(testPhone)
	require.True(b.e.t, ok, "the fake sent no code")
	return code
}

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// follow does what a browser does with the answer to a failed POST of the
// pages: it follows the redirect back to the form ("code", "./"), which
// shows the failure (Post/Redirect/Get). Any other answer is returned as
// it is.
func (b *browser) follow(r *response) *response {
	b.e.t.Helper()
	loc := r.location()
	if r.status != http.StatusSeeOther || (loc != "code" && !strings.HasPrefix(loc, "./")) {
		return r
	}
	return b.get(strings.TrimPrefix(loc, "./"))
}

// submit posts a form and follows a redirect back to the form.
func (b *browser) submit(path string, form url.Values, headers ...string) *response {
	b.e.t.Helper()
	return b.follow(b.post(path, form, headers...))
}

// headerTransport sends every request with the header name set to
// value: the Accept-Language of a browser set to a language, or an app's
// session.
type headerTransport struct{ name, value string }

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(t.name, t.value)
	return http.DefaultTransport.RoundTrip(r)
}

// speaking returns a browser of e whose language is accept.
func (e *env) speaking(accept string) *browser {
	b := e.browser()
	b.c.Transport = headerTransport{"Accept-Language", accept}
	return b
}
