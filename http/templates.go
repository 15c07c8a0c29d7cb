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
func DefaultTemplates() *template.Template {
	return template.Must(template.New("verifyhttp").ParseFS(templateFS, "templates/*.html"))
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
		ExpiresUTC:   "1970-01-01T00:00:00Z",
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

// maskForDisplay hides the middle of an E.164 number, keeping the country
// code, the first digit after it and the last four: "+31 6 •••• 5678".
func maskForDisplay(e164 string) string { return phone.MaskForDisplay(e164) }

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
