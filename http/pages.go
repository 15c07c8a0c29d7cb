package http

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/phoneverify/verify"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates the handler executes; New checks that each
// is defined and renders with sample data.
var pageNames = [...]string{"phone", "code", "success", "error"}

// DefaultTemplates returns a new copy of the embedded default templates,
// to extend or to override in part before passing it to WithTemplates:
//
//	t := template.Must(verifyhttp.DefaultTemplates().Parse(`{{define "lang"}}nl{{end}}`))
func DefaultTemplates() *template.Template {
	return template.Must(template.New("verifyhttp").ParseFS(templateFS, "templates/*.html"))
}

// Page is the data every template receives.
type Page struct {
	// Name is the page: "phone", "code", "success" or "error".
	Name string
	// Status is the HTTP status of the response, such as 422.
	Status int
	// Input is the number as the user typed it, to fill the phone form
	// again after an error.
	Input string
	// Phone is the number being verified, or verified, in E.164 (such as
	// "+31612345678"); empty on the phone form.
	Phone string
	// Masked is Phone for display with its middle hidden, such as
	// "+31 6 •••• 5678".
	Masked string
	// Channel is how the code was sent (code page) or the channel chosen
	// (phone form): "voice" or "sms".
	Channel verify.Channel
	// ExpiresAt is when the code stops working (code page).
	ExpiresAt time.Time
	// TimeLeft is the time until ExpiresAt as minutes and seconds, such as
	// "9:58" (code page).
	TimeLeft string
	// CanEnterCode reports whether the code page should offer the code
	// field: false once the verification expired or failed.
	CanEnterCode bool
	// Error is what went wrong, or nil.
	Error *PageError

	// Lang is the language of the page, a BCP 47 tag such as "de", and
	// Dir its direction, "ltr" or "rtl", for <html lang dir>.
	Lang, Dir string
	// CallLanguage is the language of the call or text, as the verify
	// package names it ("de-de"); code page.
	CallLanguage string
	// ResendIn is the number of seconds until a new code can be asked for
	// (the resend cooldown), 0 when it can be asked for now; code page.
	ResendIn int
	// CodeLength is the number of digits in a code, such as 6.
	CodeLength int
	// Example is an example number for the phone form's hint, in the
	// national format of the default region when one is set ("06 12345678"),
	// else in international format.
	Example string
	// ContinueURL is where the success page's "Continue" link leads; empty
	// for none.
	ContinueURL string
}

// PageError describes what went wrong, for the "alert" and
// "error_message" templates.
type PageError struct {
	// Code identifies the error, and is the same in the JSON API:
	// invalid_phone, unsupported, invalid_code, expired, already_used,
	// too_many_attempts, rate_limited, unavailable, session_invalid, session_expired,
	// invalid_request, too_large, cross_origin.
	Code string
	// Message is the default English text for Code.
	Message string
	// Reason says why a number is refused (invalid_phone), in English,
	// from the verify package's *PhoneError; ReasonCode is that error's
	// Code ("too_short", "line_type", ...), for translations.
	Reason, ReasonCode string
	// RetryAfter is the number of seconds to wait (rate_limited), and
	// RetryAfterMinutes the same rounded up to minutes.
	RetryAfter, RetryAfterMinutes int
}

// buildTemplates returns the templates of user with the defaults filling
// in every name it does not define, and checks that each page renders.
func buildTemplates(user *template.Template) (*template.Template, error) {
	defaults := DefaultTemplates()
	if user == nil {
		return defaults, nil
	}
	t, err := user.Clone()
	if err != nil {
		return nil, fmt.Errorf("%w: verifyhttp.WithTemplates: %v", verify.ErrInvalidOption, err)
	}
	for _, d := range defaults.Templates() {
		if d.Tree == nil || t.Lookup(d.Name()) != nil {
			continue
		}
		if _, err := t.AddParseTree(d.Name(), d.Tree); err != nil {
			return nil, fmt.Errorf("%w: verifyhttp.WithTemplates: %v", verify.ErrInvalidOption, err)
		}
	}
	return t, nil
}

// checkTemplates renders every page with sample data, so that a mistake
// in a replaced template shows when the handler is created, not when a
// user first meets it.
func checkTemplates(t *template.Template) error {
	sample := Page{
		Status: 422, Input: "+31 6 12345678", Phone: "+31612345678", Masked: "+31 6 •••• 5678",
		Channel: verify.Voice, ExpiresAt: time.Unix(0, 0), TimeLeft: "10:00", CanEnterCode: true,
		Error: &PageError{Code: "invalid_code", Message: "That code is not right."},
	}
	for _, name := range pageNames {
		if t.Lookup(name) == nil {
			return fmt.Errorf("%w: verifyhttp.WithTemplates: template %q is not defined", verify.ErrInvalidOption, name)
		}
		p := sample
		p.Name = name
		if err := t.ExecuteTemplate(io.Discard, name, &p); err != nil {
			return fmt.Errorf("%w: verifyhttp.WithTemplates: %v", verify.ErrInvalidOption, err)
		}
	}
	return nil
}

// maskForDisplay hides the middle of an E.164 number, keeping the country
// code, the first digit after it and the last four: "+31 6 •••• 5678".
// Short numbers keep only their last two digits. Country calling codes are
// prefix-free, so the first known one of one to three digits is the one.
func maskForDisplay(e164 string) string {
	digits, ok := strings.CutPrefix(e164, "+")
	if !ok {
		return verify.MaskPhone(e164)
	}
	cc := ""
	for n := 1; n <= 3 && n < len(digits); n++ {
		code, err := strconv.Atoi(digits[:n])
		if err != nil {
			break
		}
		if phonenumbers.GetRegionCodeForCountryCode(code) != "ZZ" {
			cc = digits[:n]
			break
		}
	}
	if cc == "" {
		return verify.MaskPhone(e164)
	}
	national := digits[len(cc):]
	switch {
	case len(national) >= 7:
		return "+" + cc + " " + national[:1] + " •••• " + national[len(national)-4:]
	case len(national) > 2:
		return "+" + cc + " •••• " + national[len(national)-2:]
	}
	return "+" + cc + " ••••"
}

// timeLeft formats d as minutes and seconds, "9:58"; never negative.
func timeLeft(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int((d + time.Second/2) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
