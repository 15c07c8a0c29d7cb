package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/twilio/twiliotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func TestChooseProvider(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "")
	p, inbox, err := chooseProvider(log, testSecret)
	require.NoError(t, err, "without a key")
	require.NotNil(t, p, "without a key: want the fake")
	require.NotNil(t, inbox, "without a key: want the fake's inbox")
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "bad key")
	_, _, err = chooseProvider(log, testSecret)
	require.ErrorIs(t, err, verify.ErrInvalidOption, "with a malformed key")
	require.Contains(t, err.Error(), "MESSAGEBIRD_ACCESS_KEY", "with a malformed key: want the variable named")
}

// TestMessageBird runs the app against the MessageBird emulator, as
// MESSAGEBIRD_ACCESS_KEY and MESSAGEBIRD_ENDPOINT would have it.
func TestMessageBird(t *testing.T) {
	mb := mbtest.NewServer()
	defer mb.Close()
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", mbtest.AccessKey)
	t.Setenv("MESSAGEBIRD_ENDPOINT", mb.URL)
	log := slog.New(slog.DiscardHandler)
	p, inbox, err := chooseProvider(log, testSecret)
	require.NoError(t, err, "chooseProvider = %T", p)
	require.True(t, inbox == nil, "chooseProvider = %T, %v; want MessageBird without an inbox", p, inbox)
	h, err := newHandler(log, p, inbox, []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(srv.URL+"/", url.Values{"phone": {"+31 6 12345678"}})
	require.NoError(t, err, "start")
	require.Equal(t, "/code", res.Request.URL.Path, "start")
	res.Body.Close()
	code, ok := mb.LastCode("31612345678")
	require.True(t, ok, "the emulator sent no code")
	res, err = c.PostForm(srv.URL+"/code", url.Values{"code": {code}})
	require.NoError(t, err, "check")
	require.Equal(t, "/done", res.Request.URL.Path, "check")
	require.Equal(t, http.StatusOK, res.StatusCode, "check")
	res.Body.Close()
	res, err = http.Get(srv.URL + "/dev/inbox")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "/dev/inbox with MessageBird: there is no inbox")
}

func TestLoadSecret(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Setenv("VERIFY_SECRET", "")
	a, err := loadSecret(log)
	b, _ := loadSecret(log)
	require.NoError(t, err, "random secret")
	require.Len(t, a, 32, "random secret")
	require.NotEqual(t, string(a), string(b), "two random secrets")
	t.Setenv("VERIFY_SECRET", "too short")
	_, err = loadSecret(log)
	require.Error(t, err, "short secret")
	require.Contains(t, err.Error(), "at least 32", "short secret")
	t.Setenv("VERIFY_SECRET", strings.Repeat("k", 40))
	s, err := loadSecret(log)
	require.NoError(t, err, "good secret")
	require.Len(t, s, 40, "good secret")
}

// TestFakeStaysLocal: on the fake provider, whose inbox shows every
// code, the app refuses to listen beyond loopback (a missing key must not
// quietly put the fake on the network), and its development pages answer
// only requests addressed to localhost (no DNS rebinding).
func TestFakeStaysLocal(t *testing.T) {
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "")
	t.Setenv("VERIFY_SECRET", "")
	for _, addr := range []string{":8080", "0.0.0.0:8080", "[::]:0", "192.0.2.1:8080"} {
		t.Setenv("ADDR", addr)
		err := run(slog.New(slog.DiscardHandler))
		require.ErrorIs(t, err, errNotLoopback, "ADDR=%s", addr)
	}

	log := slog.New(slog.DiscardHandler)
	p, inbox, err := chooseProvider(log, testSecret)
	require.NoError(t, err)
	h, err := newHandler(log, p, inbox, []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	for _, path := range []string{"/dev/inbox", "/dev/stats"} {
		for host, want := range map[string]int{"localhost:8080": http.StatusOK, "127.0.0.1:8080": http.StatusOK, "rebound.example:8080": http.StatusNotFound} {
			r := httptest.NewRequest("GET", path, nil)
			r.Host = host
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, want, w.Code, "%s with Host %s", path, host)
		}
	}
}

