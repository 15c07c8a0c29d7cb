package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/require"
)

// TestSignup logs in, verifies a number under /verify/ and finds it on
// the account page.
func TestSignup(t *testing.T) {
	a := &app{users: map[string]*user{}, sessions: map[string]string{}, log: slog.New(slog.DiscardHandler)}
	p := fake.New()
	v, err := verify.New(p)
	require.NoError(t, err)
	h, err := verifyhttp.New(v, verifyhttp.WithSecret([]byte("0123456789abcdef0123456789abcdef")), verifyhttp.WithOnVerified(a.phoneVerified))
	require.NoError(t, err)
	srv := httptest.NewServer(a.routes(h))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}

	get := func(resp *http.Response, err error) (string, string) {
		t.Helper()
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Request.URL.Path, string(b)
	}
	path, _ := get(c.Get(srv.URL + "/verify/"))
	require.Equal(t, "/login", path, "the page a visitor reached, want the login page")
	get(c.PostForm(srv.URL+"/login", url.Values{"name": {"ada"}}))
	path, body := get(c.PostForm(srv.URL+"/verify/", url.Values{"phone": {"+31612345678"}}))
	require.Equal(t, "/verify/code", path, "after the phone form:\n%s", body)
	code, _ := p.LastCode("+31612345678")
	path, body = get(c.PostForm(srv.URL+"/verify/code", url.Values{"code": {code}}))
	require.Equal(t, "/", path, "after the code:\n%s", body)
	require.Contains(t, body, "Your phone number &#43;31 6 12345678 was verified on ", "after the code")
	require.Contains(t, body, " UTC.", "after the code")
	u := a.users["ada"]
	require.Equal(t, "+31612345678", u.Phone, "user %+v", u)
}

func TestChallengeFromTheEnvironment(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	opts, err := challengeOptions(env(nil))
	require.NoError(t, err, "no variables")
	require.Empty(t, opts, "no variables: want no option")
	_, err = challengeOptions(env(map[string]string{"TURNSTILE_SITE_KEY": "site"}))
	require.Error(t, err, "a site key without a secret was accepted")

	sv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"success":false,"error-codes":["invalid-input-response"]}`)
	}))
	defer sv.Close()
	opts, err = challengeOptions(env(map[string]string{"TURNSTILE_SITE_KEY": "site", "TURNSTILE_SECRET": "secret", "TURNSTILE_ENDPOINT": sv.URL}))
	require.NoError(t, err)
	require.Len(t, opts, 1, "options, want the challenge")
	p := fake.New()
	v, err := verify.New(p)
	require.NoError(t, err)
	h, err := verifyhttp.New(v, append([]verifyhttp.Option{verifyhttp.WithSecret([]byte("0123456789abcdef0123456789abcdef"))}, opts...)...)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/api/start", strings.NewReader(`{"phone":"+31612345678","challenge":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusForbidden, rec.Code, "start with a refused token")
	require.Empty(t, p.Messages(), "start with a refused token: codes sent")
}
