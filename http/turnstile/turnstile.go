// Package turnstile is a verifyhttp.Challenge backed by Cloudflare
// Turnstile: the phone form shows Turnstile's widget, and every first
// start has its token checked with Turnstile's siteverify endpoint before
// a code is sent.
//
//	c, err := turnstile.New(os.Getenv("TURNSTILE_SITE_KEY"), os.Getenv("TURNSTILE_SECRET"))
//	...
//	h, err := verifyhttp.New(v, verifyhttp.WithSecret(key), verifyhttp.WithChallenge(c))
//
// A check fails closed: a missing, wrong, expired or reused token is
// refused (verifyhttp.ErrChallengeFailed), and so is every start while
// siteverify cannot be reached or answers something unreadable (an error
// that is not ErrChallengeFailed, so that it can be logged and alerted on
// apart from bots).
package turnstile

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
)

// DefaultEndpoint is Turnstile's siteverify endpoint.
const DefaultEndpoint = "https://challenges.cloudflare.com/turnstile/v0/siteverify"

// maxToken is the longest token Turnstile issues.
const maxToken = 2048

// maxAnswer bounds the body of siteverify's answer that is read.
const maxAnswer = 64 << 10

// timeout bounds one siteverify call when the context has no earlier
// deadline.
const timeout = 10 * time.Second

// Challenge checks Turnstile tokens. Create it with New; it is safe for
// concurrent use.
type Challenge struct {
	siteKey   string
	secret    string
	endpoint  string
	client    *http.Client
	hostnames []string
	action    string
}

var _ verifyhttp.Challenge = (*Challenge)(nil)

// An Option configures a Challenge.
type Option interface{ apply(*Challenge) }

type endpointOption string

// WithEndpoint sets the siteverify URL, for a proxy or a test server.
// Default: DefaultEndpoint.
func WithEndpoint(u string) Option          { return endpointOption(u) }
func (o endpointOption) apply(c *Challenge) { c.endpoint = string(o) }

type clientOption struct{ c *http.Client }

// WithHTTPClient sets the client that calls siteverify. Default: a client
// of its own with a 10-second timeout.
func WithHTTPClient(hc *http.Client) Option { return clientOption{hc} }
func (o clientOption) apply(c *Challenge)   { c.client = o.c }

type hostnamesOption []string

// WithHostnames accepts only tokens issued on pages of these hostnames
// (siteverify's "hostname"), so that a token solved on another site that
// shows your site key is refused. Default: any hostname.
func WithHostnames(hosts ...string) Option   { return hostnamesOption(slices.Clone(hosts)) }
func (o hostnamesOption) apply(c *Challenge) { c.hostnames = o }

type actionOption string

// WithAction sets the widget's action (data-action) and accepts only
// tokens issued for it, so that a token solved for another form of the
// same site is refused. Up to 32 letters, digits, '_' and '-'. Default:
// none.
func WithAction(a string) Option          { return actionOption(a) }
func (o actionOption) apply(c *Challenge) { c.action = string(o) }

// New returns a Challenge for the widget with siteKey (public, shown in
// the page) and secret (the widget's secret key, for siteverify). Both are
// required. Errors match verify.ErrInvalidOption and name what is wrong.
func New(siteKey, secret string, opts ...Option) (*Challenge, error) {
	c := &Challenge{siteKey: siteKey, secret: secret, endpoint: DefaultEndpoint}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: turnstile.New: nil option", verify.ErrInvalidOption)
		}
		o.apply(c)
	}
	switch {
	case siteKey == "" || !validKey(siteKey):
		return nil, fmt.Errorf("%w: turnstile.New: the site key is empty or has characters other than letters, digits, '_' and '-'", verify.ErrInvalidOption)
	case secret == "":
		return nil, fmt.Errorf("%w: turnstile.New: the secret key is empty", verify.ErrInvalidOption)
	case len(c.action) > 32 || !validKey(c.action):
		return nil, fmt.Errorf("%w: turnstile.WithAction(%q): up to 32 letters, digits, '_' and '-'", verify.ErrInvalidOption, c.action)
	}
	u, err := url.Parse(c.endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: turnstile.WithEndpoint(%q): not an http(s) URL", verify.ErrInvalidOption, c.endpoint)
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: timeout}
	}
	return c, nil
}

// validKey reports whether s has only ASCII letters, digits, '_' and '-'
// (true for ""), so that it can stand in an HTML attribute as it is.
func validKey(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Field returns "cf-turnstile-response", where the widget puts its token.
func (c *Challenge) Field() string { return "cf-turnstile-response" }

// Widget returns Turnstile's script and widget element.
func (c *Challenge) Widget() template.HTML {
	action := ""
	if c.action != "" {
		action = ` data-action="` + c.action + `"`
	}
	// New checked the site key and the action: letters, digits, '_', '-'.
	return template.HTML(`<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>` +
		`<div class="cf-turnstile" data-sitekey="` + c.siteKey + `"` + action + `></div>`)
}

// answer is siteverify's answer.
type answer struct {
	Success    bool     `json:"success"`
	ErrorCodes []string `json:"error-codes"`
	Hostname   string   `json:"hostname"`
	Action     string   `json:"action"`
}

// Verify asks siteverify whether token passed. See verifyhttp.Challenge.
func (c *Challenge) Verify(ctx context.Context, token, remoteIP string) error {
	if token == "" || len(token) > maxToken {
		return fmt.Errorf("%w: no token, or a malformed one", verifyhttp.ErrChallengeFailed)
	}
	form := url.Values{"secret": {c.secret}, "response": {token}}
	if remoteIP != "" {
		form.Set("remoteip", remoteIP)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("turnstile: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("turnstile: siteverify: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("turnstile: siteverify: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("turnstile: siteverify answered HTTP %d", resp.StatusCode)
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("turnstile: siteverify: unreadable answer: %w", err)
	}
	switch {
	case !a.Success:
		if slices.ContainsFunc(a.ErrorCodes, isOurFault) {
			// A wrong secret or a malformed request is the app's
			// problem, not the user's: refuse, but say so.
			return fmt.Errorf("turnstile: siteverify refused the request: %s", strings.Join(a.ErrorCodes, ", "))
		}
		return fmt.Errorf("%w: %s", verifyhttp.ErrChallengeFailed, strings.Join(a.ErrorCodes, ", "))
	case len(c.hostnames) > 0 && !slices.Contains(c.hostnames, a.Hostname):
		return fmt.Errorf("%w: the token was issued on another site (%q)", verifyhttp.ErrChallengeFailed, a.Hostname)
	case c.action != "" && a.Action != c.action:
		return fmt.Errorf("%w: the token was issued for another action (%q)", verifyhttp.ErrChallengeFailed, a.Action)
	}
	return nil
}

// isOurFault reports whether a siteverify error code blames the request
// the server made rather than the token the user sent.
func isOurFault(code string) bool {
	switch code {
	case "missing-input-secret", "invalid-input-secret", "bad-request", "internal-error":
		return true
	}
	return false
}
