package messagebird

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScrubDigits(t *testing.T) {
	cl := &client{key: "live_KEY123456"}
	tests := []struct {
		number, code, in, want string
	}{
		{"31612345678", "", "to +31 6 12345678.", "to [number]."},
		{"31612345678", "", "+31 (0)6 1234 5678 or 0031612345678", "[number] or [number]"},
		{"31612345678", "", "10, 0612345678", "10, [number]"},
		{"31612345678", "", "1000, 0612345678", "[digits], [number]"},
		{"31612345678", "123456", "+31 6 12345678", "[number]"},
		{"", "123456", "+31 6 12345678", "[digits]"},
		{"", "123456", "token=123456&", "token=[code]&"},
		{"", "123456", "1 2 3 4 5 6", "[code]"},
		{"", "", "a + b, 1+2=3; 404", "a + b, 1+2=3; 404"},
		{"", "", "ünïcode 12345 ☎", "ünïcode [digits] ☎"},
		{"", "", "key live_KEY123456.", "key [access key]."},
		{"", "", "key live_KEY123456 7890", "key [access key]"},      // digits that run on from the key go with it
		{"", "", "live_KEY1 2345678901234567", "live_KEY[digits]"},   // not the key, but digits
		{"", "", "key live_KEY123456 7890123456789", "key [digits]"}, // the longer mark names both
		{"31612345678", "", "tel 12+31612345678", "tel 12[number]"},
		{"31612345678", "", "12 31612345678 5678", "12 [number] [digits]"},
		{"353861234567", "", "086 123 4567, +353 (0)86 123 4567", "[number], [number]"},
		{"353861234567", "", "6123 4567", "[digits]"}, // a shorter suffix is not the number
		{"", "", "trailing 12 ", "trailing 12 "},
		{"", "", "+", "+"},
	}
	for _, tt := range tests {
		c := &call{cl: cl, number: tt.number, code: tt.code}
		assert.Equal(t, tt.want, c.scrub(tt.in), "scrub(%q) with number %q, code %q", tt.in, tt.number, tt.code)
	}
	// Marks that touch stay apart.
	c := &call{cl: &client{key: "live_KEY"}, text: "Code: 12345"}
	assert.Equal(t, "[access key][digits] [text]", c.scrub("live_KEY4321 Code: 12345"))
}

// FuzzScrub checks that no scrubbed text holds 4 digits or more with
// only separators between them, nor the key.
func FuzzScrub(f *testing.F) {
	for _, s := range []string{"+31 6 12345678", "1, 2, 3, 4", "k3y 12 34", "(06) 1234.5678", "+"} {
		f.Add(s)
	}
	c := &call{cl: &client{key: "k3y"}, number: "31612345678", code: "1234"}
	f.Fuzz(func(t *testing.T, s string) {
		out := c.scrub(s)
		assert.NotContains(t, out, "k3y")
		n := 0
		for i := 0; i < len(out); i++ {
			switch {
			case isDigit(out[i]):
				n++
			case !strings.ContainsRune(digitSeparators, rune(out[i])):
				n = 0
			}
			require.Less(t, n, 4, "scrub(%q) = %q holds 4 digits in a row", s, out)
		}
	})
}
