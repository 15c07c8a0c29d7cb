package verify

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
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
			if !errors.As(err, &pe) || pe.Reason == "" || got != "" {
				t.Fatalf("ParsePhone(%q, %q) = %q, %v: want a *PhoneError with a reason", input, region, got, err)
			}
			return
		}
		if !strings.HasPrefix(got, "+") || len(got) < 4 || len(got) > 16 || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("ParsePhone(%q, %q) = %q: not E.164", input, region, got)
		}
		num, perr := phonenumbers.Parse(got, "")
		if perr != nil || !phonenumbers.IsValidNumber(num) {
			t.Fatalf("ParsePhone(%q, %q) = %q, which is not a valid number", input, region, got)
		}
		// The library's own E.164 formatting agrees with phonenumbers'
		// (which reads 00 as the international prefix only given a
		// region that dials it, and of the digits of other scripts
		// only Arabic-Indic ones).
		in := strings.TrimSpace(asciiDigits(input))
		if rest, ok := strings.CutPrefix(in, "00"); ok && region == "" {
			in = "+" + rest
		}
		if orig, err := phonenumbers.Parse(in, strings.ToUpper(region)); err != nil || phonenumbers.Format(orig, phonenumbers.E164) != got {
			t.Fatalf("ParsePhone(%q, %q) = %q; phonenumbers formats it as %q (%v)", input, region, got, phonenumbers.Format(orig, phonenumbers.E164), err)
		}
		// Parsing the normalised number again gives the same number.
		if again, err := ParsePhone(got, ""); err != nil || again != got {
			t.Fatalf("ParsePhone(%q) = %q, %v: not stable", got, again, err)
		}
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
			if !errors.Is(err, ErrInvalidCode) || got != "" {
				t.Fatalf("normalizeCode(%q) = %q, %v", in, got, err)
			}
			return
		}
		if len(got) < 4 || len(got) > 10 || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("normalizeCode(%q) = %q: not 4 to 10 digits", in, got)
		}
		if !utf8.ValidString(in) || strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '\t' {
				return -1
			}
			return r
		}, asciiDigits(in)) != got {
			t.Fatalf("normalizeCode(%q) = %q: dropped more than spaces and dashes", in, got)
		}
	})
}
