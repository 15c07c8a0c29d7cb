package http

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// TestPluralFormsComplete: for every whole number a wait can take, every
// built-in language gives n_seconds and n_minutes in the plural form its
// CLDR rule picks, rather than falling back to "other" (Russian 21
// секунду, not 21 секунды).
func TestPluralFormsComplete(t *testing.T) {
	names := map[plural.Form]string{}
	for _, f := range pluralForms {
		names[f.form] = f.name
	}
	for _, lang := range defaultLanguages {
		m := DefaultMessages(lang)
		require.NotNil(t, m, lang)
		tag := language.MustParse(lang)
		for _, id := range []string{"n_seconds", "n_minutes"} {
			for n := range 3601 {
				form := names[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
				if _, ok := m[id+"#"+form]; !ok {
					assert.Fail(t, "plural form missing", "%s: %s(%d) is %q, and %s#%s is missing", lang, id, n, form, id, form)
					break
				}
			}
		}
	}
}

// TestDurationMinutesSeconds: a wait of minutes and seconds, each in its
// plural form, joined as the language joins them.
func TestDurationMinutesSeconds(t *testing.T) {
	tx := newTestTexts(t)
	for _, tt := range []struct {
		lang             string
		minutes, seconds int
		want             string
	}{
		{"en", 1, 59, "1 minute and 59 seconds"},
		{"en", 2, 1, "2 minutes and 1 second"},
		{"nl", 1, 1, "1 minuut en 1 seconde"},
		{"de", 1, 30, "1 Minute und 30 Sekunden"},
		{"fr", 1, 1, "1 minute et 1 seconde"},
		{"es", 1, 59, "1 minuto y 59 segundos"},
		{"it", 2, 1, "2 minuti e 1 secondo"},
		{"pt-BR", 1, 59, "1 minuto e 59 segundos"},
		{"pt-PT", 1, 59, "1 minuto e 59 segundos"},
		{"pl", 1, 59, "1 minutę i 59 sekund"},
		{"pl", 2, 22, "2 minuty i 22 sekundy"},
		{"ro", 1, 20, "1 minut și 20 de secunde"},
		{"ro", 2, 19, "2 minute și 19 secunde"},
		{"ru", 1, 59, "1 минуту 59 секунд"},
		{"ru", 2, 21, "2 минуты 21 секунду"},
		{"ru", 5, 22, "5 минут 22 секунды"},
		{"zh-Hans", 1, 59, "1 分钟 59 秒"},
		{"zh-Hant", 1, 59, "1 分鐘 59 秒"},
		{"ja", 1, 59, "1分59秒"},
		{"ko", 1, 59, "1분 59초"},
		{"is", 1, 21, "1 mínútu og 21 sekúndu"},
		{"is", 2, 59, "2 mínútur og 59 sekúndur"},
	} {
		l := tx.forAccept(tt.lang)
		require.Equal(t, tt.lang, l.tag.String())
		got := l.text("duration_minutes_seconds", l.text("n_minutes", tt.minutes), l.text("n_seconds", tt.seconds))
		assert.Equal(t, tt.want, got, "%s: %d min %d s", tt.lang, tt.minutes, tt.seconds)
	}
}
