package http

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/phoneverify/verify"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// This file holds what the user reads: the language of a request, and
// the texts of the pages and the JSON API in it (catalog.go builds the
// catalog, bake.go puts its texts in the templates).

// countdown stands for the time left in a text the code page's script
// counts down with ("Call me again in {t}").
const countdown = "{t}"

// localizer speaks one language for one request.
type localizer struct {
	t    *texts
	i    int          // the language's index in t.langs
	tag  language.Tag // the catalog language
	lang string       // the page's language, for <html lang>: tag with the user's region
	dir  string       // "ltr" or "rtl"
}

// maxAcceptLanguage bounds the Accept-Language header read; browsers send
// a few dozen bytes.
const maxAcceptLanguage = 512

// boundAcceptLanguage cuts an Accept-Language header longer than
// maxAcceptLanguage after its last whole entry within the bound.
func boundAcceptLanguage(accept string) string {
	if len(accept) > maxAcceptLanguage {
		accept = accept[:maxAcceptLanguage]
		if i := strings.LastIndexByte(accept, ','); i >= 0 {
			accept = accept[:i]
		}
	}
	return accept
}

// localizer returns the localizer of a request whose Accept-Language
// header is accept: the offered language that best matches it, else the
// default language.
func (t *texts) localizer(accept string) *localizer {
	desired, _, _ := language.ParseAcceptLanguage(boundAcceptLanguage(accept))
	_, i, conf := t.matcher.Match(desired...)
	if conf == language.No {
		i = 0
	}
	tag := t.langs[i]
	l := &localizer{t: t, i: i, tag: tag, lang: tag.String(), dir: direction(tag)}
	// The page's language keeps the user's region ("de-CH", "en-GB"): it
	// is what the call's language is chosen from. A catalog language with
	// a region of its own (pt-BR, pt-PT) keeps its own: that is the
	// variant its text is in.
	base, _ := tag.Base()
	_, own := tag.Region()
	for _, d := range desired {
		if b, _ := d.Base(); b != base || own == language.Exact {
			continue
		}
		if r, c := d.Region(); c == language.Exact {
			if s, c := tag.Script(); c == language.Exact {
				l.lang = base.String() + "-" + s.String() + "-" + r.String()
			} else {
				l.lang = base.String() + "-" + r.String()
			}
		}
		break
	}
	return l
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
// catalog lacks it (never for a built-in id: newTexts gives every
// language every id).
func (l *localizer) text(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.t.plain[l.i][id]; ok {
			return s
		}
	}
	return l.t.printers[l.i].Sprintf(id, args...)
}

// has reports whether the catalog has the text id in l's language.
func (l *localizer) has(id string) bool {
	return l.text(id) != id
}

