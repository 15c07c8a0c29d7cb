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
	"sync"

	"github.com/phoneverify/verify"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	printer "golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// locales holds the built-in texts: locales/<BCP 47 tag>.json, a JSON
// object of text by id. A plural text is given by form, "id#one",
// "id#few", "id#many", "id#other" (CLDR's categories), and selected by
// its first argument.
//
//go:embed locales/*.json
var locales embed.FS

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
	b, err := locales.ReadFile("locales/" + lang + ".json")
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

// texts is the catalog of every offered language, built once by New and
// only read after: safe for concurrent use.
type texts struct {
	cat      *catalog.Builder
	langs    []language.Tag // offered, the default first
	matcher  language.Matcher
	printers []*printer.Printer         // by language: a Printer is copied by each Sprintf, never changed
	plain    []map[string]string        // by language: each text without arguments, formatted once
	html     []map[string]template.HTML // by language: plain, escaped for HTML (Page.Text)
	around   []map[string][2]string     // by language: the escaped HTML before and after the one %s of a text that has only that
	bases    []string                   // by language: its base language, "de"
	notes    []map[string][2]string     // by language: "the call will be in …" by call base language, for voice and SMS
}

// i18nConfig is what WithLanguages and WithMessages set.
type i18nConfig struct {
	languages []string
	messages  []messagesOption
}

// newTexts returns the catalog of c: the one shared by every handler
// without WithLanguages and WithMessages, or one of its own.
func newTexts(c i18nConfig) (*texts, error) {
	if len(c.languages) == 0 && len(c.messages) == 0 {
		return defaultTexts()
	}
	return buildTexts(c)
}

// defaultTexts is the catalog of the built-in texts in every language,
// built on first use and shared, since texts are only read once built
// (building one takes milliseconds: an app or a test suite may create
// many handlers).
var defaultTexts = sync.OnceValues(func() (*texts, error) { return buildTexts(i18nConfig{}) })

// buildTexts builds the catalog: the built-in texts, the app's texts over
// them, and for a language the app adds, the default language's text for
// every id it leaves out.
func buildTexts(c i18nConfig) (*texts, error) {
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

	t := &texts{cat: catalog.NewBuilder()}
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
		if slices.Contains(t.langs, tag) {
			return nil, bad("WithLanguages: %q is given twice", n)
		}
		t.langs = append(t.langs, tag)
	}
	def := all[t.langs[0]]
	for _, tag := range t.langs {
		m := all[tag]
		for id := range allIDs(def) {
			// A region's name is the display name unless a language
			// says otherwise ("the Netherlands").
			if !hasID(m, id) && !strings.HasPrefix(id, "region_") {
				copyID(m, def, id)
			}
		}
		if err := t.add(tag, m); err != nil {
			return nil, bad("texts of %s: %v", tag, err)
		}
	}
	for _, tag := range t.langs {
		p := printer.NewPrinter(tag, printer.Catalog(t.cat))
		plain := map[string]string{}
		for key, text := range all[tag] {
			if id, _, plural := strings.Cut(key, "#"); !plural && verbs(text) == "" {
				plain[id] = p.Sprintf(id)
			}
		}
		html := make(map[string]template.HTML, len(plain))
		for id, text := range plain {
			html[id] = template.HTML(template.HTMLEscapeString(text))
		}
		around := map[string][2]string{}
		for key, text := range all[tag] {
			if id, _, plural := strings.Cut(key, "#"); !plural && verbs(text) == "%s" {
				before, after, _ := strings.Cut(p.Sprintf(id, mark), mark)
				around[id] = [2]string{template.HTMLEscapeString(before), template.HTMLEscapeString(after)}
			}
		}
		t.printers, t.plain, t.html, t.around = append(t.printers, p), append(t.plain, plain), append(t.html, html), append(t.around, around)
		base, _ := tag.Base()
		t.bases = append(t.bases, base.String())
	}
	// The notes naming a call's language, for the languages of calls.
	for i := range t.langs {
		l := &localizer{t: t, i: i, tag: t.langs[i]}
		notes := map[string][2]string{}
		for _, call := range verify.Languages() {
			b, _, _ := strings.Cut(call, "-")
			if _, ok := notes[b]; !ok {
				notes[b] = l.callNotes(call)
			}
		}
		t.notes = append(t.notes, notes)
	}
	t.matcher = language.NewMatcher(t.langs)
	return t, nil
}

// add puts the texts m of tag into the catalog.
func (t *texts) add(tag language.Tag, m map[string]string) error {
	plurals := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		id, _, ok := strings.Cut(key, "#")
		if !ok {
			if err := t.cat.SetString(tag, id, m[key]); err != nil {
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
		if err := t.cat.Set(tag, id, plural.Selectf(1, "%d", cases...)); err != nil {
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
