package http

// This file holds what the user reads: the languages of the handler, the
// one a request gets, and the texts of the pages and the JSON API in it
// (catalog.go builds the catalog).

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/internal/phone"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	printer "golang.org/x/text/message"
)

// countdown stands for the time left in a text the code page's script
// counts down with ("Call me again in {t}").
const countdown = "{t}"

// locale is one language of the pages and the JSON API, built once by New
// and only read after: safe for concurrent use.
type locale struct {
	tag     language.Tag
	base    string // its base language, "de"
	dir     string // its writing direction, "ltr" or "rtl"
	printer *printer.Printer
	html    map[string]template.HTML // each text without arguments, formatted and escaped for HTML: Page.Text
	pages   *template.Template       // the handler's templates, whose T speaks this language
}

// locales are the languages of a handler, the default first.
type locales struct {
	list    []*locale
	matcher language.Matcher
}

// pick returns the locale that best matches the user's languages accept
// (from Accept-Language, most preferred first), else the default one, and
// the language of the page: the locale's, with the user's region ("de-CH",
// "en-GB"), from which the call's language is chosen. A locale with a
// region of its own (pt-BR, pt-PT) keeps its own: that is the variant its
// text is in.
func (ls *locales) pick(accept []language.Tag) (*locale, string) {
	_, i, conf := ls.matcher.Match(accept...)
	if conf == language.No {
		i = 0
	}
	l := ls.list[i]
	if _, own := l.tag.Region(); own == language.Exact {
		return l, l.tag.String()
	}
	for _, d := range accept {
		if b, _ := d.Base(); b.String() != l.base {
			continue
		}
		if r, c := d.Region(); c == language.Exact {
			if s, c := l.tag.Script(); c == language.Exact {
				return l, l.base + "-" + s.String() + "-" + r.String()
			}
			return l, l.base + "-" + r.String()
		}
		break
	}
	return l, l.tag.String()
}

// maxAcceptLanguage bounds the Accept-Language header read; browsers send
// a few dozen bytes.
const maxAcceptLanguage = 512

