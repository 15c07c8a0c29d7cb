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
