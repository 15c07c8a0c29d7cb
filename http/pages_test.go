package http_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	r := b.get("code")
	require.Equalf(t, http.StatusOK, r.status, "a second before expiry: GET code = %d, want the code form", r.status)
	require.Containsf(t, r.body, `name="code"`, "a second before expiry: GET code = %d, want the code form", r.status)
	e.clock.Advance(1e9)
	r = b.get("code")
	require.Equalf(t, http.StatusGone, r.status, "at expiry: GET code = %d, want 410 without the code field", r.status)
	require.NotContainsf(t, r.body, `name="code"`, "at expiry: GET code = %d, want 410 without the code field", r.status)
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
		require.Equalf(t, http.StatusSeeOther, posted.status, "%d bytes: start = %d %q, want 303 back to the phone form", tt.n, posted.status, posted.location())
		require.Truef(t, strings.HasPrefix(posted.location(), "./"), "%d bytes: start = %d %q, want 303 back to the phone form", tt.n, posted.status, posted.location())
		r := b.follow(posted)
		require.Equalf(t, http.StatusUnprocessableEntity, r.status, "%d bytes: phone form = %d, want 422 with the form", tt.n, r.status)
		require.Containsf(t, r.body, `id="phone"`, "%d bytes: phone form = %d, want 422 with the form", tt.n, r.status)
		want := `value=""`
		if tt.kept {
			want = `value="` + input + `"`
		}
		assert.Containsf(t, r.body, want, "%d bytes: the form lacks %s", tt.n, want)
	}
}

// TestPageContentLength: a page says its length, so that it is not sent
// in chunks.
func TestPageContentLength(t *testing.T) {
	e := newEnv(t, envConfig{})
	r := e.browser().get("")
	got := r.header.Get("Content-Length")
	require.Equalf(t, 200, r.status, "status %d, Content-Length %q, body %d bytes", r.status, got, len(r.body))
	require.Equalf(t, strconv.Itoa(len(r.body)), got, "status %d, Content-Length %q, body %d bytes", r.status, got, len(r.body))
}

// TestCodePageAfterTooManyWrongCodes: once too many wrong codes were
// entered, the code page's heading says so, in every built-in language,
// rather than asking the user to answer the phone or check the messages.
func TestCodePageAfterTooManyWrongCodes(t *testing.T) {
	h1 := regexp.MustCompile(`<h1[^>]*>([^<]*)</h1>`)
	for _, lang := range []string{"en", "nl", "de", "fr", "es", "it", "pt-BR", "pt-PT", "pl", "ro", "ru", "zh-Hans", "zh-Hant", "ja", "ko", "is"} {
		for _, channel := range []string{"voice", "sms"} {
			t.Run(lang+"/"+channel, func(t *testing.T) {
				texts := verifyhttp.DefaultMessages(lang)
				want := texts["code_heading_too_many_attempts"]
				require.NotEmpty(t, want)
				e := newEnv(t, envConfig{})
				b := e.speaking(lang)
				code := b.started(testPhone, channel)
				var r *response
				for range 6 {
					if r = b.submit("code", url.Values{"code": {wrongCode(code)}}); r.status == http.StatusGone {
						break
					}
				}
				require.Equal(t, http.StatusGone, r.status, r.body)
				m := h1.FindStringSubmatch(r.body)
				require.NotNil(t, m, r.body)
				assert.Equal(t, want, html.UnescapeString(m[1]))
				assert.NotContains(t, r.body, `id="code-form"`, "the code field is still offered")
			})
		}
	}
}
