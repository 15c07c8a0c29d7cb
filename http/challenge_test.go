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
	"strings"
	"sync"
	"testing"
	"time"

	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/http/turnstile"
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

	if r := b.get(""); !strings.Contains(r.body, `<div class="bot-check-widget"></div>`) {
		t.Fatalf("the phone form does not show the challenge:\n%s", r.body)
	}
	for _, token := range []string{"", "bot"} {
		r := b.post("", url.Values{"phone": {testPhone}, "bot-check": {token}})
		if r.status == http.StatusSeeOther && r.location() == "code" {
			t.Fatalf("token %q: the start went ahead", token)
		}
		if page := b.follow(r); !strings.Contains(page.body, "bot-check-widget") || !strings.Contains(page.body, `role="alert"`) {
			t.Fatalf("token %q: the form is not shown again with an error:\n%s", token, page.body)
		}
	}
	if n := len(e.fake.Messages()); n != 0 {
		t.Fatalf("%d codes sent without passing the challenge", n)
	}
	r := b.post("", url.Values{"phone": {testPhone}, "bot-check": {"human"}})
	if r.status != http.StatusSeeOther || r.location() != "code" {
		t.Fatalf("passed challenge: %d %q, want 303 to code", r.status, r.location())
	}
	if len(e.fake.Messages()) != 1 {
		t.Fatal("no code sent after the challenge passed")
	}
	// The resend needs the sealed state, not a new challenge.
	e.clock.Advance(time.Minute)
	if r := b.post("resend", url.Values{"channel": {"voice"}}); r.status != http.StatusSeeOther || r.location() != "code" {
		t.Fatalf("resend: %d %q, want 303 to code", r.status, r.location())
	}
	if got := c.seen[len(c.seen)-1]; got != "human 127.0.0.1" {
		t.Fatalf("the challenge was asked about %q, want the token and the client's address", got)
	}
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
	if status, code := start(`{"phone":"` + testPhone + `","challenge":"bot"}`); status != http.StatusForbidden || code != "challenge_failed" {
		t.Fatalf("failed challenge: %d %q, want 403 challenge_failed", status, code)
	}
	if status, code := start(`{"phone":"` + testPhone + `"}`); status != http.StatusForbidden || code != "challenge_failed" {
		t.Fatalf("no token: %d %q, want 403 challenge_failed", status, code)
	}
	c.mu.Lock()
	c.down = true
	c.mu.Unlock()
	if status, code := start(`{"phone":"` + testPhone + `","challenge":"human"}`); status != http.StatusServiceUnavailable || code != "unavailable" {
		t.Fatalf("challenge cannot be checked: %d %q, want 503 unavailable (fail closed)", status, code)
	}
	if n := len(e.fake.Messages()); n != 0 {
		t.Fatalf("%d codes sent without passing the challenge", n)
	}
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
	if status, code := start(`{"phone":"` + testPhone + `","challenge":"human"}`); status != http.StatusOK {
		t.Fatalf("passed challenge: %d %q, want 200", status, code)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithChallenge(c)}})
	b := e.browser()
	if r := b.get(""); !strings.Contains(r.body, `data-sitekey="site-key"`) {
		t.Fatalf("no Turnstile widget in the form:\n%s", r.body)
	}
	if r := b.post("", url.Values{"phone": {testPhone}, "cf-turnstile-response": {"forged"}}); r.status == http.StatusSeeOther && r.location() == "code" {
		t.Fatal("a forged token started a verification")
	}
	if r := b.post("", url.Values{"phone": {testPhone}, "cf-turnstile-response": {"good-token"}}); r.status != http.StatusSeeOther || r.location() != "code" {
		t.Fatalf("good token: %d %q, want 303 to code", r.status, r.location())
	}
	if n := len(e.fake.Messages()); n != 1 {
		t.Fatalf("%d codes sent, want 1", n)
	}
}
