package http

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChineseVariants: a browser in Taiwan, Hong Kong or Macao gets the
// Traditional Chinese pages, one in mainland China or Singapore, or one
// that names no region, the Simplified ones; the page's lang names the
// script its text is in.
func TestChineseVariants(t *testing.T) {
	tx := newTestTexts(t)
	for _, tt := range []struct{ accept, tag, lang string }{
		{"zh-TW", "zh-Hant", "zh-Hant-TW"},
		{"zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "zh-Hant", "zh-Hant-TW"},
		{"zh-HK", "zh-Hant", "zh-Hant-HK"},
		{"zh-MO", "zh-Hant", "zh-Hant-MO"},
		{"zh-Hant", "zh-Hant", "zh-Hant"},
		{"zh-Hant-TW", "zh-Hant", "zh-Hant-TW"},
		{"zh-CN", "zh-Hans", "zh-Hans-CN"},
		{"zh-SG", "zh-Hans", "zh-Hans-SG"},
		{"zh", "zh-Hans", "zh-Hans"},
		{"zh-Hans", "zh-Hans", "zh-Hans"},
		{"en;q=0.5, zh-TW", "zh-Hant", "zh-Hant-TW"},
	} {
		l := tx.forAccept(tt.accept)
		assert.Equal(t, tt.tag, l.tag.String(), "catalog of Accept-Language %q", tt.accept)
		assert.Equal(t, tt.lang, l.lang, "lang of Accept-Language %q", tt.accept)
	}
	assert.Equal(t, "驗證電話號碼", tx.forAccept("zh-TW").text("title_phone"))
	assert.Equal(t, "验证电话号码", tx.forAccept("zh-CN").text("title_phone"))

	// An app that offers only Simplified Chinese labels it so, whatever
	// the region.
	only := newTestTexts(t, WithLanguages("en", "zh-Hans"))
	l := only.forAccept("zh-TW")
	assert.Equal(t, "zh-Hans", l.tag.String())
	assert.Equal(t, "zh-Hans-TW", l.lang)
}

// simplifiedOnly are the Simplified forms, each different from its
// Traditional one, of the characters the Simplified Chinese texts use.
const simplifiedOnly = "业两个为于从们会余内几则务区单发号后听国处头寻将并开径总愿拨换摊数无时机条来检没浏点电码确签简类经结给绝继续网获览认证诉试话该语误请读谢费输过还这连钟错长问间须频题验"

// TestTraditionalChinese: the Traditional Chinese texts have none of the
// Simplified forms the Simplified texts use (a text copied across, or
// written in the wrong script, shows here), and speak as Taiwan does.
func TestTraditionalChinese(t *testing.T) {
	hant := DefaultMessages("zh-Hant")
	require.NotEmpty(t, hant)
	hans := strings.Join(slices.Collect(maps.Values(DefaultMessages("zh-Hans"))), "")
	for _, c := range simplifiedOnly {
		assert.True(t, strings.ContainsRune(hans, c), "%c is not in the Simplified texts: the list is out of date", c)
	}
	for id, text := range hant {
		assert.False(t, strings.ContainsAny(text, simplifiedOnly), "zh-Hant %s = %q has a Simplified character", id, text)
		for _, other := range []string{"短信", "信息", "網絡", "服務器", "令牌", "短訊"} { // mainland and Hong Kong words
			assert.NotContains(t, text, other, "zh-Hant %s", id)
		}
	}
	assert.Contains(t, hant["code_heading_sms"], "簡訊")
	assert.Contains(t, hant["phone_label"], "電話號碼")
	assert.Contains(t, hant["title_code"], "驗證碼")
}

// TestPortugueseVariants: Portugal and the countries that write as it
// does get the European Portuguese pages, Brazil and a browser that names
// no region the Brazilian ones; the page's lang names the variant its
// text is in, also when an app offers only one.
func TestPortugueseVariants(t *testing.T) {
	tx := newTestTexts(t)
	for _, tt := range []struct{ accept, tag, lang string }{
		{"pt-PT", "pt-PT", "pt-PT"},
		{"pt-PT,pt;q=0.9,en;q=0.8", "pt-PT", "pt-PT"},
		{"pt-AO", "pt-PT", "pt-PT"},
		{"pt-MZ", "pt-PT", "pt-PT"},
		{"pt-CV", "pt-PT", "pt-PT"},
		{"pt-BR", "pt-BR", "pt-BR"},
		{"pt-BR,pt;q=0.9", "pt-BR", "pt-BR"},
		{"pt", "pt-BR", "pt-BR"},
		{"en;q=0.5, pt-PT", "pt-PT", "pt-PT"},
	} {
		l := tx.forAccept(tt.accept)
		assert.Equal(t, tt.tag, l.tag.String(), "catalog of Accept-Language %q", tt.accept)
		assert.Equal(t, tt.lang, l.lang, "lang of Accept-Language %q", tt.accept)
	}
	assert.Equal(t, "Introduza o código", tx.forAccept("pt-PT").text("title_code"))
	assert.Equal(t, "Digite seu código", tx.forAccept("pt-BR").text("title_code"))

	// Only Brazilian offered: a browser in Portugal reads Brazilian text,
	// and the page says so.
	only := newTestTexts(t, WithLanguages("en", "pt-BR"))
	l := only.forAccept("pt-PT")
	assert.Equal(t, "pt-BR", l.tag.String())
	assert.Equal(t, "pt-BR", l.lang)
}

// TestEuropeanPortuguese: the European texts use none of the words that
// mark Brazilian Portuguese, and the Brazilian none of the European ones.
func TestEuropeanPortuguese(t *testing.T) {
	pt := DefaultMessages("pt-PT")
	br := DefaultMessages("pt-BR")
	require.NotEmpty(t, pt)
	require.NotEmpty(t, br)
	for id, text := range pt {
		for _, w := range []string{"celular", "você", "Digite", "digita", "ligação", "ligando", "Confira", "de novo em", "até as"} {
			assert.NotContains(t, text, w, "pt-PT %s", id)
		}
		// "o seu número", not "seu número"
		assert.False(t, strings.HasPrefix(text, "Seu ") || strings.HasPrefix(text, "Sua "), "pt-PT %s = %q", id, text)
	}
	for id, text := range br {
		for _, w := range []string{"telemóvel", "Introduza", "introduz", "ligar-lhe", "Enviámos", "Confirmámos", "daqui a", "demasiad", "utilizado"} {
			assert.NotContains(t, text, w, "pt-BR %s", id)
		}
	}
	assert.Contains(t, pt["phone_error_line_type"], "telemóvel")
	assert.Contains(t, pt["code_lead_voice"], "Estamos a ligar")
}