// parseAcceptLanguage returns the languages of an Accept-Language header,
// most preferred first, without those of q=0; none when it cannot be
// parsed. A header longer than maxAcceptLanguage is cut after its last
// whole entry within the bound.
func parseAcceptLanguage(accept string) []language.Tag {
	if len(accept) > maxAcceptLanguage {
		accept = accept[:maxAcceptLanguage]
		if i := strings.LastIndexByte(accept, ','); i >= 0 {
			accept = accept[:i]
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(accept)
	return tags
}

// direction returns the writing direction of tag's script.
func direction(tag language.Tag) string {
	s, _ := tag.Script()
	switch s.String() {
	case "Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand", "Mend":
		return "rtl"
	}
	return "ltr"
}

// text returns the text id formatted with args; the id itself when the
// catalog lacks it (never for a built-in id: newLocales gives every
// language every id).
func (l *locale) text(id string, args ...any) string {
	return l.printer.Sprintf(id, args...)
}

// has reports whether the catalog has the text id in l's language.
func (l *locale) has(id string) bool {
	return l.text(id) != id
}

// mark stands for an argument of T that is already HTML while the text
// around it is escaped.
const mark = "\x01"

// T returns the text id formatted with args and escaped for HTML; it is
// the templates' function T. An argument of type template.HTML goes in as
// it is, so that a template can emphasize part of a sentence:
//
//	{{T "code_lead_sms" (strong .Masked)}}
func (l *locale) T(id string, args ...any) template.HTML {
	var html []string
	for i, a := range args {
		if h, ok := a.(template.HTML); ok {
			args[i] = mark + strconv.Itoa(len(html)) + mark
			html = append(html, string(h))
		}
	}
	s := template.HTMLEscapeString(l.text(id, args...))
	for i, h := range html {
		s = strings.Replace(s, mark+strconv.Itoa(i)+mark, h, 1)
	}
	return template.HTML(s)
}

// languageName names the language of a call ("de-de") in l's language:
// "German" on an English page, "Deutsch" on a German one; "" when lang is
// empty or not a language tag.
func (l *locale) languageName(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return ""
	}
	base, _ := tag.Base()
	if name := display.Languages(l.tag).Name(base); name != "" {
		return name
	}
	return display.Self.Name(base)
}

// regionName names an ISO 3166-1 region ("NL") in l's language, as
// internal/phone names it: "the Netherlands" on an English page,
// "Nederland" on a Dutch one; "" when unknown. An app's catalog may name
// it instead, with the text "region_NL".
func (l *locale) regionName(region string) string {
	if l.has("region_" + region) {
		return l.text("region_" + region)
	}
	return phone.RegionName(l.tag, region)
}

// duration says a wait in words, each number in its plural form:
// seconds under a minute ("27 seconds"), minutes and seconds up to ten
// minutes ("1 minute and 59 seconds", "2 minutes"), whole minutes,
// rounded up, beyond ("14 minutes").
func (l *locale) duration(seconds int) string {
	m, s := seconds/60, seconds%60
	switch {
	case m == 0:
		return l.text("n_seconds", s)
	case m >= 10:
		return l.text("n_minutes", (seconds+59)/60)
	case s == 0:
		return l.text("n_minutes", m)
	}
	return l.text("duration_minutes_seconds", l.text("n_minutes", m), l.text("n_seconds", s))
}

// callLanguageNote says which language a call (or, on ch SMS, a text)
// in the language call is, such as "The call will be in Dutch." in l's
// language, when it is not that language; "" when it is, or call is ""
// (not known), or the language has no name.
func (l *locale) callLanguageNote(call string, ch verify.Channel) string {
	b, _, _ := strings.Cut(strings.ToLower(call), "-")
	if call == "" || b == l.base {
		return ""
	}
	name := l.languageName(call)
	if name == "" {
		return ""
	}
	if ch == verify.SMS {
		return l.text("code_language_sms", name)
	}
	return l.text("code_language_voice", name)
}

// failureText is the text of f in l's language, for the pages and the
// JSON API alike: an InvalidPhone names f.Region when it is known.
// codeLength is the number of digits in a code; api says the text is for
// the JSON API, whose InvalidRequest names the field at fault (a page's
// user did not name it).
func (l *locale) failureText(f *Failure, codeLength int, api bool) string {
	switch f.Code {
	case InvalidPhone:
		return l.phoneText(f.ReasonCode, f.Region, f.LineType)
	case RateLimited:
		switch {
		case f.RetryAfter <= 0:
			return l.text("error_rate_limited_later")
		case f.ReasonCode == reasonPumping:
			return l.text("error_suspected_pumping")
		case f.ReasonCode == reasonResend:
			return l.text("error_resend_wait", l.duration(f.RetryAfter))
		}
		return l.text("error_rate_limited", l.duration(f.RetryAfter))
	case InvalidCode:
		if f.ReasonCode == reasonFormat && codeLength > 0 {
			return l.text("error_malformed_code", codeLength)
		}
	case InvalidRequest:
		if api && f.Field != "" {
			return l.text("error_invalid_request_field", f.Field)
		}
	}
	if id := "error_" + string(f.Code); f.Code != "" && l.has(id) {
		return l.text(id)
	}
	return l.text("error_other")
}

// reasonPumping is the ReasonCode of a RateLimited failure of a start
// the SMS-pumping guard refused: the user gets a neutral text, without
// the reason or the time to wait.
const reasonPumping = "suspected_pumping"

// reasonResend is the ReasonCode of a RateLimited failure of a request
// for a new code: the user is told when one can be asked for.
const reasonResend = "resend"

// reasonFormat is the ReasonCode of an InvalidCode failure whose code
// is not as many digits as a code: the user is told how many.
const reasonFormat = "format"

// phoneText says why a number cannot be verified, from a verify.PhoneError's
// Code, Region and LineType.
func (l *locale) phoneText(reason, region, lineType string) string {
	switch reason {
	case "line_type":
		if lineType == "personal" {
			lineType = "personal_number" // the id says which kind of "personal"
		}
		if id := "phone_error_line_type_" + lineType; lineType != "" && l.has(id) {
			return l.text(id)
		}
	case "region":
		if name := l.regionName(region); name != "" {
			return l.text("phone_error_region", name)
		}
		return l.text("phone_error_region_unknown")
	case "invalid":
		if name := l.regionName(region); name != "" {
			return l.text("phone_error_invalid_region", name)
		}
	case "format":
		reason = "invalid"
	}
	if id := "phone_error_" + reason; reason != "" && l.has(id) {
		return l.text(id)
	}
	return l.text("error_invalid_phone")
}

// titleID is the id of the title of the page name.
func titleID(name string) string {
	switch name {
	case "phone", "code", "success":
		return "title_" + name
	}
	return "title_error"
}
