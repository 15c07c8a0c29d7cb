package http_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestCodePageAtExpiry: at the instant the code expires, the code page no
// longer offers the code field and answers 410, as a check then would;
// a second before, it still does.
func TestCodePageAtExpiry(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	b.started(testPhone, "sms")
	left := e.fake.Messages()[0].ExpiresAt.Sub(e.clock.Now())
	e.clock.Advance(left - 1e9)
	if r := b.get("code"); r.status != http.StatusOK || !strings.Contains(r.body, `name="code"`) {
		t.Fatalf("a second before expiry: GET code = %d, want the code form", r.status)
	}
	e.clock.Advance(1e9)
	if r := b.get("code"); r.status != http.StatusGone || strings.Contains(r.body, `name="code"`) {
		t.Fatalf("at expiry: GET code = %d, want 410 without the code field", r.status)
	}
}

// TestFailedStartKeepsInput: a refused number leads back to the phone
// form (Post/Redirect/Get), which shows it as typed, up to 64 bytes; a
// longer input is left out of the form, not of the redirect.
func TestFailedStartKeepsInput(t *testing.T) {
	for _, tt := range []struct {
		n    int
		kept bool
	}{{64, true}, {65, false}} {
		e := newEnv(t, envConfig{})
		b := e.browser()
		input := "06 " + strings.Repeat("9", tt.n-3)
		posted := b.post("", url.Values{"phone": {input}})
		if posted.status != http.StatusSeeOther || !strings.HasPrefix(posted.location(), "./") {
			t.Fatalf("%d bytes: start = %d %q, want 303 back to the phone form", tt.n, posted.status, posted.location())
		}
		r := b.follow(posted)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="phone"`) {
			t.Fatalf("%d bytes: phone form = %d, want 422 with the form", tt.n, r.status)
		}
		want := `value=""`
		if tt.kept {
			want = `value="` + input + `"`
		}
		if !strings.Contains(r.body, want) {
			t.Errorf("%d bytes: the form lacks %s", tt.n, want)
		}
	}
}

// TestPageContentLength: a page says its length, so that it is not sent
// in chunks.
func TestPageContentLength(t *testing.T) {
	e := newEnv(t, envConfig{})
	r := e.browser().get("")
	if got := r.header.Get("Content-Length"); r.status != 200 || got != strconv.Itoa(len(r.body)) {
		t.Fatalf("status %d, Content-Length %q, body %d bytes", r.status, got, len(r.body))
	}
}
