package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/http/turnstile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stubChallenge passes the token "human" and fails every other; with down
// set it cannot be checked at all.
type stubChallenge struct {
	mu   sync.Mutex
	down bool
	seen []string // token and remote IP of each Verify
}

func (c *stubChallenge) Field() string         { return "bot-check" }
func (c *stubChallenge) Widget() template.HTML { return `<div class="bot-check-widget"></div>` }
func (c *stubChallenge) Verify(_ context.Context, token, ip string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, token+" "+ip)
	switch {
	case c.down:
		return errors.New("stub: unreachable")
	case token != "human":
		return verifyhttp.ErrChallengeFailed
	}
	return nil
}

func TestChallengeGuardsTheFirstStart(t *testing.T) {
	c := &stubChallenge{}
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithChallenge(c)}})
	b := e.browser()

	r := b.get("")
	require.Containsf(t, r.body, `<div class="bot-check-widget"></div>`, "the phone form does not show the challenge:\n%s", r.body)
	for _, token := range []string{"", "bot"} {
		r := b.post("", url.Values{"phone": {testPhone}, "bot-check": {token}})
		require.Falsef(t, r.status == http.StatusSeeOther && r.location() == "code", "token %q: the start went ahead", token)
		page := b.follow(r)
		require.Containsf(t, page.body, "bot-check-widget", "token %q: the form is not shown again with an error:\n%s", token, page.body)
		require.Containsf(t, page.body, `role="alert"`, "token %q: the form is not shown again with an error:\n%s", token, page.body)
	}
	n := len(e.fake.Messages())
	require.Equalf(t, 0, n, "%d codes sent without passing the challenge", n)
	r = b.post("", url.Values{"phone": {testPhone}, "bot-check": {"human"}})
	require.Equalf(t, http.StatusSeeOther, r.status, "passed challenge: %d %q, want 303 to code", r.status, r.location())
	require.Equalf(t, "code", r.location(), "passed challenge: %d %q, want 303 to code", r.status, r.location())
	require.Equal(t, 1, len(e.fake.Messages()), "no code sent after the challenge passed")
	// The resend needs the sealed state, not a new challenge.
	e.clock.Advance(time.Minute)
	r = b.post("resend", url.Values{"channel": {"voice"}})
	require.Equalf(t, http.StatusSeeOther, r.status, "resend: %d %q, want 303 to code", r.status, r.location())
	require.Equalf(t, "code", r.location(), "resend: %d %q, want 303 to code", r.status, r.location())
	got := c.seen[len(c.seen)-1]
	require.Equalf(t, "human 127.0.0.1", got, "the challenge was asked about %q, want the token and the client's address", got)
}

func TestChallengeInTheAPI(t *testing.T) {
	c := &stubChallenge{}
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithChallenge(c)}})
	b := e.browser()
	start := func(body string) (int, string) {
		r := b.postRaw("api/start", "application/json", body)
		var answer struct {
			Error struct{ Code string } `json:"error"`
		}
		json.Unmarshal([]byte(r.body), &answer)
		return r.status, answer.Error.Code
	}
	status, code := start(`{"phone":"` + testPhone + `","challenge":"bot"}`)
	require.Equalf(t, http.StatusForbidden, status, "failed challenge: %d %q, want 403 challenge_failed", status, code)
	require.Equalf(t, "challenge_failed", code, "failed challenge: %d %q, want 403 challenge_failed", status, code)
	status, code = start(`{"phone":"` + testPhone + `"}`)
	require.Equalf(t, http.StatusForbidden, status, "no token: %d %q, want 403 challenge_failed", status, code)
	require.Equalf(t, "challenge_failed", code, "no token: %d %q, want 403 challenge_failed", status, code)
	c.mu.Lock()
	c.down = true
	c.mu.Unlock()
	status, code = start(`{"phone":"` + testPhone + `","challenge":"human"}`)
	require.Equalf(t, http.StatusServiceUnavailable, status, "challenge cannot be checked: %d %q, want 503 unavailable (fail closed)", status, code)
	require.Equalf(t, "unavailable", code, "challenge cannot be checked: %d %q, want 503 unavailable (fail closed)", status, code)
	n := len(e.fake.Messages())
	require.Equalf(t, 0, n, "%d codes sent without passing the challenge", n)
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
	status, code = start(`{"phone":"` + testPhone + `","challenge":"human"}`)
	require.Equalf(t, http.StatusOK, status, "passed challenge: %d %q, want 200", status, code)
}

