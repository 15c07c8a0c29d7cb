package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inScript writes the ASCII digits of s in the script whose zero is zero.
func inScript(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

// TestDigitsAsTyped: a number and a code typed in full-width (a Japanese
// input method), Arabic-Indic or Persian digits verify, and a code of the
// wrong length in such digits is told how many digits a code has, and a
// wrong one of the right length that it is wrong.
func TestDigitsAsTyped(t *testing.T) {
	for _, zero := range []rune{'０', '٠', '۰'} {
		e := newEnv(t, envConfig{})
		b := e.browser()
		r := b.post("", url.Values{"phone": {inScript("+31 6 1234 5678", zero)}, "channel": {"sms"}})
		require.Equal(t, "code", r.location(), "%c: %s", zero, b.follow(r).body)
		code, ok := e.fake.LastCode(testPhone)
		require.True(t, ok)
		r = b.submit("code", url.Values{"code": {inScript(code[:5], zero)}})
		assert.Contains(t, r.body, "Enter the 6-digit code.", "%c", zero)
		r = b.submit("code", url.Values{"code": {inScript(wrongCode(code), zero)}})
		assert.Contains(t, r.body, "That code is not right.", "%c: six digits, if not the right ones", zero)
		r = b.post("code", url.Values{"code": {inScript(code[:3]+" "+code[3:], zero)}})
		assert.Equal(t, http.StatusSeeOther, r.status)
		assert.Equal(t, "done", r.location(), "%c", zero)
		assert.Equal(t, 1, e.verifiedCount())
	}
}

// TestCodeSeparatorsAsTyped: a code typed with the separators an input
// method gives between its digits (the minus sign U+2212, the katakana
// prolonged sound mark ー of a Japanese keyboard, a full-width hyphen, an
// ideographic space), which the Verifier ignores, reads as a code: a
// wrong one is told it is not right, not that a code has 6 digits, and
// the right one verifies.
func TestCodeSeparatorsAsTyped(t *testing.T) {
	for _, sep := range []string{"\u2212", "\u30fc", "\uff0d", "\u3000", "-", " "} {
		e := newEnv(t, envConfig{})
		b := e.browser()
		code := b.started(testPhone, "sms")
		typed := func(code string) string { return code[:3] + sep + code[3:] }
		r := b.submit("code", url.Values{"code": {typed(wrongCode(code))}})
		assert.Contains(t, r.body, "That code is not right.", "%q", sep)
		assert.NotContains(t, r.body, "Enter the 6-digit code.", "%q", sep)
		r = b.post("code", url.Values{"code": {typed(code)}})
		assert.Equal(t, http.StatusSeeOther, r.status, "%q", sep)
		assert.Equal(t, "done", r.location(), "%q", sep)
		assert.Equal(t, 1, e.verifiedCount(), "%q", sep)
	}
	// A dash the Verifier does not read as one (the wave dash U+301C, a
	// Japanese input method's) makes a malformed code, and the page asks
	// for the code's form rather than saying it is wrong.
	e := newEnv(t, envConfig{})
	b := e.browser()
	code := b.started(testPhone, "sms")
	r := b.submit("code", url.Values{"code": {code[:3] + "\u301c" + code[3:]}})
	assert.Contains(t, r.body, "Enter the 6-digit code.")
	assert.Zero(t, e.verifiedCount())
}
