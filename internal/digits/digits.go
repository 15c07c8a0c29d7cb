// Package digits reads what people type for digits as ASCII, for the
// root package's phone numbers and codes and for http's labels of a
// refused code, so that both read them alike.
package digits

import (
	"unicode"
	"unicode/utf8"
)

// ASCII returns s with the characters people type for digits and
// separators replaced by ASCII ones, so that numbers and codes typed
// with a Japanese input method, or in Arabic or Persian digits, read as
// the digits they are:
//
//   - every decimal digit of Unicode (category Nd: full-width ０-９,
//     Arabic-Indic ٠-٩, Persian ۰-۹, Devanagari ०-९ and the others)
//     becomes its ASCII digit;
//   - the full-width forms of ASCII (＋, －, （, ）, ．, ／, and full-width
//     letters, which are then refused as letters are) become ASCII;
//   - the dashes an input method may give for a hyphen (U+2010 to
//     U+2015, the minus sign U+2212, the katakana long vowel mark ー)
//     become '-', and every Unicode space (the ideographic space among
//     them) becomes ' '.
//
// ASCII and everything else, invalid UTF-8 included, is kept as it is,
// for the callers' own checks to judge. The result is never longer than
// s, and is s itself when there is nothing to replace.
func ASCII(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s))
	copy(b, s)
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if a, ok := asciiOf(r); ok {
			b = append(b, a)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}

// asciiOf returns the ASCII character that ASCII puts for r, and
// false when r is kept.
func asciiOf(r rune) (byte, bool) {
	switch {
	case r < utf8.RuneSelf || r == utf8.RuneError:
		return 0, false
	case 0xFF01 <= r && r <= 0xFF5E: // the full-width forms of '!' to '~'
		return byte(r - 0xFF01 + '!'), true
	case 0x2010 <= r && r <= 0x2015, r == 0x2212, r == 0x30FC:
		return '-', true
	case unicode.IsSpace(r):
		return ' ', true
	}
	return digitValue(r)
}

// digitValue returns the ASCII digit of a Unicode decimal digit. Unicode
// assigns decimal digits in runs of ten, zero to nine, so within each
// range of consecutive digits in unicode.Nd, a digit's value is its
// distance from the start of the range, modulo ten.
func digitValue(r rune) (byte, bool) {
	for _, rg := range unicode.Nd.R16 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); lo <= r && r <= hi {
			return byte('0' + (r-lo)%10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); lo <= r && r <= hi {
			return byte('0' + (r-lo)%10), true
		}
	}
	return 0, false
}

// Code returns the ASCII digits of a code as a user typed it: its digits
// of any script read by ASCII, without the spaces and dashes typed
// between them; false when it holds anything else.
func Code(s string) (string, bool) {
	s = ASCII(s)
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '-' || c == '\t':
		case '0' <= c && c <= '9':
			d = append(d, c)
		default:
			return "", false
		}
	}
	return string(d), true
}
