package http

// This file holds the templates: the embedded defaults, how an app's
// replace them, and the helpers that format what they show.

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/internal/phone"
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
//
// Templates show a text of the page's language with {{.Text.id}} (see
// Page.Text), and can call the functions the defaults call:
//
//	T "id" args...   the text id of the page's language, formatted with args (see WithMessages)
//	strong s         s in a <strong> element, for an argument of T
//	nowrap s         s in a span that does not wrap, for an argument of T
//	datetime t       the time t in UTC to the second, for <time datetime>: "2026-11-30T09:41:00Z"
//	unixMilli t      t in milliseconds since 1970, for a script
//	timeLeft t       the time until t as minutes and seconds, "9:58"; never negative
//	clock t          the time of day of t in a <time> element, "14:35 UTC": the server does
//	                 not know the user's time zone (the code page's script shows it in the user's)
func DefaultTemplates() *template.Template {
	return template.Must(template.New("verifyhttp").Funcs(templateFuncs(nil, time.Now)).ParseFS(templateFS, "templates/*.html"))
}

// templateFuncs are the functions the templates call, with T in the
// language of l (nil: the id itself) and timeLeft counting from now.
func templateFuncs(l *locale, now func() time.Time) template.FuncMap {
	t := func(id string, _ ...any) template.HTML { return template.HTML(template.HTMLEscapeString(id)) }
	if l != nil {
		t = l.T
	}
	return template.FuncMap{
		"T": t,
		"strong": func(s string) template.HTML {
			return template.HTML("<strong>" + template.HTMLEscapeString(s) + "</strong>")
		},
		"nowrap": func(s string) template.HTML {
			return template.HTML(`<span class="nowrap">` + template.HTMLEscapeString(s) + "</span>")
		},
		"datetime":  func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") },
		"clock":     clock,
		"unixMilli": func(t time.Time) int64 { return t.UnixMilli() },
		"timeLeft":  func(t time.Time) string { return timeLeft(t.Sub(now())) },
	}
}

// localized returns a copy of t whose functions speak the language of l,
// with timeLeft counting from now. t must not have been executed.
func localized(t *template.Template, l *locale, now func() time.Time) (*template.Template, error) {
	c, err := t.Clone()
	if err != nil {
		return nil, fmt.Errorf("%w: verifyhttp.WithTemplates: %v", verify.ErrInvalidOption, err)
	}
	return c.Funcs(templateFuncs(l, now)), nil
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
		Channel: verify.Voice, ExpiresAt: time.Unix(0, 0), CanEnterCode: true,
		Error:        &Failure{Code: InvalidCode, Message: "That code is not right."},
		CallLanguage: "en-gb", CallLanguageNote: "The call will be in English.", CodeLength: 6, Example: "06 12345678", ContinueURL: "/account",
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

// clock returns the time of day of t, to the minute, in UTC and saying
// so, in a <time> element whose datetime a script can show in the user's
// own time zone: <time datetime="2026-03-04T14:35:00Z">14:35 UTC</time>.
func clock(t time.Time) template.HTML {
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format("2006-01-02T15:04:05Z") + `">` + t.Format("15:04") + " UTC</time>")
}

// timeLeft formats d as minutes and seconds, "9:58"; never negative.
func timeLeft(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int((d + time.Second/2) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// exampleNumber is the phone form's example: a mobile number of region in
// its national format ("06 12345678"), or a Dutch one in international
// format when no region is set.
func exampleNumber(region string) string {
	if ex := phone.Example(region); ex != "" {
		return ex
	}
	return "+31 6 12345678"
}
