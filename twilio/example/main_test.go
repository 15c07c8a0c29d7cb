package main

import (
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/twilio"
	"github.com/phoneverify/verify/twilio/twiliotest"
)

// TestFailover verifies a number through the pages with MessageBird
// first, Twilio Verify second and otp over Twilio's Messaging third, each
// against its emulator, while the ones before it answer 500.
func TestFailover(t *testing.T) {
	mb := mbtest.NewServer()
	t.Cleanup(mb.Close)
	tw := twiliotest.NewServer()
	t.Cleanup(tw.Close)
	env := map[string]string{
		"TWILIO_ACCOUNT_SID": twiliotest.AccountSID, "TWILIO_AUTH_TOKEN": twiliotest.AuthToken,
		"TWILIO_VERIFY_SERVICE_SID": twiliotest.ServiceSID, "TWILIO_FROM": "+15005550006",
		"MESSAGEBIRD_ACCESS_KEY": mbtest.AccessKey,
	}
	h, err := newHandler(slog.New(slog.DiscardHandler), func(k string) string { return env[k] },
		[]byte("0123456789abcdef0123456789abcdef"), option{
			twilio:      []twilio.Option{twilio.WithHTTPClient(tw.Client())},
			messagebird: []messagebird.Option{messagebird.WithEndpoint(mb.URL)},
		})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	// Each round verifies another number: the Verifier's cooldown would
	// refuse a second start to one number within 30 seconds.
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

	// MessageBird is up: it serves.
	verifyOnce("+31612345678", "voice", func() string { code, _ := mb.LastCode("31612345678"); return code })
	assert.Len(t, tw.Sent(), 0)

	// MessageBird fails: Twilio Verify serves.
	mb.Inject(mbtest.InternalError())
	verifyOnce("+31612345679", "voice", func() string {
		sent := tw.Sent()
		require.Len(t, sent, 1)
		assert.Equal(t, "verify", sent[0].Kind)
		return sent[0].Code
	})

	// Both Verify APIs fail: otp makes the code and Twilio texts it.
	mb.Inject(mbtest.InternalError())
	tw.Inject(twiliotest.InternalError())
	verifyOnce("+31612345670", "sms", func() string {
		sent := tw.Sent()
		require.Len(t, sent, 2)
		assert.Equal(t, "sms", sent[1].Kind)
		return strings.Map(func(c rune) rune {
			if c < '0' || c > '9' {
				return -1
			}
			return c
		}, strings.SplitN(sent[1].Body, "\n", 2)[0])
	})
}

func TestNeedsTwilio(t *testing.T) {
	_, err := newHandler(slog.New(slog.DiscardHandler), func(string) string { return "" }, make([]byte, 32))
	assert.ErrorContains(t, err, "TWILIO_ACCOUNT_SID")
}