// TestTurnstileWiredIntoTheHandler runs the pages with the turnstile
// package against a loopback stand-in for siteverify.
func TestTurnstileWiredIntoTheHandler(t *testing.T) {
	sv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		fmt.Fprintf(w, `{"success":%v,"error-codes":[]}`, r.PostForm.Get("response") == "good-token" && r.PostForm.Get("secret") == "s3cret")
	}))
	defer sv.Close()
	c, err := turnstile.New("site-key", "s3cret", turnstile.WithEndpoint(sv.URL))
	require.NoError(t, err)
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithChallenge(c)}})
	b := e.browser()
	r := b.get("")
	require.Containsf(t, r.body, `data-sitekey="site-key"`, "no Turnstile widget in the form:\n%s", r.body)
	r = b.post("", url.Values{"phone": {testPhone}, "cf-turnstile-response": {"forged"}})
	require.False(t, r.status == http.StatusSeeOther && r.location() == "code", "a forged token started a verification")
	r = b.post("", url.Values{"phone": {testPhone}, "cf-turnstile-response": {"good-token"}})
	require.Equalf(t, http.StatusSeeOther, r.status, "good token: %d %q, want 303 to code", r.status, r.location())
	require.Equalf(t, "code", r.location(), "good token: %d %q, want 303 to code", r.status, r.location())
	n := len(e.fake.Messages())
	require.Equalf(t, 1, n, "%d codes sent, want 1", n)
}

// TestChallengeAgainAfterResends: one solved challenge covers three
// resends, or ten minutes; after that a resend must pass the challenge
// again, and the code page shows its widget in the resend form. A resend
// refused so sends nothing; one that passes covers three more.
func TestChallengeAgainAfterResends(t *testing.T) {
	c := &stubChallenge{}
	e := newEnv(t, envConfig{
		httpOpts:   []verifyhttp.Option{verifyhttp.WithChallenge(c)},
		verifyOpts: []verify.Option{verify.WithNumberLimit(100, time.Hour), verify.WithClientLimit(100, time.Hour)}, // only the challenge refuses
	})
	b := e.browser()
	r := b.post("", url.Values{"phone": {testPhone}, "bot-check": {"human"}})
	require.Equal(t, "code", r.location())
	resend := func(token string) *response {
		e.clock.Advance(31 * time.Second)
		return b.post("resend", url.Values{"channel": {"voice"}, "bot-check": {token}})
	}
	for i := range 3 {
		assert.NotContains(t, b.get("code").body, "bot-check-widget", "resend %d", i+1)
		assert.Equal(t, "code", resend("").location(), "resend %d", i+1)
	}
	assert.Len(t, e.fake.Messages(), 4)
	page := b.get("code")
	assert.Contains(t, page.body, `<form method="post" action="resend">
<div class="challenge"><div class="bot-check-widget"></div></div>`)
	page = b.follow(resend(""))
	assert.Equal(t, http.StatusForbidden, page.status)
	assert.Contains(t, page.body, "The security check was not completed.")
	assert.Contains(t, page.body, "bot-check-widget")
	assert.Len(t, e.fake.Messages(), 4, "a fourth resend without a challenge sent a code")
	assert.Equal(t, "code", resend("human").location())
	assert.Equal(t, "code", resend("").location(), "a passed challenge covers the next resends")
	assert.Len(t, e.fake.Messages(), 6)

	// Ten minutes after the challenge, the next resend needs one too; so
	// does the JSON API's.
	e.clock.Advance(10 * time.Minute)
	assert.Equal(t, http.StatusForbidden, b.follow(b.post("resend", url.Values{"channel": {"sms"}})).status)
	status, out, _ := apiCall(t, b, "start", map[string]string{"phone": "+31612345679", "challenge": "human"})
	require.Equal(t, http.StatusOK, status, "%v", out)
	e.clock.Advance(10*time.Minute + time.Second)
	status, again, _ := apiCall(t, b, "resend", map[string]string{"token": out["token"].(string)})
	assert.Equal(t, http.StatusForbidden, status, "%v", again)
	status, again, _ = apiCall(t, b, "resend", map[string]string{"token": out["token"].(string), "challenge": "human"})
	assert.Equal(t, http.StatusOK, status, "%v", again)
}
