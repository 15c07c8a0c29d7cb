package phone

import "strings"

// Mask hides the middle of a number for logs and errors: "+31612345678"
// becomes "+31******678". Only the first three and the last three
// characters of an E.164 number stay readable; a string of six or fewer is
// hidden whole.
func Mask(e164 string) string {
	const keepHead, keepTail = 3, 3
	if len(e164) <= keepHead+keepTail {
		return strings.Repeat("*", len(e164))
	}
	return e164[:keepHead] + strings.Repeat("*", len(e164)-keepHead-keepTail) + e164[len(e164)-keepTail:]
}

// MaskForDisplay hides the middle of a number for the person who typed
// it, keeping the country code, the first digit after it and the last
// four: "+31 6 •••• 5678". A national number of 3 to 6 digits keeps only
// its last two ("+31 •••• 45"), a shorter one none. A string whose country
// code is not known is masked as Mask does.
func MaskForDisplay(e164 string) string {
	cc, national, ok := SplitCountryCode(e164)
	if !ok {
		return Mask(e164)
	}
	switch {
	case len(national) >= 7:
		return "+" + cc + " " + national[:1] + " •••• " + national[len(national)-4:]
	case len(national) > 2:
		return "+" + cc + " •••• " + national[len(national)-2:]
	}
	return "+" + cc + " ••••"
}