// languageName names the language of a call ("de-de") in l's language:
// "German" on an English page, "Deutsch" on a German one; "" when lang is
// empty or not a language tag.
func (l *localizer) languageName(lang string) string {
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

// regionName names an ISO 3166-1 region ("NL") in l's language: "the
// Netherlands" on an English page ("region_NL" in the catalog), "Nederland"
// on a Dutch one; "" when unknown.
func (l *localizer) regionName(region string) string {
	if l.has("region_" + region) {
		return l.text("region_" + region)
	}
	r, err := language.ParseRegion(region)
	if err != nil || !r.IsCountry() {
		return ""
	}
	return display.Regions(l.tag).Name(r)
}

// duration says seconds in words, "27 seconds", or in minutes, rounded
// up, from two minutes on: "3 minutes".
func (l *localizer) duration(seconds int) string {
	if seconds < 120 {
		return l.text("n_seconds", seconds)
	}
	return l.text("n_minutes", (seconds+59)/60)
}

// failureText is the text of f in l's language, for the pages and the
// JSON API alike. region is the number's region when f refuses it
// (InvalidPhone; "" when not known), codeLength the number of digits in a
// code; api says the text is for the JSON API, whose InvalidRequest names
// the field at fault (a page's user did not name it).
func (l *localizer) failureText(f *Failure, region string, codeLength int, api bool) string {
	switch f.Code {
	case InvalidPhone:
		return l.phoneText(f.ReasonCode, region)
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

// failureMessage is the text of f for the JSON API, in the language of
// r's Accept-Language header.
func (h *handler) failureMessage(r *http.Request, f *Failure) string {
	return h.localizerFor(r).failureText(f, f.Region, h.v.TokenLength(), true)
}

// phoneText says why a number cannot be verified, from a verify.PhoneError's
// Code and Region.
func (l *localizer) phoneText(reason, region string) string {
	switch reason {
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

// mark stands for an argument of T that is already HTML while the text
// around it is escaped.
const mark = "\x01"

// T returns the text id in the page's language, formatted with args and
// escaped for HTML. An argument of type template.HTML goes in as it is,
// so that a template can emphasize part of a sentence:
//
//	{{.T "code_lead_sms" (.Strong .Masked)}}
//
// The ids are the keys of DefaultMessages("en"); WithMessages changes
// the texts.
func (p *Page) T(id string, args ...any) template.HTML {
	if p.loc == nil {
		return template.HTML(template.HTMLEscapeString(id))
	}
	if parts, ok := p.loc.t.around[p.loc.i][id]; ok && len(args) == 1 {
		switch a := args[0].(type) {
		case template.HTML:
			return template.HTML(parts[0] + string(a) + parts[1])
		case string:
			return template.HTML(parts[0] + template.HTMLEscapeString(a) + parts[1])
		}
	}
	var html []string
	for i, a := range args {
		if h, ok := a.(template.HTML); ok {
			args[i] = mark + strconv.Itoa(len(html)) + mark
			html = append(html, string(h))
		}
	}
	s := template.HTMLEscapeString(p.loc.text(id, args...))
	for i, h := range html {
		s = strings.Replace(s, mark+strconv.Itoa(i)+mark, h, 1)
	}
	return template.HTML(s)
}

// Strong returns s, escaped, in a <strong> element, for an argument of T.
func (p *Page) Strong(s string) template.HTML {
	return template.HTML("<strong>" + template.HTMLEscapeString(s) + "</strong>")
}

// callLanguageNote says which language a call (or, on ch SMS, a text)
// in the language call is, such as "The call will be in Dutch." in the
// localizer's language, when it is not that language; "" when it is, or
// call is "" (not known).
func (l *localizer) callLanguageNote(call string, ch verify.Channel) string {
	if call == "" {
		return ""
	}
	t, i := l.t, l.i
	b, _, _ := strings.Cut(strings.ToLower(call), "-")
	if b == t.bases[i] {
		return ""
	}
	notes, ok := t.notes[i][b]
	if !ok {
		notes = l.callNotes(call)
	}
	if ch == verify.SMS {
		return notes[1]
	}
	return notes[0]
}

// callNotes returns the notes naming the language of a call, for a call
// and for a text; none when the language has no name.
func (l *localizer) callNotes(call string) [2]string {
	name := l.languageName(call)
	if name == "" {
		return [2]string{}
	}
	return [2]string{l.text("code_language_voice", name), l.text("code_language_sms", name)}
}

// localizerFor returns the localizer of r, from its Accept-Language
// header.
func (h *handler) localizerFor(r *http.Request) *localizer {
	return h.texts.localizer(r.Header.Get("Accept-Language"))
}

// localize sets the language of the page p answering r, once, and the
// text of its failure, if any, in that language.
func (h *handler) localize(r *http.Request, p *Page) {
	if p.loc == nil {
		p.loc = h.localizerFor(r)
		p.Lang, p.Dir, p.Text = p.loc.lang, p.loc.dir, h.texts.html[p.loc.i]
		p.Title = p.loc.text(titleID(p.Name))
	}
	if f := p.Error; f != nil {
		f.Message = p.loc.failureText(f, f.Region, p.CodeLength, false)
	}
}

// titleID is the id of the title of the page name.
func titleID(name string) string {
	switch name {
	case "phone", "code", "success":
		return "title_" + name
	}
	return "title_error"
}

// Nowrap returns s, escaped, in a span that does not wrap, for an
// argument of T such as the example number of the phone form's hint.
func (p *Page) Nowrap(s string) template.HTML {
	return template.HTML(`<span class="nowrap">` + template.HTMLEscapeString(s) + "</span>")
}
