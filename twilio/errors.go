package twilio

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

	twclient "github.com/twilio/twilio-go/client"

	"github.com/phoneverify/verify"
)

// op is the kind of call that failed: the same answer can mean different
// things (404 is a gone verification for a check, a wrong Service for a
// start).
type op int

const (
	opStart op = iota
	opCheck
	opRead
	opCancel
	opSend
)

// Twilio's error codes that this package maps (see the package doc).
const (
	codeAuth            = 20003
	codeNotFound        = 20404
	codeTooManyRequests = 20429
	codeInvalidParam    = 60200
	codeMaxChecks       = 60202
	codeMaxSends        = 60203
	codeFraudGuard      = 60410
	codeGeoPermission   = 60605
	codeInvalidTo       = 21211
	codeGeoMessages     = 21408
	codeNotMobile       = 21614
)

// fail maps an error of twilio-go to a *verify.ProviderError matching one
// of verify's sentinels. Its message never holds the auth token, the
// code or a response body, nor the number as Twilio echoes it (in E.164,
// or its digits alone; not in a national or spaced format, which
// messagebird's scrub also catches): twilio-go's own errors can hold
// Twilio's message, so only Twilio's code and its message scrubbed of the
// call's secrets are kept.
func (k *call) fail(o op, err error) *verify.ProviderError {
	pe := k.mapError(o, err)
	pe.Description, pe.Parameter = k.scrub(pe.Description), k.scrub(pe.Parameter)
	return pe
}

// scrub replaces in s what the call knows and no log may hold, should
// Twilio echo it; the longest first, so that a code inside the number
// leaves no part of it.
func (k *call) scrub(s string) string {
	if s == "" {
		return s
	}
	secrets := slices.Clone(k.secrets)
	slices.SortStableFunc(secrets, func(a, b secret) int { return len(b.value) - len(a.value) })
	for _, x := range secrets {
		if x.value != "" {
			s = strings.ReplaceAll(s, x.value, x.mark)
		}
	}
	return s
}

// hide adds the number (in E.164, and its digits alone) and the code to
// the call's secrets.
func (k *call) hide(number, code string) {
	if number != "" {
		k.secrets = append(k.secrets, secret{number, "[number]"}, secret{strings.TrimPrefix(number, "+"), "[number]"})
	}
	if code != "" {
		k.secrets = append(k.secrets, secret{code, "[code]"})
	}
}

func unavailable(why string) error { return fmt.Errorf("%w: %s", verify.ErrUnavailable, why) }

// canceledBefore is the error of a call whose context ended before it sent
// anything: err is the context's error.
func canceledBefore(err error) *verify.ProviderError {
	return &verify.ProviderError{Provider: providerName, Err: fmt.Errorf("%w: %w", verify.ErrUnavailable, err)}
}

// mapError is fail without the scrubbing.
func (k *call) mapError(o op, err error) *verify.ProviderError {
	pe := &verify.ProviderError{Provider: providerName, HTTPStatus: k.status}
	if cerr := k.ctx.Err(); cerr != nil {
		if context.Cause(k.ctx) == errTimeout {
			pe.Err = fmt.Errorf("%w: no answer within %s: %w", verify.ErrUnavailable, k.c.timeout, cerr)
		} else {
			pe.Err = fmt.Errorf("%w: %w", verify.ErrUnavailable, cerr)
		}
		return pe
	}
	if k.body != nil && k.body.err == errBodyTooLarge {
		pe.Err = fmt.Errorf("%w: %w", verify.ErrUnavailable, errBodyTooLarge)
		return pe
	}
	if k.status >= 300 && k.status < 400 {
		pe.Err = unavailable("unexpected redirect")
		return pe
	}
	var te *twclient.TwilioRestError
	if errors.As(err, &te) {
		k.apiError(o, pe, te)
		return pe
	}
	var ue *url.Error
	switch {
	case k.body != nil && k.body.err != nil:
		pe.Err = fmt.Errorf("%w: reading the response: %w", verify.ErrUnavailable, k.body.err)
	case errors.As(err, &ue): // ue.Error() holds the URL: keep its cause only
		pe.Err = fmt.Errorf("%w: request failed: %w", verify.ErrUnavailable, ue.Err)
	case k.status != 0:
		mt, _, _ := mime.ParseMediaType(k.ctype)
		if mt != "" && mt != "application/json" {
			pe.Err = unavailable("unexpected " + mt + " response")
		} else {
			pe.Err = unavailable("malformed response")
		}
	default:
		pe.Err = unavailable("request failed")
	}
	return pe
}

