package http

import (
	"context"
	"errors"
	"html/template"
	"time"
)

// A Challenge tells people from bots before a code is sent: a CAPTCHA
// such as Cloudflare Turnstile, hCaptcha or reCAPTCHA. With WithChallenge,
// the phone form shows the challenge's widget, the JSON API's start takes
// its token in the field "challenge", and a start whose token does not
// pass is refused (code challenge_failed) without any provider call. The
// turnstile package is one implementation.
//
// The first start of a verification is challenged, and a resend once
// resendsPerChallenge resends have followed the last challenge passed or
// challengeFor has gone by since: the code page then shows the widget in
// its resend form, and the JSON API's resend takes the token in the field
// "challenge". One solved challenge so buys a few codes, not a number's
// whole resend budget. The Verifier's resend cooldown and per-number
// limits apply to every resend.
//
// Implementations must be safe for concurrent use.
type Challenge interface {
	// Field is the name of the form field the widget fills with its
	// token, such as "cf-turnstile-response".
	Field() string
	// Widget is the HTML that shows the challenge, placed inside the
	// phone form: typically a script element and a div.
	Widget() template.HTML
	// Verify checks the token a client sent, for a client at remoteIP (""
	// when unknown). It returns nil when the client passed, an error
	// matching ErrChallengeFailed when the token is missing, wrong,
	// expired or used, and another error when the check could not be made.
	// Either error refuses the start: a challenge fails closed.
	Verify(ctx context.Context, token, remoteIP string) error
}

// A passed challenge covers this many resends, within challengeFor.
const (
	resendsPerChallenge = 3
	challengeFor        = 10 * time.Minute
)

// ErrChallengeFailed is the error of a Challenge whose token did not pass.
var ErrChallengeFailed = errors.New("verifyhttp: challenge failed")

type challengeOption struct{ c Challenge }

// WithChallenge has every first start, and every resend after the first
// few or the first minutes, pass c before a code is sent (see Challenge).
// Default: none.
func WithChallenge(c Challenge) Option    { return challengeOption{c} }
func (o challengeOption) apply(c *config) { c.challenge = o.c }
