package otp

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
)

// TestSpokenInEveryLanguage: in each of the 19 languages, a call says the
// digits one by one, with the separator that language writes a list with,
// so that no voice reads the code as a number ("123456"), a decimal
// ("1,2") or an ordinal ("1."). A language added to verify.Languages
// fails here until it is given its row.
func TestSpokenInEveryLanguage(t *testing.T) {
	sep := map[string]string{
		"nl-nl": ", ", "de-de": ", ", "en-gb": ", ", "en-us": ", ", "es-es": ", ",
		"fr-fr": ", ", "ru-ru": ", ", "zh-cn": "、", "en-au": ", ", "es-mx": ", ",
		"es-us": ", ", "fr-ca": ", ", "is-is": ", ", "it-it": ", ", "ja-jp": "、",
		"ko-kr": ", ", "pl-pl": ", ", "pt-br": ", ", "ro-ro": ", ",
	}
	langs := verify.Languages()
	require.Len(t, langs, 19)
	require.ElementsMatch(t, langs, keys(sep))
	asNumber := regexp.MustCompile(`[0-9][0-9.,]?[0-9]|[0-9]\.`)
	for _, lang := range langs {
		t.Run(lang, func(t *testing.T) {
			for _, code := range []string{"123456", "0000000000", "9081726354"} {
				got := spoken(code, lang)
				assert.Equal(t, strings.Join(strings.Split(code, ""), sep[lang]), got)
				assert.Empty(t, asNumber.FindAllString(got, -1), "%q can be read as a number", got)
				assert.Equal(t, code, strings.Map(digitsOnly, got), "the digits of %q", got)
			}
		})
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func digitsOnly(r rune) rune {
	if '0' <= r && r <= '9' {
		return r
	}
	return -1
}

// TestTextReplacesEveryToken: every %token is replaced, spoken in a call
// and as is in a text; the rest of the template stays as it is.
func TestTextReplacesEveryToken(t *testing.T) {
	const tmpl = "Your Acme code is %token. Again: %token.\n\n@example.com #%token"
	assert.Equal(t, "Your Acme code is 1, 2, 3, 4, 5, 6. Again: 1, 2, 3, 4, 5, 6.\n\n@example.com #1, 2, 3, 4, 5, 6",
		text(tmpl, "123456", verify.Voice, "en-gb"))
	assert.Equal(t, "Your Acme code is 123456. Again: 123456.\n\n@example.com #123456",
		text(tmpl, "123456", verify.SMS, "ja-jp"))
	assert.Equal(t, "%tok", text("%tok", "123456", verify.SMS, "en-gb"))
}