// apiError maps one of Twilio's JSON error answers.
func (k *call) apiError(o op, pe *verify.ProviderError, te *twclient.TwilioRestError) {
	pe.Code, pe.Description = te.Code, te.Message
	if k.status == 0 {
		pe.HTTPStatus = te.Status
	}
	pe.Parameter = parameter(te.Message)
	status := pe.HTTPStatus
	switch {
	case te.Code == codeAuth || status == http.StatusUnauthorized || status == http.StatusForbidden && te.Code == 0:
		pe.Err = unavailable("Twilio refused the account SID or the auth token: check the configuration")
	case te.Code == codeMaxChecks:
		pe.Err = verify.ErrTooManyAttempts
	case te.Code == codeFraudGuard:
		pe.Err = fmt.Errorf("%w: %w", verify.ErrSuspectedPumping,
			&verify.RateLimitError{RetryAfter: parseRetryAfter(k.retryAfter, time.Now()), Limit: "twilio_fraud_guard"})
	case te.Code == codeGeoPermission || te.Code == codeGeoMessages:
		pe.Err = fmt.Errorf("%w: Twilio's geo permissions do not allow this country", verify.ErrUnsupported)
	case te.Code == codeMaxSends:
		pe.Err = &verify.RateLimitError{RetryAfter: parseRetryAfter(k.retryAfter, time.Now()), Limit: "twilio_max_send_attempts"}
	case te.Code == codeTooManyRequests || status == http.StatusTooManyRequests:
		pe.Err = &verify.RateLimitError{RetryAfter: parseRetryAfter(k.retryAfter, time.Now()), Limit: "twilio"}
	case status >= 500:
		pe.Err = unavailable("server error")
	case te.Code == codeNotFound || status == http.StatusNotFound:
		if o == opStart || o == opSend {
			// An unknown Service, account or locale: a configuration error.
			pe.Err = unavailable("Twilio does not know the Service or the locale")
		} else {
			pe.Err = verify.ErrNotFound
		}
	case (o == opStart || o == opSend) && (pe.Parameter == "To" || te.Code == codeInvalidTo):
		pe.Err = &verify.PhoneError{Code: "refused", Reason: "Twilio refused the number"}
	case o == opSend && te.Code == codeNotMobile:
		pe.Err = fmt.Errorf("%w: Twilio cannot text this number", verify.ErrUnsupported)
	case (o == opStart || o == opSend) && status == http.StatusBadRequest:
		what := pe.Parameter
		if what == "" {
			what = "a parameter"
		}
		pe.Err = fmt.Errorf("%w: Twilio refused %s", verify.ErrInvalidOption, what)
	case o == opCheck && te.Code == codeInvalidParam:
		pe.Err = verify.ErrInvalidCode
	default:
		pe.Err = unavailable("unexpected error answer")
	}
}

// parameter reads the parameter Twilio names in an "Invalid parameter"
// message: "Invalid parameter `To`: ..." or "Invalid parameter: Channel".
func parameter(msg string) string {
	rest, ok := strings.CutPrefix(msg, "Invalid parameter")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, ": ")
	if r, ok := strings.CutPrefix(rest, "`"); ok {
		if i := strings.IndexByte(r, '`'); i > 0 {
			return r[:i]
		}
		return ""
	}
	end := strings.IndexFunc(rest, func(c rune) bool {
		return !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.')
	})
	if end < 0 {
		end = len(rest)
	}
	return rest[:end]
}

// maxRetryAfter bounds the wait a Retry-After header can ask for.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date;
// zero when absent, unreadable or past, at most maxRetryAfter.
func parseRetryAfter(h string, now time.Time) time.Duration {
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		return time.Duration(min(max(n, 0), int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}
