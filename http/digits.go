package http

// This file holds how the handler reads what people type as the Verifier
// does: digits of any script (full-width ０-９ from a Japanese input
// method, Arabic-Indic ٠-٩, Persian ۰-۹, ...) and their separators.

import (
	"unicode"

	"github.com/phoneverify/verify"
)

// isSeparator reports whether c is a space or a dash, which the Verifier
// ignores in a code: ASCII, full-width or another script's.
func isSeparator(c rune) bool {
	return unicode.IsSpace(c) || unicode.Is(unicode.Pd, c) || c == '\u2212' || c == '\u30fc'
}

// e164 returns the number as the user typed it in E.164 form, reading a
// national number as one of region; "" when it cannot be read. It only
// compares a typed number with one the Verifier already accepted: the
// Verifier decides what may be verified.
func e164(input, region string) string {
	n, err := verify.ParsePhone(input, region)
	if err != nil {
		return ""
	}
	return n
}
