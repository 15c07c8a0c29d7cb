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
	if path != "/" || !strings.Contains(body, "Your phone number &#43;31612345678 was verified") {
		t.Fatalf("after the code: %s\n%s", path, body)
	}
	if u := a.users["ada"]; u.Phone != "+31612345678" {
		t.Fatalf("user = %+v", u)
	}
}

// TestListenAddr: the example listens on loopback unless ADDR says
// otherwise.
func TestListenAddr(t *testing.T) {
	for _, tt := range []struct{ addr, port, want string }{
		{"", "", "127.0.0.1:8081"},
		{"", "9000", "127.0.0.1:9000"},
		{":8081", "9000", ":8081"},
	} {
		t.Setenv("ADDR", tt.addr)
		t.Setenv("PORT", tt.port)
		if got := listenAddr(); got != tt.want {
			t.Errorf("listenAddr() with ADDR=%q PORT=%q = %q, want %q", tt.addr, tt.port, got, tt.want)
		}
	}
}
