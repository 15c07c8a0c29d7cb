package http_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBackAndTheSameNumber: the user reaches the code page, goes Back
// and sends the same number again (as typed, or in full-width digits):
// the code page of the verification in progress, with no error and no
// second call. Another number, the other channel, or an expired code
// start anew.
func TestBackAndTheSameNumber(t *testing.T) {
	for _, typed := range []string{testPhone, "+31 6 12345678", "＋３１６１２３４５６７８"} {
		e := newEnv(t, envConfig{})
		b := e.browser()
		b.started(testPhone, "voice")
		before := b.cookie().Value
		e.clock.Advance(5 * time.Second)
		r := b.post("", url.Values{"phone": {typed}, "channel": {"voice"}})
		require.Equal(t, http.StatusSeeOther, r.status, "the phone form sent again with %q", typed)
		assert.Equal(t, "code", r.location())
		assert.Len(t, e.fake.Messages(), 1, "a second call was made for %q", typed)
		assert.Equal(t, before, b.cookie().Value, "the state of the verification in progress was replaced")
		page := b.get("code")
		assert.Equal(t, http.StatusOK, page.status)
		assert.NotContains(t, page.body, `class="alert"`)
		assert.Contains(t, page.body, "Answer your phone")
	}

	e := newEnv(t, envConfig{})
	b := e.browser()
	b.started(testPhone, "voice")
	e.clock.Advance(31 * time.Second)
	b.post("", url.Values{"phone": {"+31612345679"}, "channel": {"voice"}})
	assert.Len(t, e.fake.Messages(), 2, "another number starts a verification of its own")
	b.post("", url.Values{"phone": {"+31612345679"}, "channel": {"sms"}})
	assert.Len(t, e.fake.Messages(), 3, "the other channel starts a verification of its own")
	e.clock.Advance(11 * time.Minute)
	b.post("", url.Values{"phone": {"+31612345679"}, "channel": {"sms"}})
	assert.Len(t, e.fake.Messages(), 4, "once the code expired, a start sends a new one")

	// A code that can no longer be used (too many wrong ones): a start
	// sends a new one rather than return to it.
	e = newEnv(t, envConfig{})
	b = e.browser()
	code := b.started(testPhone, "voice")
	for range 5 {
		b.post("code", url.Values{"code": {wrongCode(code)}})
	}
	require.Contains(t, b.get("code").body, "Too many wrong codes")
	e.clock.Advance(31 * time.Second)
	r := b.post("", url.Values{"phone": {testPhone}, "channel": {"voice"}})
	assert.Equal(t, "code", r.location())
	assert.Len(t, e.fake.Messages(), 2, "the used-up verification was resumed")
	assert.NotContains(t, b.get("code").body, "Too many wrong codes")
}

// TestAPIStartResumes: a start of the JSON API that gives the token of
// the verification in progress, for its number and channel, answers with
// that verification (the same id), with no second call.
func TestAPIStartResumes(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser()
	status, first, _ := apiCall(t, b, "start", map[string]string{"phone": testPhone, "channel": "sms"})
	require.Equal(t, http.StatusOK, status, "%v", first)
	require.NotEmpty(t, first["id"])
	e.clock.Advance(5 * time.Second)
	status, again, _ := apiCall(t, b, "start", map[string]string{"phone": "06 1234 5678 ", "channel": "sms", "token": first["token"].(string)})
	// A national number, without a default region, cannot be read: a
	// start of its own, which the Verifier refuses.
	assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", again)
	status, again, _ = apiCall(t, b, "start", map[string]string{"phone": "+31 6 1234 5678", "channel": "sms", "token": first["token"].(string)})
	require.Equal(t, http.StatusOK, status, "%v", again)
	assert.Equal(t, first["id"], again["id"])
	assert.Equal(t, first["expires_at"], again["expires_at"])
	assert.Len(t, e.fake.Messages(), 1, "a second text was sent")

	// Without the token, or with a token of another number: a new start,
	// which the resend cooldown refuses.
	status, out, _ := apiCall(t, b, "start", map[string]string{"phone": testPhone, "channel": "sms"})
	assert.Equal(t, http.StatusTooManyRequests, status, "%v", out)
	assert.Len(t, e.fake.Messages(), 1)
}
