package digits

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/runenames"
)

func TestASCIIDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"+31 6-12345678", "+31 6-12345678"},
		{"０６１２３４５６７８", "0612345678"},           // full-width, as a Japanese input method types them
		{"＋３１　６－１２３４　５６７８", "+31 6-1234 5678"}, // full-width plus, ideographic space, full-width hyphen
		{"（０６）１２．３４／５６７８", "(06)12.34/5678"},
		{"٠٦١٢٣٤٥٦٧٨", "0612345678"},     // Arabic-Indic
		{"۰۶۱۲۳۴۵۶۷۸", "0612345678"},     // Extended Arabic-Indic (Persian, Urdu)
		{"०६१२३४५६७८", "0612345678"},     // Devanagari
		{"০৬১২৩৪৫৬৭৮", "0612345678"},     // Bengali
		{"๐๖๑๒๓๔๕๖๗๘", "0612345678"},     // Thai
		{"𝟎𝟏𝟐𝟗", "0129"}, {"𝟘𝟙𝟡", "019"}, // two runs of mathematical digits side by side
		{"090ー1234ー5678", "090-1234-5678"}, // the katakana long vowel mark for a hyphen
		{"12\u2010 34\u2013 56\u2212 78", "12- 34- 56- 78"},
		{"1\u00a02\u20093", "1 2 3"}, // no-break and thin spaces
		{"１２ab３", "12ab3"},
		{"ＡＢＣ１", "ABC1"}, // letters stay letters, for the callers to refuse
		{"1²3", "1²3"},   // a superscript is no decimal digit (category No)
		{"1½", "1½"},
		{"\xff１\xfe", "\xff1\xfe"}, // invalid UTF-8 is kept byte for byte
		{"ⅫЗ", "ⅫЗ"},               // a Roman numeral (Nl) and a Cyrillic letter like a 3
	}
	for _, tt := range tests {
		got := ASCII(tt.in)
		assert.Equal(t, tt.want, got, "ASCII(%q)", tt.in)
		assert.LessOrEqual(t, len(got), len(tt.in), "ASCII(%q) grew", tt.in)
	}
	s := "+31 6 12345678"
	assert.Equal(t, s, ASCII(s))
}

// TestEveryDecimalDigit checks every rune of unicode.Nd against its name:
// "... DIGIT ZERO" reads "0", and so on. It also pins down what
// digitValue relies on: that Nd's ranges are runs of ten.
func TestEveryDecimalDigit(t *testing.T) {
	value := map[string]string{"ZERO": "0", "ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4",
		"FIVE": "5", "SIX": "6", "SEVEN": "7", "EIGHT": "8", "NINE": "9"}
	n := 0
	for _, rg := range unicode.Nd.R16 {
		require.Equal(t, uint16(1), rg.Stride)
		require.Zero(t, (rg.Hi-rg.Lo+1)%10, "a range of %d digits from %U", rg.Hi-rg.Lo+1, rg.Lo)
	}
	for _, rg := range unicode.Nd.R32 {
		require.Equal(t, uint32(1), rg.Stride)
		require.Zero(t, (rg.Hi-rg.Lo+1)%10, "a range of %d digits from %U", rg.Hi-rg.Lo+1, rg.Lo)
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.Is(unicode.Nd, r) {
			continue
		}
		n++
		name := runenames.Name(r)
		words := strings.Fields(name)
		require.NotEmpty(t, words, "%U has no name", r)
		want, ok := value[words[len(words)-1]]
		require.True(t, ok, "%U %s", r, name)
		assert.Equal(t, want, ASCII(string(r)), "%U %s", r, name)
	}
	assert.Greater(t, n, 600, "decimal digits in Unicode %s", unicode.Version)
}
