package http_test

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// setCookie returns the cookie named name that r sets, or fails t.
func setCookie(t *testing.T, r *response, name string) *http.Cookie {
	t.Helper()
	for _, c := range r.resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	require.FailNowf(t, "no cookie set", "%s; status %d %q", name, r.status, r.location())
	return nil
}

// TestCookieLifetimes: each cookie lives as long as what it carries is
// accepted, counted in seconds: the state of a started verification until
// an hour after its code expires (the code page can still say "expired"),
// the flash of a failure 10 minutes, a verified state 15 minutes.
func TestCookieLifetimes(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	r := b.post("", url.Values{"phone": {testPhone}, "channel": {"sms"}})
	require.Equalf(t, http.StatusSeeOther, r.status, "start = %d %q", r.status, r.location())
	msgs := e.fake.Messages()
	require.Equalf(t, 1, len(msgs), "%d messages sent, want 1", len(msgs))
	validity := msgs[0].ExpiresAt.Sub(e.clock.Now())
	require.Falsef(t, validity <= 0, "the code is valid for %v", validity)
	got, want := setCookie(t, r, "phoneverify").MaxAge, int((validity + time.Hour).Seconds())
	assert.Equalf(t, want, got, "state cookie Max-Age = %d, want %d (the code's %v and an hour)", got, want, validity)
	code, _ := e.fake.LastCode(testPhone)

	r = b.post("code", url.Values{"code": {wrongCode(code)}})
	got, want = setCookie(t, r, "phoneverify-flash").MaxAge, 10*60
	assert.Equalf(t, want, got, "flash cookie Max-Age = %d, want %d", got, want)

	e.clock.Advance(time.Minute) // the verified state counts from its own time
	r = b.post("code", url.Values{"code": {code}})
	require.Equalf(t, http.StatusSeeOther, r.status, "check = %d %q", r.status, r.location())
	require.Equalf(t, "done", r.location(), "check = %d %q", r.status, r.location())
	got, want = setCookie(t, r, "phoneverify").MaxAge, 15*60
	assert.Equalf(t, want, got, "verified state cookie Max-Age = %d, want %d", got, want)
}

// TestStartDeletesFlash: a start that succeeded after a failed one
// deletes the flash cookie that carried the failure (Max-Age=0), so the
// browser stops sending it.
func TestStartDeletesFlash(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	r := b.post("", url.Values{"phone": {"+31 6 1234"}})
	c := setCookie(t, r, "phoneverify-flash")
	require.Falsef(t, c.MaxAge <= 0, "failed start: flash cookie Max-Age = %d", c.MaxAge)
	r = b.post("", url.Values{"phone": {testPhone}, "channel": {"sms"}})
	c = setCookie(t, r, "phoneverify-flash")
	require.Falsef(t, c.MaxAge >= 0 || c.Value != "" || c.Path != "/verify/", "start after a failure: flash cookie %q Max-Age %d path %q, want deleted", c.Value, c.MaxAge, c.Path)
}
