package http

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/phoneverify/verify"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	printer "golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// This file holds what the user reads: the language of a request and the
// texts of the pages and the JSON API, all from one catalog.
//
// The catalog is golang.org/x/text/message rather than go-i18n: the root
// module already needs golang.org/x/text/language for the call's
// language, so the pages add no dependency; its plural rules are CLDR's
// (Russian and Polish one/few/many), its language.Matcher does the
// negotiation, and language/display names languages and regions in the
// page's language. The texts themselves live in locales/<tag>.json, one
// file per language, so that a translator edits one flat file.

// locales holds the built-in texts: locales/<BCP 47 tag>.json, a JSON
// object of text by id. A plural text is given by form, "id#one",
// "id#few", "id#many", "id#other" (CLDR's categories), and selected by
// its first argument.
//
//go:embed locales/*.json
var locales embed.FS

// defaultLanguages are the built-in page languages, in the order they are
// offered: the first is used when none of the user's languages is.
var defaultLanguages = [...]string{"en", "nl", "de", "fr", "es", "it", "pt-BR", "pl", "ro", "ru", "zh-Hans", "ja", "ko", "is"}

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

// newTexts builds the catalog: the built-in texts, the app's texts over
// them, and for a language the app adds, the default language's text for
// every id it leaves out.
func newTexts(c i18nConfig) (*texts, error) {
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
			if _, ok := notes[b]; !ok && b != t.bases[i] {
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

// verbs returns the formatting verbs of a text, such as "%s%d".
func verbs(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '%' || i+1 == len(text) {
			continue
		}
		i++
		if text[i] != '%' {
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

// localizer returns the localizer of a request whose Accept-Language
// header is accept: the offered language that best matches it, else the
// default language.
func (t *texts) localizer(accept string) *localizer {
	if len(accept) > maxAcceptLanguage {
		accept = accept[:maxAcceptLanguage]
		if i := strings.LastIndexByte(accept, ','); i >= 0 {
			accept = accept[:i]
		}
	}
	desired, _, _ := language.ParseAcceptLanguage(accept)
	_, i, conf := t.matcher.Match(desired...)
	if conf == language.No {
		i = 0
	}
	tag := t.langs[i]
	l := &localizer{t: t, i: i, tag: tag, lang: tag.String(), dir: direction(tag)}
	// The page's language keeps the user's region ("de-CH", "en-GB"): it
	// is what the call's language is chosen from.
	base, _ := tag.Base()
	for _, d := range desired {
		if b, _ := d.Base(); b != base {
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

// reasonResend is the ReasonCode of a RateLimited failure of a request
// for a new code: the user is told when one can be asked for.
const reasonResend = "resend"

// reasonFormat is the ReasonCode of an InvalidCode failure whose code
// is not as many digits as a code: the user is told how many.
const reasonFormat = "format"

// failureMessage is the text of f for the JSON API, in the language of
// r's Accept-Language header.
func (h *handler) failureMessage(r *http.Request, f *Failure) string {
	l := h.texts.localizer(r.Header.Get("Accept-Language"))
	return l.failureText(f, f.Region, h.v.TokenLength(), true)
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

// CallLanguageNote says which language the call or text is in, such as
// "The call will be in Dutch." (in the page's language), when it is not
// the page's language; "" when it is, or is not known (CallLanguage).
func (p *Page) CallLanguageNote() string {
	if p.loc == nil || p.CallLanguage == "" {
		return ""
	}
	t, i := p.loc.t, p.loc.i
	b, _, _ := strings.Cut(strings.ToLower(p.CallLanguage), "-")
	if b == t.bases[i] {
		return ""
	}
	notes, ok := t.notes[i][b]
	if !ok {
		notes = p.loc.callNotes(p.CallLanguage)
	}
	if p.Channel == verify.SMS {
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

// localize sets the language of the page p answering r, once, and the
// text of its failure, if any, in that language.
func (h *handler) localize(r *http.Request, p *Page) {
	if p.loc == nil {
		p.loc = h.texts.localizer(r.Header.Get("Accept-Language"))
		p.Lang, p.Dir, p.Text = p.loc.lang, p.loc.dir, h.texts.html[p.loc.i]
	}
	if f := p.Error; f != nil {
		f.Message = p.loc.failureText(f, f.Region, p.CodeLength, false)
	}
}

// Nowrap returns s, escaped, in a span that does not wrap, for an
// argument of T such as the example number of the phone form's hint.
func (p *Page) Nowrap(s string) template.HTML {
	return template.HTML(`<span class="nowrap">` + template.HTMLEscapeString(s) + "</span>")
}

// bake returns a copy of t for each offered language, in which every
// action that shows a text without arguments, {{.Text.id}} where dot is
// the page or {{$.Text.id}}, is replaced by that text, escaped: the pages
// of every language then render as fast as templates written in one. It
// must be called before t is executed (html/template escapes a tree when
// it is first executed, and a clone shares its trees until replaced:
// every tree of a copy is a copy).
func (t *texts) bake(tmpl *template.Template) ([]*template.Template, error) {
	baked := make([]*template.Template, len(t.langs))
	for i := range t.langs {
		c, err := tmpl.Clone()
		if err != nil {
			return nil, fmt.Errorf("%w: verifyhttp: templates: %v", verify.ErrInvalidOption, err)
		}
		for _, tt := range c.Templates() {
			if tt.Tree == nil || tt.Tree.Root == nil {
				continue
			}
			tree := tt.Tree.Copy()
			bakeList(tree.Root, t.html[i], true)
			if _, err := c.AddParseTree(tt.Name(), tree); err != nil {
				return nil, fmt.Errorf("%w: verifyhttp: templates: %v", verify.ErrInvalidOption, err)
			}
		}
		baked[i] = c
	}
	return baked, nil
}

// bakeList replaces in l the actions that show a text of texts; dotIsPage
// says whether dot is still what the template was called with (not
// inside a with or range).
func bakeList(l *parse.ListNode, texts map[string]template.HTML, dotIsPage bool) {
	if l == nil {
		return
	}
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if s, ok := bakedText(n, texts, dotIsPage); ok {
				l.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(s)}
			}
		case *parse.IfNode:
			bakeList(n.List, texts, dotIsPage)
			bakeList(n.ElseList, texts, dotIsPage)
		case *parse.WithNode:
			bakeList(n.List, texts, false)
			bakeList(n.ElseList, texts, dotIsPage)
		case *parse.RangeNode:
			bakeList(n.List, texts, false)
			bakeList(n.ElseList, texts, dotIsPage)
		case *parse.ListNode:
			bakeList(n, texts, dotIsPage)
		}
	}
}

// bakedText returns the text an action shows when it is only
// {{.Text.id}} (dot being the page) or {{$.Text.id}} of a known id.
func bakedText(a *parse.ActionNode, texts map[string]template.HTML, dotIsPage bool) (template.HTML, bool) {
	if a.Pipe == nil || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 1 {
		return "", false
	}
	var ident []string
	switch arg := a.Pipe.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		if !dotIsPage {
			return "", false
		}
		ident = arg.Ident
	case *parse.VariableNode:
		if len(arg.Ident) == 0 || arg.Ident[0] != "$" {
			return "", false
		}
		ident = arg.Ident[1:]
	default:
		return "", false
	}
	if len(ident) != 2 || ident[0] != "Text" {
		return "", false
	}
	s, ok := texts[ident[1]]
	return s, ok
}

// templatesFor returns the templates that render p: those with the
// texts of p's language in place.
func (h *handler) templatesFor(p *Page) *template.Template {
	if p.loc != nil && p.loc.t == h.texts {
		return h.baked[p.loc.i]
	}
	return h.tmpl
}