// TestFakeLimitsAreRelaxed: a developer on the fake can start more than
// the production default of 20 verifications an hour from one address.
func TestFakeLimitsAreRelaxed(t *testing.T) {
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "")
	log := slog.New(slog.DiscardHandler)
	p, inbox, err := chooseProvider(log, testSecret)
	require.NoError(t, err)
	h, err := newHandler(log, p, inbox, []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for i := range 25 {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, err := c.PostForm(srv.URL+"/", url.Values{"phone": {fmt.Sprintf("+31 6 123456%02d", i)}})
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, "/code", res.Request.URL.Path, "start %d", i+1)
	}
}

// TestNationalNumbers: with VERIFY_REGION, a number typed without its
// country code is verified, and the form's hint shows a national one.
func TestNationalNumbers(t *testing.T) {
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "")
	t.Setenv("VERIFY_REGION", "NL")
	log := slog.New(slog.DiscardHandler)
	p, inbox, err := chooseProvider(log, testSecret)
	require.NoError(t, err)
	h, err := newHandler(log, p, inbox, []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(srv.URL + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Contains(t, string(body), "06 12345678", "the phone form's hint has no national example")
	res, err = c.PostForm(srv.URL+"/", url.Values{"phone": {"06 12345678"}})
	require.NoError(t, err, "start with a national number")
	require.Equal(t, "/code", res.Request.URL.Path, "start with a national number")
	res.Body.Close()
}

// TestFailover verifies numbers through the pages with MessageBird's
// Verify API first, Twilio's second and otp over MessageBird's Messages
// API third, each against its emulator, as the environment configures
// them, while the ones before it answer 500.
func TestFailover(t *testing.T) {
	mb := mbtest.NewServer()
	t.Cleanup(mb.Close)
	tw := twiliotest.NewServer()
	t.Cleanup(tw.Close)
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", mbtest.AccessKey)
	t.Setenv("MESSAGEBIRD_ENDPOINT", mb.URL)
	t.Setenv("TWILIO_ACCOUNT_SID", twiliotest.AccountSID)
	t.Setenv("TWILIO_AUTH_TOKEN", twiliotest.AuthToken)
	t.Setenv("TWILIO_VERIFY_SERVICE_SID", twiliotest.ServiceSID)
	t.Setenv("TWILIO_ENDPOINT", tw.URL)
	log := slog.New(slog.DiscardHandler)
	p, inbox, err := chooseProvider(log, testSecret)
	require.NoError(t, err)
	require.Nil(t, inbox, "a real provider has no inbox")
	h, err := newHandler(log, p, inbox, testSecret)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	// Each round verifies another number: the cooldown would refuse a
	// second start to one number within 30 seconds.
	verifyOnce := func(phone, channel string, code func() string) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		post := func(path string, form url.Values, want string) {
			t.Helper()
			res, err := c.PostForm(srv.URL+path, form)
			require.NoError(t, err)
			res.Body.Close()
			require.Equal(t, want, res.Request.URL.Path, "POST %s", path)
		}
		post("/", url.Values{"phone": {phone}, "channel": {channel}}, "/code")
		post("/code", url.Values{"code": {code()}}, "/done")
	}

	// MessageBird is up: it serves, and Twilio sends nothing.
	verifyOnce("+31612345678", "voice", func() string { code, _ := mb.LastCode("31612345678"); return code })
	assert.Empty(t, tw.Sent())

	// MessageBird's Verify API fails: Twilio Verify serves.
	mb.Inject(mbtest.InternalError().On("/verify"))
	verifyOnce("+31612345679", "voice", func() string {
		sent := tw.Sent()
		require.Len(t, sent, 1)
		assert.Equal(t, "verify", sent[0].Kind)
		return sent[0].Code
	})

	// Both Verify APIs fail: otp makes the code, MessageBird texts it.
	mb.Inject(mbtest.InternalError().On("/verify"))
	tw.Inject(twiliotest.InternalError())
	verifyOnce("+31612345670", "sms", func() string {
		text, ok := mb.LastText("31612345670")
		require.True(t, ok, "MessageBird's Messages API sent nothing")
		return strings.Map(func(c rune) rune {
			if c < '0' || c > '9' {
				return -1
			}
			return c
		}, strings.SplitN(text, "\n", 2)[0])
	})
}
