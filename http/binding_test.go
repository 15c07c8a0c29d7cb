package http_test

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twoHandlers mounts two handlers that share one secret and one provider
// on one server: /signup/ takes any number, /payout/ only Dutch ones (and
// then, optionally, a second payout handler at /other/payout/ with
// another scope).
type twoHandlers struct {
	fake     *fake.Provider
	srv      *httptest.Server
	verified map[string]int // OnVerified calls per mount
}

func newTwoHandlers(t *testing.T, payoutOpts ...verifyhttp.Option) *twoHandlers {
	t.Helper()
	th := &twoHandlers{fake: fake.New(), verified: map[string]int{}}
	mux := http.NewServeMux()
	mount := func(path string, vopts []verify.Option, hopts ...verifyhttp.Option) {
		v, err := verify.New(th.fake, vopts...)
		require.NoError(t, err)
		h, err := verifyhttp.New(v, append([]verifyhttp.Option{
			verifyhttp.WithSecret(testSecret),
			verifyhttp.WithOnVerified(func(http.ResponseWriter, *http.Request, *verify.Verification) { th.verified[path]++ }),
		}, hopts...)...)
		require.NoError(t, err)
		mux.Handle(path, http.StripPrefix(strings.TrimSuffix(path, "/"), h))
	}
	mount("/signup/", nil)
	mount("/payout/", []verify.Option{verify.WithAllowedRegions("NL")}, payoutOpts...)
	th.srv = httptest.NewServer(mux)
	t.Cleanup(th.srv.Close)
	return th
}

// post sends a same-origin POST with the given cookie header.
func (th *twoHandlers) post(t *testing.T, path, ctype, body, cookie string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, th.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res
}

// TestStateBoundToHandler: a UK number started at /signup/ cannot be
// verified through /payout/, which only takes Dutch numbers, by replaying
// the state cookie or the API token there; at /signup/ both work.
func TestStateBoundToHandler(t *testing.T) {
	const uk = "+447400123456"
	th := newTwoHandlers(t)
	form := "application/x-www-form-urlencoded"

	// Cookie.
	res := th.post(t, "/signup/", form, "phone=%2B447400123456", "")
	require.Equalf(t, http.StatusSeeOther, res.StatusCode, "start at /signup/ = %d", res.StatusCode)
	require.Equalf(t, 1, len(res.Cookies()), "start at /signup/ = %d", res.StatusCode)
	cookie := "phoneverify=" + res.Cookies()[0].Value
	code, _ := th.fake.LastCode(uk)
	res = th.post(t, "/payout/code", form, "code="+code, cookie)
	require.Equalf(t, http.StatusSeeOther, res.StatusCode, "signup's cookie at /payout/code = %d %q, OnVerified at /payout/ %d times; want 303 to ./?e=session_invalid and none", res.StatusCode, res.Header.Get("Location"), th.verified["/payout/"])
	require.Equalf(t, "./?e=session_invalid", res.Header.Get("Location"), "signup's cookie at /payout/code = %d %q, OnVerified at /payout/ %d times; want 303 to ./?e=session_invalid and none", res.StatusCode, res.Header.Get("Location"), th.verified["/payout/"])
	require.Equalf(t, 0, th.verified["/payout/"], "signup's cookie at /payout/code = %d %q, OnVerified at /payout/ %d times; want 303 to ./?e=session_invalid and none", res.StatusCode, res.Header.Get("Location"), th.verified["/payout/"])
	res = th.post(t, "/signup/code", form, "code="+code, cookie)
	require.Equalf(t, http.StatusSeeOther, res.StatusCode, "the cookie at /signup/code = %d, OnVerified %d times; want 303 and once", res.StatusCode, th.verified["/signup/"])
	require.Equalf(t, 1, th.verified["/signup/"], "the cookie at /signup/code = %d, OnVerified %d times; want 303 and once", res.StatusCode, th.verified["/signup/"])

	// API token.
	req, _ := http.NewRequest(http.MethodPost, th.srv.URL+"/signup/api/start", strings.NewReader(`{"phone":"`+"+447400123457"+`"}`))
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var started struct{ Token string }
	json.NewDecoder(r.Body).Decode(&started)
	r.Body.Close()
	code, _ = th.fake.LastCode("+447400123457")
	body := `{"token":"` + started.Token + `","code":"` + code + `"}`
	res = th.post(t, "/payout/api/check", "application/json", body, "")
	require.Equalf(t, http.StatusBadRequest, res.StatusCode, "signup's token at /payout/api/check = %d; want 400 invalid_token", res.StatusCode)
	require.Equalf(t, 0, th.verified["/payout/"], "signup's token at /payout/api/check = %d; want 400 invalid_token", res.StatusCode)
	res = th.post(t, "/payout/api/resend", "application/json", `{"token":"`+started.Token+`"}`, "")
	require.Equalf(t, http.StatusBadRequest, res.StatusCode, "signup's token at /payout/api/resend = %d; want 400 invalid_token", res.StatusCode)
	res = th.post(t, "/signup/api/check", "application/json", body, "")
	require.Equalf(t, http.StatusOK, res.StatusCode, "the token at /signup/api/check = %d; want 200", res.StatusCode)
	require.Equalf(t, 2, th.verified["/signup/"], "the token at /signup/api/check = %d; want 200", res.StatusCode)
}

