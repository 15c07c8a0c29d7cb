package http

import (
	"errors"
	"net/http"
	"time"

	"github.com/phoneverify/verify"
)

// FailureCode says why a request failed. The codes are stable: the JSON
// API sends them as error.code, the pages give them to the templates as
// Page.Error.Code, and WithOnFailure's function receives them.
type FailureCode string

// The failure codes, with the HTTP status each is answered with.
const (
	InvalidPhone         FailureCode = "invalid_phone"          // 422: a number that cannot be verified; Failure.ReasonCode says why
	Unsupported          FailureCode = "unsupported"            // 422: a text to a number that cannot receive one (a call works)
	InvalidCode          FailureCode = "invalid_code"           // 422: a wrong or malformed code; the user may try again
	Expired              FailureCode = "expired"                // 410: the code expired, was canceled or can no longer be used
	AlreadyUsed          FailureCode = "already_used"           // 409: the code was used by a check that succeeded
	TooManyAttempts      FailureCode = "too_many_attempts"      // 410: too many wrong codes
	RateLimited          FailureCode = "rate_limited"           // 429: too soon or too many; Failure.RetryAfter says when to try again
	Unavailable          FailureCode = "unavailable"            // 503: the provider failed
	SessionInvalid       FailureCode = "session_invalid"        // 400, pages: the state cookie is missing or cannot be trusted
	SessionExpired       FailureCode = "session_expired"        // 410, pages: the state cookie is too old
	InvalidToken         FailureCode = "invalid_token"          // 400, API: the token is malformed, tampered with or foreign
	TokenExpired         FailureCode = "token_expired"          // 410, API: the token is too old
	InvalidRequest       FailureCode = "invalid_request"        // 400: a malformed form or body; Failure.Field names the field when one is at fault
	UnsupportedMediaType FailureCode = "unsupported_media_type" // 415, API: the body is not JSON
	TooLarge             FailureCode = "too_large"              // 413: the body is over 4 KiB
	CrossOrigin          FailureCode = "cross_origin"           // 403: a POST from another origin
	ChallengeFailed      FailureCode = "challenge_failed"       // 403: a start whose bot challenge (WithChallenge) did not pass
	MethodNotAllowed     FailureCode = "method_not_allowed"     // 405, API: a route asked with a method it does not serve
	NotFound             FailureCode = "not_found"              // 404, API: no such route
)

