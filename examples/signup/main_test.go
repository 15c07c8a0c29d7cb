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
)

// TestSignup logs in, verifies a number under /verify/ and finds it on
// the account page.
func TestSignup(t *testing.T) {
	a := &app{users: map[string]*user{}, sessions: map[string]string{}, log: slog.New(slog.DiscardHandler)}
	p := fake.New()
	v, err := verify.New(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := verifyhttp.New(v, verifyhttp.WithSecret([]byte("0123456789abcdef0123456789abcdef")), verifyhttp.WithOnVerified(a.phoneVerified))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.routes(h))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}

	get := func(resp *http.Response, err error) (string, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Request.URL.Path, string(b)
	}
	if path, _ := get(c.Get(srv.URL + "/verify/")); path != "/login" {
		t.Fatalf("a visitor reached %s, want the login page", path)
	}
	get(c.PostForm(srv.URL+"/login", url.Values{"name": {"ada"}}))
	if path, body := get(c.PostForm(srv.URL+"/verify/", url.Values{"phone": {"+31612345678"}})); path != "/verify/code" {
		t.Fatalf("after the phone form: %s\n%s", path, body)
	}
	code, _ := p.LastCode("+31612345678")
	path, body := get(c.PostForm(srv.URL+"/verify/code", url.Values{"code": {code}}))
	if path != "/" || !strings.Contains(body, "Your phone number &#43;31 6 12345678 was verified on ") || !strings.Contains(body, " UTC.") {
		t.Fatalf("after the code: %s\n%s", path, body)
	}
	if u := a.users["ada"]; u.Phone != "+31612345678" {
		t.Fatalf("user = %+v", u)
	}
}

func TestChallengeFromTheEnvironment(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if opts, err := challengeOptions(env(nil)); err != nil || len(opts) != 0 {
		t.Fatalf("no variables: %d options, %v; want none", len(opts), err)
	}
	if _, err := challengeOptions(env(map[string]string{"TURNSTILE_SITE_KEY": "site"})); err == nil {
		t.Fatal("a site key without a secret was accepted")
	}

	sv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"success":false,"error-codes":["invalid-input-response"]}`)
	}))
	defer sv.Close()
	opts, err := challengeOptions(env(map[string]string{"TURNSTILE_SITE_KEY": "site", "TURNSTILE_SECRET": "secret", "TURNSTILE_ENDPOINT": sv.URL}))
	if err != nil || len(opts) != 1 {
		t.Fatalf("%d options, %v; want the challenge", len(opts), err)
	}
	p := fake.New()
	v, err := verify.New(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := verifyhttp.New(v, append([]verifyhttp.Option{verifyhttp.WithSecret([]byte("0123456789abcdef0123456789abcdef"))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/start", strings.NewReader(`{"phone":"+31612345678","challenge":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(p.Messages()) != 0 {
		t.Fatalf("start with a refused token: %d, %d codes sent; want 403 and none", rec.Code, len(p.Messages()))
	}
}
