// Package phone holds the phone-number rules that the verify package and
// its http handlers share: parsing, line types, masking, example numbers
// and region names. It applies no policy: which numbers a Verifier accepts
// is decided in the verify package.
package phone

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
)

// MaxInput bounds what is handed to the parser: no phone number, even
// generously formatted, is longer.
const MaxInput = 40

// Number is a parsed, valid phone number.
type Number struct {
	E164     string   // "+31612345678"
	Region   string   // ISO 3166-1 region, such as "NL"; "001" for a non-geographic code
	LineType LineType // mobile, fixed line, ...
}

// Error says why input is not a valid number. The verify package turns it
// into a *verify.PhoneError; its fields mean what that type's do.
type Error struct {
	Code   string // "empty", "too_short", "invalid", ...
	Reason string // a short English explanation for the person who typed the number
	Region string // the number's region, when Code is "invalid" and it is known
}

func (e *Error) Error() string { return e.Reason }

func fail(code, reason string) error { return &Error{Code: code, Reason: reason} }

// Parse reads a number as a user typed it. defaultRegion (such as "NL",
// in upper case, or "" for none) lets national numbers ("06 12345678") be
// read; with none, a number starts with + or 00 and its country code. An
// input that is not a valid number gives an *Error.
func Parse(input, defaultRegion string) (Number, error) {
	input = strings.TrimSpace(input)
	if input == "" {
		return Number{}, fail("empty", "enter a phone number")
	}
	if len(input) > MaxInput {
		return Number{}, fail("too_long", "the number is too long")
	}
	for i, r := range input {
		switch {
		case '0' <= r && r <= '9', unicode.IsSpace(r), strings.ContainsRune("-.()/", r):
		case r == '+' && i == 0:
		default:
			return Number{}, fail("characters", "a phone number can only contain digits, spaces, dashes and a leading +")
		}
	}
	if defaultRegion == "" && strings.HasPrefix(input, "00") {
		// 00 is the international prefix almost everywhere: "0031 6
		// 12345678" is +31 6 12345678.
		input = "+" + input[2:]
	}
	num, err := phonenumbers.Parse(input, defaultRegion)
	switch {
	case err == nil:
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		if defaultRegion == "" && input[0] != '+' {
			return Number{}, fail("country_code_missing", "start the number with + and its country code")
		}
		return Number{}, fail("country_code", "the country code is not valid")
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return Number{}, fail("too_short", "the number is too short")
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return Number{}, fail("too_long", "the number is too long")
	case len(phonenumbers.NormalizeDigitsOnly(input)) < 3:
		return Number{}, fail("too_short", "the number is too short")
	default:
		return Number{}, fail("invalid", "this is not a phone number")
	}
	// GetNumberType is UNKNOWN exactly when IsValidNumber is false, so one
	// call gives both answers.
	t := phonenumbers.GetNumberType(num)
	if t == phonenumbers.UNKNOWN {
		return Number{}, invalid(num)
	}
	return Number{
		E164:     phonenumbers.Format(num, phonenumbers.E164),
		Region:   phonenumbers.GetRegionCodeForNumber(num),
		LineType: LineType(t),
	}, nil
}

// invalid explains why a parsed number is not valid.
func invalid(num *phonenumbers.PhoneNumber) error {
	reason := phonenumbers.IsPossibleNumberWithReason(num)
	if reason != phonenumbers.INVALID_COUNTRY_CODE {
		// A length some special number of the country may have ("06
		// 1234" in NL) still is not the length of a phone's number.
		if r, ok := length(num); ok {
			reason = r
		}
	}
	switch reason {
	case phonenumbers.TOO_SHORT:
		return fail("too_short", "the number is too short")
	case phonenumbers.TOO_LONG:
		return fail("too_long", "the number is too long")
	case phonenumbers.INVALID_COUNTRY_CODE:
		return fail("country_code", "the country code is not valid")
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return fail("area_code_missing", "add the area code")
	case phonenumbers.INVALID_LENGTH:
		return fail("length", "the number has the wrong number of digits")
	}
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" {
		name := RegionName(language.English, r)
		if name == "" {
			name = "this region" // "001", a non-geographic code
		}
		return &Error{Code: "invalid", Region: r, Reason: "this is not a valid number in " + name}
	}
	return fail("invalid", "this is not a valid phone number")
}

// length returns TOO_SHORT or TOO_LONG when the national number of num is
// shorter or longer than both the mobile and the fixed-line numbers of its
// country (as phonenumbers' examples of them are), and false otherwise.
// It runs only for numbers already found not valid.
func length(num *phonenumbers.PhoneNumber) (phonenumbers.ValidationResult, bool) {
	region := phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode()))
	n := len(phonenumbers.GetNationalSignificantNumber(num))
	shorter, longer := 0, 0
	for _, t := range [...]phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
		ex := phonenumbers.GetExampleNumberForType(region, t)
		if ex == nil {
			continue
		}
		switch l := len(phonenumbers.GetNationalSignificantNumber(ex)); {
		case n < l:
			shorter++
		case n > l:
			longer++
		default:
			return 0, false
		}
	}
	switch {
	case shorter > 0 && longer == 0:
		return phonenumbers.TOO_SHORT, true
	case longer > 0 && shorter == 0:
		return phonenumbers.TOO_LONG, true
	}
	return 0, false
}

// SplitCountryCode splits a number in E.164 form ("+31612345678") into
// its country calling code ("31") and its national significant number
// ("612345678"). Country calling codes are prefix-free, so the first known
// one of one to three digits is the one. ok is false when s does not start
// with + and a known code followed by at least one digit.
func SplitCountryCode(s string) (cc, national string, ok bool) {
	digits, ok := strings.CutPrefix(s, "+")
	if !ok {
		return "", "", false
	}
	for n := 1; n <= 3 && n < len(digits); n++ {
		code, err := strconv.Atoi(digits[:n])
		if err != nil {
			return "", "", false
		}
		if phonenumbers.GetRegionCodeForCountryCode(code) != "ZZ" {
			return digits[:n], digits[n:], true
		}
	}
	return "", "", false
}

// Example returns phonenumbers' example mobile number of region (such as
// "NL") in its national format ("06 12345678"); "" when it has none.
func Example(region string) string {
	if n := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE); n != nil {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return ""
}

// ValidRegion reports whether r is a region code that has phone numbers,
// in upper case, such as "NL".
func ValidRegion(r string) bool {
	return len(r) == 2 && phonenumbers.GetCountryCodeForRegion(r) != 0
}
