package verify

import (
	"errors"
	"strings"

	"github.com/phoneverify/verify/internal/digits"
	"github.com/phoneverify/verify/internal/phone"
)

// ParsePhone parses a phone number as a user typed it and returns it in
// E.164 form ("+31612345678"). defaultRegion (such as "NL", or "" for none)
// lets national numbers ("06 12345678") be read; with none, a number
// starts with + or 00 and its country code. Digits of any script
// (full-width, Arabic-Indic, Persian, ...) and full-width separators
// are read as their ASCII forms. A number that does not parse or is not
// valid for its region gives a [*PhoneError] (matching
// [ErrInvalidPhone]) whose Reason can be shown to the user.
//
// ParsePhone applies no policy: a [Verifier] also refuses line types and
// regions that its options exclude.
func ParsePhone(input, defaultRegion string) (string, error) {
	n, err := parsePhone(input, strings.ToUpper(defaultRegion))
	if err != nil {
		return "", err
	}
	return n.E164, nil
}

// parsePhone parses input as ParsePhone does, with region in upper case,
// and returns the number with its region and line type.
func parsePhone(input, region string) (phone.Number, error) {
	n, err := phone.Parse(digits.ASCII(input), region)
	if pe, ok := errors.AsType[*phone.Error](err); ok {
		return n, &PhoneError{Code: pe.Code, Reason: pe.Reason, Region: pe.Region}
	}
	return n, err
}

// MaskPhone masks the middle of a number for logs and pages:
// "+31612345678" becomes "+31******678". Only the first three and last
// three characters of an E.164 number stay readable.
func MaskPhone(e164 string) string { return phone.Mask(e164) }
