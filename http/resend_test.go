package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resendWaits returns the seconds each resend button of a code page
// waits (data-in), by the channel it asks for.
func resendWaits(t *testing.T, body string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`<button type="submit" name="channel" value="(\w+)"[^>]* data-in="(\d+)"`).FindAllStringSubmatch(body, -1)
	require.Len(t, m, 2, "two resend buttons, each with data-in:\n%s", body)
	return map[string]string{m[0][1]: m[0][2], m[1][1]: m[1][2]}
}

// TestResendButtonsWait: each resend button waits for the cooldown of its
// own channel (the Verifier counts each channel apart): after a switch to
// SMS 12 seconds into a call, the call button waits the 18 seconds left of
// the call's cooldown, and the SMS button its whole cooldown.
func TestResendButtonsWait(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	b.started(testPhone, "voice")
	assert.Equal(t, map[string]string{"voice": "30", "sms": "0"}, resendWaits(t, b.get("code").body))
	e.clock.Advance(12 * time.Second)
	r := b.post("resend", url.Values{"channel": {"sms"}})
	require.Equal(t, "code", r.location())
	assert.Equal(t, map[string]string{"sms": "30", "voice": "18"}, resendWaits(t, b.get("code").body))
	e.clock.Advance(20 * time.Second)
	assert.Equal(t, map[string]string{"sms": "10", "voice": "0"}, resendWaits(t, b.get("code").body))
}

// TestEarlyResendWithoutScript: a resend button clicked before its
// channel's cooldown has passed (without JavaScript, it is not disabled)
// is told how long to wait, in words, without a call to the Verifier;
// reloaded after the wait, the page no longer says so.
func TestEarlyResendWithoutScript(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	b.started(testPhone, "voice")
	e.clock.Advance(5 * time.Second)
	b.post("resend", url.Values{"channel": {"sms"}})
	require.Len(t, e.fake.Messages(), 2)
	e.clock.Advance(2 * time.Second)
	r := b.submit("resend", url.Values{"channel": {"voice"}})
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Contains(t, r.body, "You can ask for a new code in 23 seconds.")
	assert.Equal(t, "23", r.header.Get("Retry-After"))
	assert.Len(t, e.fake.Messages(), 2, "the Verifier was asked")

	e.clock.Advance(20 * time.Second)
	r = b.get("code")
	assert.Contains(t, r.body, "You can ask for a new code in 3 seconds.", "the wait as it stands when the page is shown")
	e.clock.Advance(4 * time.Minute)
	r = b.get("code")
	assert.Equal(t, http.StatusOK, r.status, "long after the wait, the page is not a 429")
	assert.NotContains(t, r.body, "You can ask for a new code in")
}

// TestResendNotice: after a resend, the code page says, in a status
// region, that a new code was sent and that only it works; the first
// code page does not.
func TestResendNotice(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	b.started(testPhone, "voice")
	assert.NotContains(t, b.get("code").body, `id="notice"`)
	e.clock.Advance(31 * time.Second)
	b.post("resend", url.Values{"channel": {"voice"}})
	assert.Contains(t, b.get("code").body, `<p class="notice" id="notice" role="status" data-when="live">We are calling you again with a new code. Only the newest code works.</p>`)
	e.clock.Advance(31 * time.Second)
	b.post("resend", url.Values{"channel": {"sms"}})
	assert.Contains(t, b.get("code").body, "We have texted you a new code. Only the newest code works.")
}

// TestExpiredState: once the code expired, the code page says so in its
// heading, offers a new code on either channel, and asks no more "Missed
// the call?"; after a reload it says "expired" when the clock says so,
// and "already used" when the provider did.
func TestExpiredState(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	code := b.started(testPhone, "voice")
	e.clock.Advance(10*time.Minute + time.Second)
	for range 2 { // and after a reload
		r := b.get("code")
		assert.Equal(t, http.StatusGone, r.status)
		assert.Contains(t, r.body, "<h1>Your code has expired</h1>")
		assert.Contains(t, r.body, ">Call me with a new code</button>")
		assert.Contains(t, r.body, ">Text me a new code</button>")
		assert.NotContains(t, r.body, "Missed the call?")
		assert.NotContains(t, r.body, "already used")
	}
	r := b.submit("code", url.Values{"code": {code}})
	assert.Contains(t, r.body, "<h1>Your code has expired</h1>")
	assert.NotContains(t, r.body, `class="alert"`, "the heading says it; no second, vaguer message")

	e = newEnv(t, envConfig{})
	b = e.browser()
	code = b.started(testPhone, "voice")
	old := b.cookie()
	b.post("code", url.Values{"code": {code}})
	b.setCookie(old.Value)
	r = b.submit("code", url.Values{"code": {code}})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Contains(t, r.body, "This code was already used.")
	r = b.get("code") // a reload
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Contains(t, r.body, "This code was already used.")
}

// TestValidUntilWithoutScript: the code page says when the code stops
// working as a time of day, in a <time> element a script can show in the
// user's time zone, and says the zone it is in without one.
func TestValidUntilWithoutScript(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.speaking("de-DE")
	b.started(testPhone, "sms")
	r := b.get("code")
	assert.Contains(t, r.body, `<time datetime="2026-03-04T10:10:00Z">10:10 UTC</time>`)
	assert.Regexp(t, `<p class="timer" id="timer" hidden>`, r.body, "the countdown is for the script to show")
}
