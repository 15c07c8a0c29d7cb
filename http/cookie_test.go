package http_test

import (
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
	t.Fatalf("no cookie %s set; status %d %q", name, r.status, r.location())
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
	if r.status != http.StatusSeeOther {
		t.Fatalf("start = %d %q", r.status, r.location())
	}
	msgs := e.fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages sent, want 1", len(msgs))
	}
	validity := msgs[0].ExpiresAt.Sub(e.clock.Now())
	if validity <= 0 {
		t.Fatalf("the code is valid for %v", validity)
	}
	if got, want := setCookie(t, r, "phoneverify").MaxAge, int((validity + time.Hour).Seconds()); got != want {
		t.Errorf("state cookie Max-Age = %d, want %d (the code's %v and an hour)", got, want, validity)
	}
	code, _ := e.fake.LastCode(testPhone)

	r = b.post("code", url.Values{"code": {wrongCode(code)}})
	if got, want := setCookie(t, r, "phoneverify-flash").MaxAge, 10*60; got != want {
		t.Errorf("flash cookie Max-Age = %d, want %d", got, want)
	}

	e.clock.Advance(time.Minute) // the verified state counts from its own time
	r = b.post("code", url.Values{"code": {code}})
	if r.status != http.StatusSeeOther || r.location() != "done" {
		t.Fatalf("check = %d %q", r.status, r.location())
	}
	if got, want := setCookie(t, r, "phoneverify").MaxAge, 15*60; got != want {
		t.Errorf("verified state cookie Max-Age = %d, want %d", got, want)
	}
}

// TestStartDeletesFlash: a start that succeeded after a failed one
// deletes the flash cookie that carried the failure (Max-Age=0), so the
// browser stops sending it.
func TestStartDeletesFlash(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	r := b.post("", url.Values{"phone": {"+31 6 1234"}})
	if c := setCookie(t, r, "phoneverify-flash"); c.MaxAge <= 0 {
		t.Fatalf("failed start: flash cookie Max-Age = %d", c.MaxAge)
	}
	r = b.post("", url.Values{"phone": {testPhone}, "channel": {"sms"}})
	if c := setCookie(t, r, "phoneverify-flash"); c.MaxAge >= 0 || c.Value != "" || c.Path != "/verify/" {
		t.Fatalf("start after a failure: flash cookie %q Max-Age %d path %q, want deleted", c.Value, c.MaxAge, c.Path)
	}
}
