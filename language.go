package verify

import (
	"slices"

	"golang.org/x/text/language"
)

// This file holds the languages a provider can speak and how a Verifier
// picks one for each verification. The built-in texts are in texts.go.

// languages are the text-to-speech languages of MessageBird's Verify API.
var languages = []string{
	"nl-nl", "de-de", "en-gb", "en-us", "es-es", "fr-fr", "ru-ru", "zh-cn",
	"en-au", "es-mx", "es-us", "fr-ca", "is-is", "it-it", "ja-jp", "ko-kr",
	"pl-pl", "pt-br", "ro-ro",
}

// Languages returns the text-to-speech languages that WithLanguage accepts.
// Each has a built-in text for calls and one for texts.
//
// Unless WithLanguage or WithUserLanguage decide, a number's country
// gives its main language: NL, BE nl-nl; DE, AT, CH de-de; FR, LU, MC
// fr-fr; ES es-es; MX and the Spanish-speaking countries of Latin America
// es-mx; US, CA en-us; GB, IE en-gb; AU, NZ en-au; BR, PT pt-br; IT it-it;
// PL pl-pl; RO, MD ro-ro; RU, BY, KZ ru-ru; CN zh-cn; JP ja-jp; KR ko-kr;
// IS is-is; every other country en-gb.
func Languages() []string { return slices.Clone(languages) }

// maxUserLanguages bounds the user's languages that are looked at: an
// Accept-Language header can name many, and the first few decide.
const maxUserLanguages = 10

// languageMatcher matches the user's languages against the languages a
// provider can speak. It is read-only once made, so one per Verifier is
// shared by all its calls.
type languageMatcher struct {
	tags    []language.Tag // languages, parsed, in the same order
	matcher language.Matcher
}

func newLanguageMatcher() *languageMatcher {
	tags := make([]language.Tag, len(languages))
	for i, l := range languages {
		tags[i] = language.MustParse(l)
	}
	return &languageMatcher{tags: tags, matcher: language.NewMatcher(tags)}
}

// choose returns the language of one verification of a number from
// region (ISO 3166-1, such as "NL"; "" when unknown):
//
//  1. the language WithLanguage fixed;
//  2. en-gb when WithTemplate gave the text, whose language is unknown
//     (a Dutch voice must not read an English text);
//  3. the first of the user's languages (WithUserLanguage) the provider
//     can speak, by base language and region: "de-CH" gives de-de,
//     "es-AR" es-mx, "pt-PT" pt-br; a tag without a region takes the
//     number's ("fr" with a Canadian number gives fr-ca, "en" with an
//     Australian one en-au);
//  4. the main language of the number's country (regionLanguage);
//  5. en-gb.
func (lm *languageMatcher) choose(m *message, region string) string {
	switch {
	case m.fixedLanguage:
		return m.language
	case m.customTemplate:
		return defaultLanguage
	}
	for _, s := range m.userLangs[:min(len(m.userLangs), maxUserLanguages)] {
		if l := lm.speakable(s, region); l != "" {
			return l
		}
	}
	if l := regionLanguage(region); l != "" {
		return l
	}
	return defaultLanguage
}

// speakable returns the language of languages that best speaks to a user
// who named tag, on a number from region; "" when none does. Malformed
// tags are skipped: they come from a browser, not from the application.
func (lm *languageMatcher) speakable(tag, region string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return ""
	}
	base, conf := t.Base()
	if conf != language.Exact {
		return "" // "und" names no language
	}
	if _, conf := t.Region(); conf != language.Exact && region != "" {
		// The user named a language, not where they speak it: the
		// number says where.
		if l := regionLanguage(region); l != "" {
			if b, _ := lm.tags[slices.Index(languages, l)].Base(); b == base {
				return l
			}
		}
		if r, err := language.ParseRegion(region); err == nil {
			if withRegion, err := language.Compose(t, r); err == nil {
				t = withRegion
			}
		}
	}
	if _, i, conf := lm.matcher.Match(t); conf != language.No {
		return languages[i]
	}
	return ""
}

// regionLanguage returns the main language of a region's people among
// languages, or "" when the provider speaks none of it.
func regionLanguage(region string) string {
	switch region {
	case "NL", "BE":
		return "nl-nl"
	case "DE", "AT", "CH":
		return "de-de"
	case "FR", "LU", "MC":
		return "fr-fr"
	case "ES":
		return "es-es"
	case "MX", // and the Spanish-speaking countries of Latin America
		"AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "HN", "NI",
		"PA", "PE", "PR", "PY", "SV", "UY", "VE":
		return "es-mx"
	case "US", "CA": // CA: French speakers say so with WithUserLanguage
		return "en-us"
	case "GB", "IE":
		return "en-gb"
	case "AU", "NZ":
		return "en-au"
	case "BR", "PT":
		return "pt-br"
	case "IT":
		return "it-it"
	case "PL":
		return "pl-pl"
	case "RO", "MD":
		return "ro-ro"
	case "RU", "BY", "KZ":
		return "ru-ru"
	case "CN":
		return "zh-cn"
	case "JP":
		return "ja-jp"
	case "KR":
		return "ko-kr"
	case "IS":
		return "is-is"
	}
	return ""
}