// Status returns the HTTP status the code is answered with, 500 for a code
// not listed above.
func (c FailureCode) Status() int {
	switch c {
	case InvalidPhone, Unsupported, InvalidCode:
		return http.StatusUnprocessableEntity
	case Expired, TooManyAttempts, SessionExpired, TokenExpired:
		return http.StatusGone
	case AlreadyUsed:
		return http.StatusConflict
	case RateLimited:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	case SessionInvalid, InvalidToken, InvalidRequest:
		return http.StatusBadRequest
	case UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case CrossOrigin, ChallengeFailed:
		return http.StatusForbidden
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case NotFound:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// allowsCode reports whether the code page still takes a code after a
// failure of code c: not once the verification can no longer succeed.
func (c FailureCode) allowsCode() bool {
	switch c {
	case Expired, TooManyAttempts, AlreadyUsed:
		return false
	}
	return true
}

// resendWait is the number of seconds f says to wait before a resend.
func resendWait(f *Failure) int {
	if f.Code == RateLimited {
		return f.RetryAfter
	}
	return 0
}

// Failure is why a request failed: what the JSON API sends as "error",
// what the templates receive as Page.Error, and what WithOnFailure's
// function receives. Its Err is the cause, when there is one (an error of the
// Verifier, matching [verify.ErrInvalidPhone], [verify.ErrRateLimited], ...),
// so errors.Is and errors.As see through a Failure.
type Failure struct {
	// Code is why the request failed.
	Code FailureCode `json:"code"`
	// Message is the text shown for Code in the request's language (the
	// best match of its Accept-Language header among WithLanguages), on
	// the pages and in the JSON API. Empty until the request is answered.
	Message string `json:"message"`
	// Reason says in English why a number is refused (InvalidPhone), from
	// [verify.PhoneError].
	Reason string `json:"reason,omitempty"`
	// ReasonCode is that error's Code ("too_short", "line_type", ...), to
	// translate on; for InvalidCode, "format" when the code typed is not
	// as many digits as the codes sent ([verify.Verifier.TokenLength]); for
	// RateLimited, "resend" when a new code was asked for too soon, or
	// "suspected_pumping" when the Verifier's SMS-pumping guard refused a
	// start ([verify.ErrSuspectedPumping]).
	ReasonCode string `json:"reason_code,omitempty"`
	// LineType is the refused number's kind when ReasonCode is
	// "line_type" ("premium_rate", "toll_free", ...), from
	// [verify.PhoneError], for a page to name it; otherwise empty.
	LineType string `json:"line_type,omitempty"`
	// Region is the number's ISO 3166-1 region when the refusal is about it
	// (InvalidPhone with ReasonCode "region" or "invalid"), such as "GB",
	// for a page to name the country; otherwise empty.
	Region string `json:"region,omitempty"`
	// Field names the field at fault (InvalidRequest), such as "channel";
	// empty when the request as a whole could not be read.
	Field string `json:"field,omitempty"`
	// RetryAfter is the number of seconds to wait (RateLimited), at least 1.
	RetryAfter int `json:"retry_after,omitempty"`
	// Err is the cause, or nil.
	Err error `json:"-"`
}

// fail returns the Failure of code c.
func fail(c FailureCode) *Failure { return &Failure{Code: c} }

// Error returns the code and, when there is one, the cause.
func (f *Failure) Error() string {
	if f.Err != nil {
		return "verifyhttp: " + string(f.Code) + ": " + f.Err.Error()
	}
	return "verifyhttp: " + string(f.Code)
}

// Unwrap returns the cause.
func (f *Failure) Unwrap() error { return f.Err }

// Status returns the HTTP status the failure is answered with.
func (f *Failure) Status() int { return f.Code.Status() }

// RetryAfterMinutes is RetryAfter rounded up to whole minutes.
func (f *Failure) RetryAfterMinutes() int { return (f.RetryAfter + 59) / 60 }

// classify turns an error of the Verifier into a Failure.
func classify(err error) *Failure {
	f := &Failure{Code: Unavailable, Err: err}
	var pe *verify.PhoneError
	var rl *verify.RateLimitError
	switch {
	case errors.As(err, &pe):
		f.Code, f.Reason, f.ReasonCode, f.Region, f.LineType = InvalidPhone, pe.Reason, pe.Code, pe.Region, pe.LineType
	case errors.Is(err, verify.ErrInvalidPhone):
		f.Code, f.Reason = InvalidPhone, "this is not a phone number that can be verified"
	case errors.Is(err, verify.ErrRateLimited):
		f.Code = RateLimited
		var d time.Duration
		if errors.As(err, &rl) {
			d = rl.RetryAfter
		}
		f.RetryAfter = retryAfterSeconds(d)
		if errors.Is(err, verify.ErrSuspectedPumping) {
			f.ReasonCode = reasonPumping // shown a neutral text
		}
	case errors.Is(err, verify.ErrUnsupported):
		f.Code = Unsupported
	case errors.Is(err, verify.ErrInvalidCode):
		f.Code = InvalidCode
	case errors.Is(err, verify.ErrTooManyAttempts):
		f.Code = TooManyAttempts
	case errors.Is(err, verify.ErrExpired), errors.Is(err, verify.ErrNotFound):
		f.Code = Expired
	}
	return f
}

// retryAfterSeconds rounds d up to whole seconds, at least one.
func retryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
