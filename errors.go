package verify

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Every error returned by a Verifier matches one of them
// with errors.Is (or a context error, when the caller's context ended).
// Their messages, and those of the errors wrapping them, are safe to show to
// a user or to log: they never contain a code or an access key.
var (
	// ErrInvalidPhone means the phone number cannot be verified: it does not
	// parse, is not valid for its region, or is of a refused type or region.
	// The error is a *PhoneError whose Reason says why.
	ErrInvalidPhone = errors.New("verify: invalid phone number")

	// ErrInvalidCode means the code is wrong, or malformed (anything other
	// than 4 to 10 digits once spaces and dashes are removed). The
	// verification stays pending: the user may try again.
	ErrInvalidCode = errors.New("verify: invalid code")

	// ErrExpired means the verification can no longer succeed: its code
	// expired, was already used, or the verification was canceled.
	ErrExpired = errors.New("verify: verification expired")

	// ErrNotFound means the provider does not know the verification id.
	ErrNotFound = errors.New("verify: verification not found")

	// ErrTooManyAttempts means too many wrong codes were entered: the
	// verification has failed and a new one must be started.
	ErrTooManyAttempts = errors.New("verify: too many attempts")

	// ErrRateLimited means the request was refused by a rate limit. The
	// error is a *RateLimitError that says when to try again.
	ErrRateLimited = errors.New("verify: rate limited")

	// ErrSuspectedPumping means a start was refused by the SMS-pumping
	// guard (see WithPumpingGuard): its number range has had many starts
	// and few verified checks lately. The error is also a
	// *RateLimitError, so it matches ErrRateLimited too; show the user a
	// neutral message, not the reason.
	ErrSuspectedPumping = errors.New("verify: suspected SMS pumping")

	// ErrUnavailable means the provider could not be reached or answered
	// with something unusable: network failure, timeout, 5xx, a malformed
	// body, a rejected access key. Retrying later may help.
	ErrUnavailable = errors.New("verify: provider unavailable")

	// ErrInvalidOption means an option has a value outside its range. The
	// message names the option and the allowed values.
	ErrInvalidOption = errors.New("verify: invalid option")

	// ErrUnsupported means the provider or the number cannot do what was
	// asked, such as an SMS to a fixed-line number, or Cancel on a provider
	// without a Canceler.
	ErrUnsupported = errors.New("verify: unsupported")
)

// PhoneError is the error for a phone number that cannot be verified. It
// matches ErrInvalidPhone. It never repeats the number itself.
type PhoneError struct {
	// Code identifies the problem, for translations and for code that
	// branches on it. It is one of: "empty", "characters" (letters or
	// other symbols), "country_code_missing" (a national number and no
	// default region), "country_code", "too_short", "too_long",
	// "area_code_missing", "length", "invalid" (not a valid number in its
	// region), "line_type" (a premium-rate or other refused type),
	// "region" (a region the Verifier does not accept); from providers,
	// "format" (a Request whose number is not in E.164 form, which a
	// Verifier never sends) and "refused" (the provider refused the
	// number).
	Code string
	// Reason is a short English explanation meant for the person who
	// typed the number, such as "the number is too short".
	Reason string
	// Region is the number's ISO 3166-1 region, when Code is "region" or
	// "invalid" and the region is known; otherwise empty.
	Region string
	// LineType is the refused number's kind, when Code is "line_type":
	// "premium_rate", "toll_free", "shared_cost", "personal", "pager",
	// "uan" or "voicemail", as Event.LineType names it, for a page to name
	// it; otherwise empty.
	LineType string
}

// Error returns the reason, after the sentinel's text.
func (e *PhoneError) Error() string { return "verify: invalid phone number: " + e.Reason }

// Is reports whether target is ErrInvalidPhone.
func (e *PhoneError) Is(target error) bool { return target == ErrInvalidPhone }

// RateLimitError is the error for a request refused by a rate limit. It
// matches ErrRateLimited.
type RateLimitError struct {
	// RetryAfter is how long to wait before the same request can succeed;
	// zero when unknown.
	RetryAfter time.Duration
	// Limit names the policy that refused the request, such as
	// "resend_cooldown"; it may be empty.
	Limit string
}

// Error names the limit and the time to wait.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	b.WriteString("verify: rate limited")
	if e.Limit != "" {
		b.WriteString(" (" + e.Limit + ")")
	}
	if e.RetryAfter > 0 {
		// Round up: "retry after 0s" would invite a retry that fails.
		fmt.Fprintf(&b, ": retry after %s", (e.RetryAfter + time.Second - 1).Truncate(time.Second))
	}
	return b.String()
}

// Is reports whether target is ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// ProviderError carries the detail of an error reported by a provider's
// upstream service, for logs and support requests. Err is the sentinel the
// error matches (ErrInvalidCode, ErrUnavailable, ...), so callers keep
// branching with errors.Is and reach the detail with errors.As:
//
//	var pe *verify.ProviderError
//	if errors.As(err, &pe) {
//		log.Printf("MessageBird said %d: %s", pe.Code, pe.Description)
//	}
type ProviderError struct {
	Provider    string // such as "messagebird"
	HTTPStatus  int    // 0 when no response was received
	Code        int    // the provider's own error code, 0 when none
	Description string // the provider's own description
	Parameter   string // the request parameter the provider blamed, if any
	Err         error  // the sentinel this error matches, possibly wrapping a cause
}

// Error gives the provider's status, code and description.
func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString("verify: ")
	if e.Provider != "" {
		b.WriteString(e.Provider + ": ")
	}
	msg := "provider error"
	if e.Err != nil {
		msg = strings.TrimPrefix(e.Err.Error(), "verify: ")
	}
	b.WriteString(msg)
	var detail []string
	if e.HTTPStatus != 0 {
		detail = append(detail, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.Code != 0 {
		detail = append(detail, fmt.Sprintf("code %d", e.Code))
	}
	if e.Description != "" {
		detail = append(detail, fmt.Sprintf("%q", e.Description))
	}
	if e.Parameter != "" {
		detail = append(detail, "parameter "+e.Parameter)
	}
	if len(detail) > 0 {
		b.WriteString(" (" + strings.Join(detail, ", ") + ")")
	}
	return b.String()
}

// Unwrap returns Err.
func (e *ProviderError) Unwrap() error { return e.Err }
