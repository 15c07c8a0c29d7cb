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
	opSend // a Sender's SMS or voice message
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
// what no log may hold, should MessageBird echo it: the access key, the
// text a Sender sends, the code, and every number, in any format (see
// digitSpans). Where two of
// them overlap (a code inside the key, a key of digits inside the code),
// the longer one's mark stands for both, the key's when they are equal.
func (c *call) scrub(s string) string {
	if s == "" {
		return s
	}
	var spans []span
	for _, x := range []struct{ value, mark string }{{c.cl.key, "[access key]"}, {c.text, "[text]"}} {
		for i := 0; x.value != ""; {
			k := strings.Index(s[i:], x.value)
			if k < 0 {
				break
			}
			spans = append(spans, span{i + k, i + k + len(x.value), x.mark})
			i += k + len(x.value)
		}
	}
	spans = append(spans, digitSpans(s, c.number, c.code)...)
	// Stable: of two spans of one length, the key's comes first and
	// names both.
	slices.SortStableFunc(spans, func(a, b span) int { return a.from - b.from })
	var out strings.Builder
	at := 0 // s[:at] is written
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && spans[i].from < cur.to; i++ {
			if spans[i].to-spans[i].from > cur.to-cur.from {
				cur.mark = spans[i].mark
			}
			cur.to = max(cur.to, spans[i].to)
		}
		out.WriteString(s[at:cur.from])
		out.WriteString(cur.mark)
		at = cur.to
	}
	out.WriteString(s[at:])
	return out.String()
}

// span is a part of a text, s[from:to], to be replaced by mark.
type span struct {
	from, to int
	mark     string
}

// digitSeparators may stand between the digits of one number, as people
// and APIs write numbers and spoken codes: "+31 (0)6 12-34.56/78",
// "1, 2, 3".
const digitSeparators = " \t-./(),"

// digitSpans finds the digits in s to hide. A run of digits with
// separators between them (and an optional "+" before) is split into its
// groups of digits: groups that together are number (E.164 digits) in any
// format (see sameNumber) read "[number]", groups that together are code
// read "[code]", and what is left of the run reads "[digits]" when it has
// 4 digits or more, since it could still be a code or a number the call
// does not know (Check, Status and Cancel know no number). Shorter
// numbers stay.
func digitSpans(s, number, code string) []span {
	var spans []span
	for i := 0; i < len(s); i++ {
		j := i
		if s[j] == '+' {
			j++
		}
		if j == len(s) || !isDigit(s[j]) {
			continue
		}
		var groups []span // of digits only
		for k := j; k < len(s); k++ {
			switch {
			case isDigit(s[k]) && k > j && isDigit(s[k-1]):
				groups[len(groups)-1].to = k + 1
			case isDigit(s[k]):
				groups = append(groups, span{from: k, to: k + 1})
			case !strings.ContainsRune(digitSeparators, rune(s[k])):
				k = len(s)
			}
		}
		groups[0].from = i // the "+" goes with the first group
		spans = append(spans, runSpans(s, groups, number, code)...)
		i = groups[len(groups)-1].to - 1
	}
	return spans
}

// runSpans marks the groups of digits of one run, as digitSpans says.
func runSpans(s string, groups []span, number, code string) []span {
	var spans []span
	digits := func(a, z int) string { // of groups a to z
		var d strings.Builder
		for _, g := range groups[a : z+1] {
			d.WriteString(strings.TrimPrefix(s[g.from:g.to], "+"))
		}
		return d.String()
	}
	rest := -1 // first group left over, -1 when none
	n := 0     // digits left over since rest
	flush := func(z int) {
		if rest >= 0 && n >= 4 {
			spans = append(spans, span{groups[rest].from, groups[z].to, "[digits]"})
		}
		rest, n = -1, 0
	}
	for a := 0; a < len(groups); {
		mark, z := "", a
		for y := len(groups) - 1; y >= a && mark == ""; y-- {
			switch d := digits(a, y); {
			case sameNumber(d, number):
				mark, z = "[number]", y
			case d == code:
				mark, z = "[code]", y
			}
		}
		if mark == "" {
			if rest < 0 {
				rest = a
			}
			n += len(digits(a, a))
			a++
			continue
		}
		flush(a - 1)
		spans = append(spans, span{groups[a].from, groups[z].to, mark})
		a = z + 1
	}
	flush(len(groups) - 1)
	return spans
}

// sameNumber reports whether digits, as written in an answer, is number
// (E.164 digits) in one of its formats: international with or without
// "+" or "00" ("31612345678", "0031612345678"), national with or without
// its trunk prefix ("0612345678", "612345678"), or international with the
// trunk prefix kept ("+31 (0)6 ..."). The country code is 1 to 3 digits.
func sameNumber(digits, number string) bool {
	if number == "" || digits == "" {
		return false
	}
	d := strings.TrimLeft(digits, "0")
	if len(d) >= len(number)-3 && d != "" && strings.HasSuffix(number, d) {
		return true
	}
	for k := 1; k <= 3; k++ { // number has 7 digits or more
		if d == number[:k]+"0"+number[k:] {
			return true
		}
	}
	return false
}

// mapError is fail without the scrubbing.
func (c *call) mapError(o op, err error) *verify.ProviderError {
	pe := &verify.ProviderError{Provider: providerName, HTTPStatus: c.status}
	if cerr := c.ctx.Err(); cerr != nil {
		if context.Cause(c.ctx) == errTimeout {
			pe.Err = fmt.Errorf("%w: no answer within %s: %w", verify.ErrUnavailable, c.cl.timeout, cerr)
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

// recipientParam reports whether p names the recipient: "recipient" in
// the Verify API, "recipients" in the Messages and Voice Messages APIs.
func recipientParam(p string) bool { return p == "recipient" || p == "recipients" }

// apiError maps an error answer of the API. The error codes are
// MessageBird's: 2 request not allowed (bad key), 9 missing parameter, 10
// invalid parameter, 20 not found, 21 bad request, 25 not enough balance,
// 98 API not found, 99 internal error.
func (c *call) apiError(o op, pe *verify.ProviderError, er mb.ErrorResponse) {
	var e mb.Error
	if len(er.Errors) > 0 {
		e = er.Errors[0]
		for _, x := range er.Errors {
			if recipientParam(x.Parameter) {
				e = x
				break
			}
		}
	}
	pe.Code, pe.Description, pe.Parameter = e.Code, e.Description, e.Parameter
	unavailable := func(why string) error { return fmt.Errorf("%w: %s", verify.ErrUnavailable, why) }
	creates := o == opStart || o == opSend
	switch {
	case c.status == http.StatusUnauthorized || c.status == http.StatusForbidden || e.Code == 2:
		pe.Err = unavailable("the access key was refused")
	case e.Code == 25:
		pe.Err = unavailable("not enough balance")
	case e.Code == 20 && o != opSend || c.status == http.StatusNotFound && !creates && e.Code != 98:
		pe.Err = verify.ErrNotFound
	case c.status >= 500 || e.Code == 98 || e.Code == 99:
		pe.Err = unavailable("server error")
	case creates && recipientParam(e.Parameter):
		pe.Err = &verify.PhoneError{Code: "refused", Reason: "MessageBird refused the number"}
	case o == opSend && (e.Code == 9 || e.Code == 10) && e.Parameter == "language":
		pe.Err = fmt.Errorf("%w: MessageBird refused the language", verify.ErrUnsupported)
	case creates && (e.Code == 9 || e.Code == 10) && e.Parameter != "":
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
