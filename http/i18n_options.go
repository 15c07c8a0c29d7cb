package http

import "maps"

type languagesOption []string

// WithLanguages sets the languages of the pages and of the JSON API's
// messages, as BCP 47 tags, the default first: each request gets the one
// that best matches its Accept-Language header, or the first when none
// does. Each must be built in or be given texts with WithMessages.
// Default: the built-in languages, English first: en, nl, de, fr, es, it,
// pt-BR, pt-PT, pl, ro, ru, zh-Hans, zh-Hant, ja, ko, is.
func WithLanguages(tags ...string) Option { return languagesOption(append([]string(nil), tags...)) }
func (o languagesOption) apply(c *config) { c.i18n.languages = o }

type messagesOption struct {
	lang  string
	texts map[string]string
}

// WithMessages sets texts of the language lang (a BCP 47 tag such as
// "de" or "sv"), by id, over the built-in ones: an app changes any text
// without copying a template, and adds a language by giving its texts
// and naming it in WithLanguages. The ids are the keys of
// DefaultMessages("en"); a text the app leaves out of a language it adds
// is the default language's. A text keeps the English text's arguments
// (%s, %d) in their order, and its {t}, where the code page's script
// writes the time left. The numbers in words, "n_seconds" and
// "n_minutes", take plural forms: "n_seconds#one", "n_seconds#few",
// "n_seconds#many", "n_seconds#other" (CLDR's categories; zero and two
// too). New refuses an unknown id or a text whose arguments differ.
// Default: the built-in texts.
func WithMessages(lang string, texts map[string]string) Option {
	return messagesOption{lang, maps.Clone(texts)}
}
func (o messagesOption) apply(c *config) { c.i18n.messages = append(c.i18n.messages, o) }
