package messagebird

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	mb "github.com/messagebird/go-rest-api/v9"

	"github.com/phoneverify/verify"
)

// providerName is the Provider field of the errors of this package.
const providerName = "messagebird"

// op is the kind of call that failed: the same answer can mean different
// things (404 is an unknown id for a check, a wrong endpoint for a create).
type op int

const (
	opStart op = iota
	opCheck
	opRead
	opDelete
)

// errTimeout is the cause of a call's context when the Provider's own
// timeout ended it, as opposed to the caller's context.
var errTimeout = errors.New("messagebird: timeout")

// fail maps an error returned by go-rest-api's client to a
// *verify.ProviderError matching one of verify's sentinels, with the HTTP
// status and MessageBird's error detail. Its message never holds the code,
// the access key or a response body: go-rest-api's own errors can hold
// all three (the request URL, the raw body), so only what is known to be
// safe is kept, and MessageBird's description and parameter are scrubbed
// of the call's secrets (see scrub).
func (c *call) fail(o op, err error) *verify.ProviderError {
	pe := c.mapError(o, err)
	pe.Description, pe.Parameter = c.scrub(pe.Description), c.scrub(pe.Parameter)
	return pe
}

// scrub replaces in s, an error description or parameter of MessageBird's,
// what the call knows and no log may hold, should MessageBird echo it: the
// access key, the code (Check) and the number (Start). The longest goes
// first, so that a code found inside the number or the key does not
// leave the rest of them in place.
func (c *call) scrub(s string) string {
	if s == "" {
		return s
	}
	type secret struct{ value, mark string }
	secrets := []secret{{c.p.key, "[access key]"}, {c.number, "[number]"}, {c.code, "[code]"}}
	slices.SortStableFunc(secrets, func(a, b secret) int { return len(b.value) - len(a.value) })
	for _, x := range secrets {
		if x.value != "" {
			s = strings.ReplaceAll(s, x.value, x.mark)
		}
	}
	return s
}

// mapError is fail without the scrubbing.
func (c *call) mapError(o op, err error) *verify.ProviderError {
	pe := &verify.ProviderError{Provider: providerName, HTTPStatus: c.status}
	if cerr := c.ctx.Err(); cerr != nil {
		if context.Cause(c.ctx) == errTimeout {
			pe.Err = fmt.Errorf("%w: no answer within %s: %w", verify.ErrUnavailable, c.p.timeout, cerr)
		} else {
			pe.Err = fmt.Errorf("%w: %w", verify.ErrUnavailable, cerr)
		}
		return pe
	}
	if c.body.err == errBodyTooLarge {
		pe.Err = fmt.Errorf("%w: %w", verify.ErrUnavailable, errBodyTooLarge)
		return pe
	}
	if c.status >= 300 && c.status < 400 { // a redirect not followed
		pe.Err = fmt.Errorf("%w: unexpected redirect", verify.ErrUnavailable)
		return pe
	}
	if c.status == http.StatusTooManyRequests {
		pe.Err = &verify.RateLimitError{RetryAfter: parseRetryAfter(c.retryAfter, time.Now()), Limit: "messagebird"}
		c.detail(pe, err)
		return pe
	}
	var er mb.ErrorResponse
	if errors.As(err, &er) {
		c.apiError(o, pe, er)
		return pe
	}
	var ue *url.Error
	switch {
	case errors.Is(err, mb.ErrUnexpectedResponse):
		pe.Err = fmt.Errorf("%w: internal server error", verify.ErrUnavailable)
	case c.body.err != nil:
		pe.Err = fmt.Errorf("%w: reading the response: %w", verify.ErrUnavailable, c.body.err)
	case errors.As(err, &ue): // ue.Error() holds the URL, and so the code: keep its cause only
		pe.Err = fmt.Errorf("%w: request failed: %w", verify.ErrUnavailable, ue.Err)
	case c.status != 0:
		mt, _, _ := mime.ParseMediaType(c.ctype)
		if mt != "" && mt != "application/json" {
			pe.Err = fmt.Errorf("%w: unexpected %s response", verify.ErrUnavailable, mt)
		} else {
			pe.Err = fmt.Errorf("%w: malformed response", verify.ErrUnavailable)
		}
	default:
		pe.Err = fmt.Errorf("%w: request failed", verify.ErrUnavailable)
	}
	return pe
}

// detail copies MessageBird's first error into pe, when err has one.
func (c *call) detail(pe *verify.ProviderError, err error) {
	var er mb.ErrorResponse
	if errors.As(err, &er) && len(er.Errors) > 0 {
		pe.Code, pe.Description, pe.Parameter = er.Errors[0].Code, er.Errors[0].Description, er.Errors[0].Parameter
	}
}

// apiError maps an error answer of the API. The error codes are
// MessageBird's: 2 request not allowed (bad key), 9 missing parameter, 10
// invalid parameter, 20 not found, 21 bad request, 25 not enough balance,
// 98 API not found, 99 internal error.
func (c *call) apiError(o op, pe *verify.ProviderError, er mb.ErrorResponse) {
	var e mb.Error
	if len(er.Errors) > 0 {
		e = er.Errors[0]
		for _, x := range er.Errors {
			if x.Parameter == "recipient" {
				e = x
				break
			}
		}
	}
	pe.Code, pe.Description, pe.Parameter = e.Code, e.Description, e.Parameter
	unavailable := func(why string) error { return fmt.Errorf("%w: %s", verify.ErrUnavailable, why) }
	switch {
	case c.status == http.StatusUnauthorized || c.status == http.StatusForbidden || e.Code == 2:
		pe.Err = unavailable("the access key was refused")
	case e.Code == 25:
		pe.Err = unavailable("not enough balance")
	case e.Code == 20 || c.status == http.StatusNotFound && o != opStart && e.Code != 98:
		pe.Err = verify.ErrNotFound
	case c.status >= 500 || e.Code == 98 || e.Code == 99:
		pe.Err = unavailable("server error")
	case o == opStart && e.Parameter == "recipient":
		pe.Err = &verify.PhoneError{Code: "refused", Reason: "MessageBird refused the number"}
	case o == opStart && (e.Code == 9 || e.Code == 10) && e.Parameter != "":
		pe.Err = fmt.Errorf("%w: MessageBird refused %s", verify.ErrInvalidOption, e.Parameter)
	case o == opCheck && e.Code == 10:
		d := strings.ToLower(e.Description)
		if strings.Contains(d, "expired") || strings.Contains(d, "processed") {
			pe.Err = verify.ErrExpired
		} else {
			pe.Err = verify.ErrInvalidCode
		}
	default:
		pe.Err = unavailable("unexpected error answer")
	}
}

// maxRetryAfter bounds the wait a Retry-After header can ask for: longer
// is not a wait MessageBird means, and a count of seconds that large
// would overflow a time.Duration.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
// It returns zero when the header is absent or unreadable, or names a
// negative wait or a past date, and at most maxRetryAfter.
func parseRetryAfter(h string, now time.Time) time.Duration {
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		return time.Duration(min(max(n, 0), int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}
