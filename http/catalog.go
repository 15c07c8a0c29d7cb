package http

// This file builds the catalog of texts, once per handler.
//
// The catalog is golang.org/x/text/message rather than go-i18n: the root
// module already needs golang.org/x/text/language for the call's
// language, so the pages add no dependency; its plural rules are CLDR's
// (Russian and Polish one/few/many), its language.Matcher does the
// negotiation, and language/display names languages and regions in the
// page's language. The texts themselves live in locales/<tag>.json, one
// file per language, so that a translator edits one flat file.

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"strings"

	"github.com/phoneverify/verify"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	printer "golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// localeFS holds the built-in texts: locales/<BCP 47 tag>.json, a JSON
// object of text by id. A plural text is given by form, "id#one",
// "id#few", "id#many", "id#other" (CLDR's categories), and selected by
// its first argument.
//
//go:embed locales/*.json
var localeFS embed.FS

// defaultLanguages are the built-in page languages, in the order they are
// offered: the first is used when none of the user's languages is.
var defaultLanguages = [...]string{"en", "nl", "de", "fr", "es", "it", "pt-BR", "pt-PT", "pl", "ro", "ru", "zh-Hans", "zh-Hant", "ja", "ko", "is"}

// DefaultMessages returns a copy of the built-in texts of lang (one of the
// built-in languages, such as "de"), by id, or nil when lang has none. Its
// keys are the ids WithMessages takes.
func DefaultMessages(lang string) map[string]string {
	m, err := builtinTexts(lang)
	if err != nil {
		return nil
	}
	return m
}

// builtinTexts reads the built-in texts of lang.
func builtinTexts(lang string) (map[string]string, error) {
	b, err := localeFS.ReadFile("locales/" + lang + ".json")
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("locales/%s.json: %v", lang, err)
	}
	return m, nil
}

// pluralForms maps the suffix of a plural text's id to its CLDR form, in
// the order plural.Selectf wants them ("other" last).
var pluralForms = [...]struct {
	name string
	form plural.Form
}{
	{"zero", plural.Zero}, {"one", plural.One}, {"two", plural.Two},
	{"few", plural.Few}, {"many", plural.Many}, {"other", plural.Other},
}

// i18nConfig is what WithLanguages and WithMessages set.
type i18nConfig struct {
	languages []string
	messages  []messagesOption
}

// newLocales builds the catalog of c and returns its languages: the
// built-in texts, the app's texts over them, and for a language the app
// adds, the default language's text for every id it leaves out. The
// locales have no templates yet (see New).
func newLocales(c i18nConfig) (*locales, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: verifyhttp: "+format, append([]any{verify.ErrInvalidOption}, a...)...)
	}
	english, err := builtinTexts("en")
	if err != nil {
		return nil, bad("built-in texts: %v", err)
	}
	all := map[language.Tag]map[string]string{}
	for _, l := range defaultLanguages {
		m, err := builtinTexts(l)
		if err != nil {
			return nil, bad("built-in texts: %v", err)
		}
		all[language.Make(l)] = m
	}
	for _, o := range c.messages {
		tag, err := language.Parse(o.lang)
		if err != nil {
			return nil, bad("WithMessages: language %q: %v", o.lang, err)
		}
		m := all[tag]
		if m == nil {
			m = map[string]string{}
			all[tag] = m
		}
		for key, text := range o.texts {
			id, form, plural := strings.Cut(key, "#")
			if _, ok := english[id]; !ok && !isPluralID(english, id) {
				return nil, bad("WithMessages(%q): unknown text id %q", o.lang, key)
			}
			if plural && !isPluralID(english, id) || plural && !isForm(form) {
				return nil, bad("WithMessages(%q): %q: only %s have plural forms (zero, one, two, few, many, other)", o.lang, key, strings.Join(pluralIDs(english), ", "))
			}
			if err := checkVerbs(english, id, text); err != nil {
				return nil, bad("WithMessages(%q): %q: %v", o.lang, key, err)
			}
			if !plural { // a plain text replaces every form
				maps.DeleteFunc(m, func(k string, _ string) bool { return strings.HasPrefix(k, id+"#") })
			} else {
				delete(m, id)
			}
			m[key] = text
		}
	}

	cat := catalog.NewBuilder()
	var tags []language.Tag // offered, the default first
	names := c.languages
	if len(names) == 0 {
		names = defaultLanguages[:]
	}
	for _, n := range names {
		tag, err := language.Parse(n)
		if err != nil {
			return nil, bad("WithLanguages: %q: %v", n, err)
		}
		if all[tag] == nil {
			return nil, bad("WithLanguages: %q has no texts: it is not built in and no WithMessages gives it any", n)
		}
		if slices.Contains(tags, tag) {
			return nil, bad("WithLanguages: %q is given twice", n)
		}
		tags = append(tags, tag)
	}
	def := all[tags[0]]
	for _, tag := range tags {
		m := all[tag]
		for id := range allIDs(def) {
			// A region's name is the display name unless a language
			// says otherwise ("the Netherlands").
			if !hasID(m, id) && !strings.HasPrefix(id, "region_") {
				copyID(m, def, id)
			}
		}
		if err := add(cat, tag, m); err != nil {
			return nil, bad("texts of %s: %v", tag, err)
		}
	}
	ls := &locales{matcher: language.NewMatcher(tags)}
	for _, tag := range tags {
		p := printer.NewPrinter(tag, printer.Catalog(cat))
		html := map[string]template.HTML{}
		for key, text := range all[tag] {
			if id, _, plural := strings.Cut(key, "#"); !plural && verbs(text) == "" {
				html[id] = template.HTML(template.HTMLEscapeString(p.Sprintf(id)))
			}
		}
		base, _ := tag.Base()
		ls.list = append(ls.list, &locale{tag: tag, base: base.String(), dir: direction(tag), printer: p, html: html})
	}
	return ls, nil
}