// TestStateBoundToScope: two handlers at the same path, with the same
// secret and different WithScope names, refuse each other's state; the
// same name, as every instance of one app has, shares it.
func TestStateBoundToScope(t *testing.T) {
	newHandler := func(p *fake.Provider, scope string) http.Handler {
		v, _ := verify.New(p)
		h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithScope(scope))
		require.NoError(t, err)
		return http.StripPrefix("/verify", h)
	}
	p := fake.New()
	a, a2, b := newHandler(p, "signup"), newHandler(p, "signup"), newHandler(p, "payout")
	req := httptest.NewRequest(http.MethodPost, "/verify/", strings.NewReader("phone=%2B31612345678"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	c := rec.Result().Cookies()[0]
	for _, tt := range []struct {
		name string
		h    http.Handler
		want int
	}{{"another instance, same scope", a2, http.StatusOK}, {"another scope", b, http.StatusSeeOther}} {
		req := httptest.NewRequest(http.MethodGet, "/verify/code", nil)
		req.AddCookie(c)
		rec := httptest.NewRecorder()
		tt.h.ServeHTTP(rec, req)
		assert.Equalf(t, tt.want, rec.Code, "%s: GET code = %d, want %d", tt.name, rec.Code, tt.want)
	}
}

// TestSeveralCookies: of several state cookies of the name (a stale one,
// one of another handler), the one that opens is used, in any order.
func TestSeveralCookies(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	b.started(testPhone, "voice")
	good := b.cookie().Value
	other := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithScope("other")}})
	ob := other.browser()
	ob.started(testPhone, "voice")
	foreign := ob.cookie().Value
	e.clock.Advance(time.Second)
	for _, header := range []string{
		"phoneverify=garbage; phoneverify=" + good,
		"phoneverify=" + foreign + "; phoneverify=" + good,
		"phoneverify=" + good + "; phoneverify=" + foreign,
	} {
		req, _ := http.NewRequest(http.MethodGet, e.base+"code", nil)
		req.Header.Set("Cookie", header)
		res, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equalf(t, http.StatusOK, res.StatusCode, "Cookie: %.40s… = %d, want the code page", header, res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, e.base+"code", nil)
	req.Header.Set("Cookie", "phoneverify=garbage; phoneverify="+foreign)
	res, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equalf(t, http.StatusSeeOther, res.StatusCode, "no cookie that opens: %d %q, want 303 to ./?e=session_invalid", res.StatusCode, res.Header.Get("Location"))
	assert.Equalf(t, "./?e=session_invalid", res.Header.Get("Location"), "no cookie that opens: %d %q, want 303 to ./?e=session_invalid", res.StatusCode, res.Header.Get("Location"))
}

// TestSecureCookiePrefixes: a Secure cookie below "/" carries the
// __Secure- prefix, at "/" the __Host- prefix, and each is read back.
func TestSecureCookiePrefixes(t *testing.T) {
	for _, tt := range []struct{ mount, want string }{{"/verify/", "__Secure-phoneverify"}, {"/", "__Host-phoneverify"}} {
		v, _ := verify.New(fake.New())
		h, _ := verifyhttp.New(v, verifyhttp.WithSecret(testSecret))
		if tt.mount != "/" {
			h = http.StripPrefix(strings.TrimSuffix(tt.mount, "/"), h)
		}
		req := httptest.NewRequest(http.MethodPost, tt.mount, strings.NewReader("phone=%2B31612345678"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.TLS = &tls.ConnectionState{}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		c := rec.Result().Cookies()[0]
		assert.Equalf(t, tt.want, c.Name, "at %s: cookie %s Secure=%v Path=%s, want %s", tt.mount, c.Name, c.Secure, c.Path, tt.want)
		assert.Truef(t, c.Secure, "at %s: cookie %s Secure=%v Path=%s, want %s", tt.mount, c.Name, c.Secure, c.Path, tt.want)
		assert.Equalf(t, tt.mount, c.Path, "at %s: cookie %s Secure=%v Path=%s, want %s", tt.mount, c.Name, c.Secure, c.Path, tt.want)
		req = httptest.NewRequest(http.MethodGet, tt.mount+"code", nil)
		req.TLS = &tls.ConnectionState{}
		req.AddCookie(c)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equalf(t, http.StatusOK, rec.Code, "at %s: GET code with %s = %d", tt.mount, c.Name, rec.Code)
	}
}
