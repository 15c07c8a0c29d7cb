package http_test

import (
	"net/http"
	"net/url"
	"testing"

	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inSession returns a browser of e whose requests carry the app's
// session, here an X-Session header.
func (e *env) inSession(session string) *browser {
	b := e.browser()
	b.c.Transport = headerTransport{"X-Session", session}
	return b
}

// TestSessionBinding: cookie tossing. An attacker verifies their own
// number, then plants the state cookie in a victim's browser (a sibling
// subdomain or path can set it). Without WithSessionBinding the victim's
// browser continues the attacker's verification; with it, the cookie
// sealed for the attacker's session does not open in the victim's, and
// the victim's own verification works as before.
func TestSessionBinding(t *testing.T) {
	toss := func(e *env) (victim *browser) {
		attacker := e.inSession("attacker")
		code := attacker.started(testPhone, "voice")
		attacker.post("code", url.Values{"code": {code}})
		require.Equal(t, http.StatusOK, attacker.get("done").status)
		victim = e.inSession("victim")
		victim.setCookie(attacker.cookie().Value)
		return victim
	}

	e := newEnv(t, envConfig{})
	r := toss(e).get("done")
	assert.Equal(t, http.StatusOK, r.status, "without the option, the tossed cookie is taken")
	assert.Contains(t, r.body, "+31 6 •••• 5678")

	e = newEnv(t, envConfig{httpOpts: []verifyhttp.Option{
		verifyhttp.WithSessionBinding(func(r *http.Request) string { return r.Header.Get("X-Session") }),
	}})
	victim := toss(e)
	r = victim.get("done")
	assert.Equal(t, http.StatusSeeOther, r.status, "the tossed cookie opened in another session")
	assert.Equal(t, "./", r.location())
	r = victim.get("code")
	assert.Equal(t, "./?e=session_invalid", r.location())

	own := e.inSession("someone")
	code := own.started(testPhone, "sms") // the attacker used voice: another cooldown
	r = own.post("code", url.Values{"code": {code}})
	assert.Equal(t, "done", r.location(), "a verification in one session")
}
