package turnstile_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/http/turnstile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// siteverify is a loopback stand-in for Turnstile's siteverify endpoint:
// it records the form it was sent and answers with status and body.
type siteverify struct {
	srv    *httptest.Server
	calls  atomic.Int32
	form   chan map[string]string
	status int
	body   string
}

func newSiteverify(t *testing.T, status int, body string) *siteverify {
	t.Helper()
	s := &siteverify{form: make(chan map[string]string, 10), status: status, body: body}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		r.ParseForm()
		s.form <- map[string]string{"secret": r.PostForm.Get("secret"), "response": r.PostForm.Get("response"), "remoteip": r.PostForm.Get("remoteip")}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.status)
		fmt.Fprint(w, s.body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func newChallenge(t *testing.T, s *siteverify, opts ...turnstile.Option) *turnstile.Challenge {
	t.Helper()
	c, err := turnstile.New("0x4AAAAAAA-site_key", "the-secret", append([]turnstile.Option{turnstile.WithEndpoint(s.srv.URL)}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestVerifySendsSecretTokenAndIP(t *testing.T) {
	s := newSiteverify(t, 200, `{"success":true,"error-codes":[],"hostname":"example.com"}`)
	c := newChallenge(t, s)
	err := c.Verify(context.Background(), "tok.en", "203.0.113.7")
	require.NoErrorf(t, err, "Verify: %v", err)
	got := <-s.form
	require.Equalf(t, "the-secret", got["secret"], "siteverify got %v", got)
	require.Equalf(t, "tok.en", got["response"], "siteverify got %v", got)
	require.Equalf(t, "203.0.113.7", got["remoteip"], "siteverify got %v", got)
}

func TestVerifyOutcomes(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		opts        []turnstile.Option
		wantFailed  bool // matches ErrChallengeFailed
		wantRefused bool // any error
	}{
		{"passed", 200, `{"success":true,"error-codes":[]}`, nil, false, false},
		{"wrong token", 200, `{"success":false,"error-codes":["invalid-input-response"]}`, nil, true, true},
		{"reused token", 200, `{"success":false,"error-codes":["timeout-or-duplicate"]}`, nil, true, true},
		{"wrong secret", 200, `{"success":false,"error-codes":["invalid-input-secret"]}`, nil, false, true},
		{"another site", 200, `{"success":true,"hostname":"evil.example"}`, []turnstile.Option{turnstile.WithHostnames("example.com")}, true, true},
		{"our site", 200, `{"success":true,"hostname":"example.com"}`, []turnstile.Option{turnstile.WithHostnames("example.com")}, false, false},
		{"another action", 200, `{"success":true,"action":"login"}`, []turnstile.Option{turnstile.WithAction("verify-phone")}, true, true},
		{"our action", 200, `{"success":true,"action":"verify-phone"}`, []turnstile.Option{turnstile.WithAction("verify-phone")}, false, false},
		{"server error", 500, `oops`, nil, false, true},
		{"garbage", 200, `<html>`, nil, false, true},
		{"empty answer", 200, ``, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSiteverify(t, tt.status, tt.body)
			err := newChallenge(t, s, tt.opts...).Verify(context.Background(), "token", "")
			require.Equalf(t, tt.wantRefused, (err != nil), "Verify: %v; want refused %v, ErrChallengeFailed %v", err, tt.wantRefused, tt.wantFailed)
			require.Equalf(t, tt.wantFailed, errors.Is(err, verifyhttp.ErrChallengeFailed), "Verify: %v; want refused %v, ErrChallengeFailed %v", err, tt.wantRefused, tt.wantFailed)
			require.Falsef(t, err != nil && strings.Contains(err.Error(), "the-secret"), "the error shows the secret: %v", err)
		})
	}
}

func TestMalformedTokenIsRefusedWithoutACall(t *testing.T) {
	s := newSiteverify(t, 200, `{"success":true}`)
	c := newChallenge(t, s)
	for _, tok := range []string{"", strings.Repeat("x", 2049)} {
		err := c.Verify(context.Background(), tok, "")
		assert.ErrorIsf(t, err, verifyhttp.ErrChallengeFailed, "token of %d bytes: %v; want ErrChallengeFailed", len(tok), err)
	}
	err := c.Verify(context.Background(), strings.Repeat("x", 2048), "")
	assert.NoErrorf(t, err, "token of 2048 bytes: %v", err)
	n := s.calls.Load()
	require.EqualValuesf(t, 1, n, "siteverify was called %d times, want once (for the 2048-byte token)", n)
}

func TestVerifyHonoursTheContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c, err := turnstile.New("site", "secret", turnstile.WithEndpoint(srv.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.Verify(ctx, "token", "")
	require.Falsef(t, !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, verifyhttp.ErrChallengeFailed), "Verify: %v; want a deadline error that is not ErrChallengeFailed", err)
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		site, secret string
		opts         []turnstile.Option
	}{
		{"", "secret", nil},
		{`a"><script>`, "secret", nil},
		{"site", "", nil},
		{"site", "secret", []turnstile.Option{turnstile.WithEndpoint("ftp://x")}},
		{"site", "secret", []turnstile.Option{turnstile.WithEndpoint("not a url")}},
		{"site", "secret", []turnstile.Option{turnstile.WithAction("a b")}},
		{"site", "secret", []turnstile.Option{turnstile.WithAction(strings.Repeat("a", 33))}},
		{"site", "secret", []turnstile.Option{nil}},
	}
	for _, tt := range tests {
		_, err := turnstile.New(tt.site, tt.secret, tt.opts...)
		assert.ErrorIsf(t, err, verify.ErrInvalidOption, "New(%q, %q, ...): %v; want ErrInvalidOption", tt.site, tt.secret, err)
	}
}

func TestNewAcceptsKeysOfLettersDigitsDashAndUnderscore(t *testing.T) {
	for _, key := range []string{"azAZ09-_", "0x4AAAAAAABkMYinukE8nzY"} {
		_, err := turnstile.New(key, "secret", turnstile.WithAction(key))
		assert.NoErrorf(t, err, "New(%q): %v", key, err)
	}
}

func TestWidget(t *testing.T) {
	c, err := turnstile.New("0x4AAA-key", "secret", turnstile.WithAction("verify"))
	require.NoError(t, err)
	w := string(c.Widget())
	for _, want := range []string{`src="https://challenges.cloudflare.com/turnstile/v0/api.js"`, `class="cf-turnstile"`, `data-sitekey="0x4AAA-key"`, `data-action="verify"`} {
		assert.Containsf(t, w, want, "widget %s lacks %s", w, want)
	}
	assert.Equalf(t, "cf-turnstile-response", c.Field(), "Field() = %q", c.Field())
}
