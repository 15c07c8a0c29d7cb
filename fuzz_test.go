package verify

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify/internal/digits"
)

// FuzzParsePhone checks that any input gives either a valid E.164 number
// or a *PhoneError with a reason, never a panic.
func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{
		"+31 6 12345678", "0031612345678", "06-12345678", "(06) 1234 5678", "", "+", "++31",
		"0", "+999", "06-CALLME", "+1 (201) 555-0123", "+44 7400 123456 ext 1", "\u00a0+31612345678",
		"+31 6 1234 5678 9012 3456 7890 1234 5678", "+(31) 6.12/34-56 78", "+8613800138000",
		"０６１２３４５６７８", "＋３１　６　１２３４５６７８", "٠٦١٢٣٤٥٦٧٨", "۰۰۳۱۶۱۲۳۴۵۶۷۸",
	} {
		f.Add(s, "NL")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, input, region string) {
		got, err := ParsePhone(input, region)
		if err != nil {
			var pe *PhoneError
			require.ErrorAs(t, err, &pe, "ParsePhone(%q, %q): want a *PhoneError", input, region)
			require.NotEmpty(t, pe.Reason, "ParsePhone(%q, %q) = %v: want a *PhoneError with a reason", input, region, err)
			require.Empty(t, got, "ParsePhone(%q, %q) = %q with error %v", input, region, got, err)
			return
		}
		require.True(t, strings.HasPrefix(got, "+"), "ParsePhone(%q, %q) = %q: not E.164", input, region, got)
		require.GreaterOrEqual(t, len(got), 4, "ParsePhone(%q, %q) = %q: not E.164", input, region, got)
		require.LessOrEqual(t, len(got), 16, "ParsePhone(%q, %q) = %q: not E.164", input, region, got)
		require.Empty(t, strings.Trim(got[1:], "0123456789"), "ParsePhone(%q, %q) = %q: not E.164", input, region, got)
		num, perr := phonenumbers.Parse(got, "")
		require.NoError(t, perr, "ParsePhone(%q, %q) = %q, which phonenumbers cannot parse", input, region, got)
		require.True(t, phonenumbers.IsValidNumber(num), "ParsePhone(%q, %q) = %q, which is not a valid number", input, region, got)
		// ParsePhone reads what phonenumbers reads (which takes 00 for the
		// international prefix only given a region that dials it, and of
		// the digits of other scripts only Arabic-Indic ones).
		in := strings.TrimSpace(digits.ASCII(input))
		if rest, ok := strings.CutPrefix(in, "00"); ok && region == "" {
			in = "+" + rest
		}
		orig, err := phonenumbers.Parse(in, strings.ToUpper(region))
		require.NoError(t, err, "ParsePhone(%q, %q) = %q; phonenumbers cannot parse the input", input, region, got)
		require.Equal(t, phonenumbers.Format(orig, phonenumbers.E164), got, "ParsePhone(%q, %q): phonenumbers formats it otherwise", input, region)
		// Parsing the normalised number again gives the same number.
		again, err := ParsePhone(got, "")
		require.NoError(t, err, "ParsePhone(%q): not stable", got)
		require.Equal(t, got, again, "ParsePhone(%q): not stable", got)
	})
}

// FuzzNormalizeCode checks that any input gives 4 to 10 ASCII digits or
// ErrInvalidCode, never a panic, and that only spaces and dashes are
// dropped once digits of every script are read as ASCII.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"123456", "123 456", "12-34-56", "", "123", "12345678901", "１２３４５６", "1&token=2", "\t1234\t", "١٢٣٤٥٦"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := normalizeCode(in)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidCode, "normalizeCode(%q)", in)
			require.Empty(t, got, "normalizeCode(%q) with error %v", in, err)
			return
		}
		require.GreaterOrEqual(t, len(got), 4, "normalizeCode(%q) = %q: not 4 to 10 digits", in, got)
		require.LessOrEqual(t, len(got), 10, "normalizeCode(%q) = %q: not 4 to 10 digits", in, got)
		require.Empty(t, strings.Trim(got, "0123456789"), "normalizeCode(%q) = %q: not 4 to 10 digits", in, got)
		require.True(t, utf8.ValidString(in), "normalizeCode(%q) = %q: accepted invalid UTF-8", in, got)
		require.Equal(t, strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '\t' {
				return -1
			}
			return r
		}, digits.ASCII(in)), got, "normalizeCode(%q): dropped more than spaces and dashes", in)
	})
}
