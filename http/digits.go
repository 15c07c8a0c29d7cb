package http

// This file holds how the handler reads digits as people type them: in
// any script (full-width ０-９ from a Japanese input method, Arabic-Indic
// ٠-٩, Persian ۰-۹, ...), as the Verifier reads them.

import (
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// isSeparator reports whether c is a space or a dash, which the Verifier
// ignores in a code: ASCII, full-width or another script's.
func isSeparator(c rune) bool {
	return unicode.IsSpace(c) || unicode.Is(unicode.Pd, c) || c == '\u2212' || c == '\u30fc'
}

// asciiDigits returns s with every Unicode decimal digit (category Nd) as
// its ASCII digit and the full-width '+' as '+'; the rest is kept.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '＋' {
			return '+'
		}
		if d, ok := digitValue(r); ok {
			return d
		}
		return r
	}, s)
}

// digitValue returns the ASCII digit of a Unicode decimal digit. Unicode
// assigns decimal digits in runs of ten, zero to nine, so within each
// range of consecutive digits in unicode.Nd a digit's value is its
// distance from the start of the range, modulo ten.
func digitValue(r rune) (rune, bool) {
	if '0' <= r && r <= '9' {
		return r, true
	}
	for _, rg := range unicode.Nd.R16 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); lo <= r && r <= hi {
			return '0' + (r-lo)%10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); lo <= r && r <= hi {
			return '0' + (r-lo)%10, true
		}
	}
	return 0, false
}

// e164 returns the number as the user typed it in E.164 form, reading a
// national number as one of region; "" when it cannot be read. It only
// compares a typed number with one the Verifier already accepted: the
// Verifier decides what is valid.
func e164(input, region string) string {
	n, err := phonenumbers.Parse(asciiDigits(input), region)
	if err != nil {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}