// add puts the texts m of tag into the catalog cat.
func add(cat *catalog.Builder, tag language.Tag, m map[string]string) error {
	plurals := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		id, _, ok := strings.Cut(key, "#")
		if !ok {
			if err := cat.SetString(tag, id, m[key]); err != nil {
				return err
			}
			continue
		}
		plurals[id] = true
	}
	for id := range plurals {
		var cases []any
		for _, f := range pluralForms {
			if text, ok := m[id+"#"+f.name]; ok {
				cases = append(cases, f.form, text)
			}
		}
		if err := cat.Set(tag, id, plural.Selectf(1, "%d", cases...)); err != nil {
			return err
		}
	}
	return nil
}

func isForm(name string) bool {
	return slices.ContainsFunc(pluralForms[:], func(f struct {
		name string
		form plural.Form
	}) bool {
		return f.name == name
	})
}

// isPluralID reports whether the English texts give id by plural form.
func isPluralID(english map[string]string, id string) bool {
	_, ok := english[id+"#other"]
	return ok
}

func pluralIDs(english map[string]string) []string {
	var ids []string
	for k := range english {
		if id, ok := strings.CutSuffix(k, "#other"); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// allIDs yields the ids of m, a plural text once.
func allIDs(m map[string]string) map[string]bool {
	ids := map[string]bool{}
	for k := range m {
		id, _, _ := strings.Cut(k, "#")
		ids[id] = true
	}
	return ids
}

func hasID(m map[string]string, id string) bool {
	if _, ok := m[id]; ok {
		return true
	}
	for _, f := range pluralForms {
		if _, ok := m[id+"#"+f.name]; ok {
			return true
		}
	}
	return false
}

func copyID(dst, src map[string]string, id string) {
	if s, ok := src[id]; ok {
		dst[id] = s
	}
	for _, f := range pluralForms {
		if s, ok := src[id+"#"+f.name]; ok {
			dst[id+"#"+f.name] = s
		}
	}
}

// verbs returns the formatting verbs of a text, such as "%s%d". A lone
// "%" at the end, which the printer shows as "%!(NOVERB)", counts as the
// verb "%", so that checkVerbs refuses it.
func verbs(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '%' {
			continue
		}
		i++
		switch {
		case i == len(text):
			b.WriteByte('%')
		case text[i] != '%':
			b.WriteByte('%')
			b.WriteByte(text[i])
		}
	}
	return b.String()
}

// checkVerbs refuses a text whose arguments differ from the English
// text's: a %s where a %d was, or one left out or added. A text may leave
// out a plural text's number ("one minute").
func checkVerbs(english map[string]string, id, text string) error {
	want, ok := english[id]
	if !ok {
		want = english[id+"#other"]
	}
	if strings.Contains(want, countdown) && !strings.Contains(text, countdown) {
		return fmt.Errorf("it lacks %s, where the page's script writes the time left", countdown)
	}
	got, w := verbs(text), verbs(want)
	if got == w || isPluralID(english, id) && got == "" {
		return nil
	}
	if w == "" {
		w = "none"
	}
	return fmt.Errorf("its arguments %q differ from the English text's (%s)", got, w)
}
