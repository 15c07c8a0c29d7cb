package verify

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneInput bounds what is handed to the parser: no phone number, even
// generously formatted, is longer.
const maxPhoneInput = 40

// phone is a parsed, valid phone number.
type phone struct {
	e164     string
	lineType phonenumbers.PhoneNumberType
	num      *phonenumbers.PhoneNumber
}

// region returns the ISO 3166-1 region of the number, such as "NL".
func (p phone) region() string { return phonenumbers.GetRegionCodeForNumber(p.num) }

// ParsePhone parses a phone number as a user typed it and returns it in
// E.164 form ("+31612345678"). defaultRegion (such as "NL", or "" for none)
// lets national numbers ("06 12345678") be read; with none, a number
// starts with + or 00 and its country code. Digits of any script
// (full-width, Arabic-Indic, Persian, ...) and full-width separators
// are read as their ASCII forms. A number that does not
// parse or is not valid for its region gives a *PhoneError (matching
// ErrInvalidPhone) whose Reason can be shown to the user.
//
// ParsePhone applies no policy: a Verifier also refuses line types and
// regions that its options exclude.
func ParsePhone(input, defaultRegion string) (string, error) {
	p, err := parsePhone(input, strings.ToUpper(defaultRegion))
	if err != nil {
		return "", err
	}
	return p.e164, nil
}

func phoneError(code, reason string) error { return &PhoneError{Code: code, Reason: reason} }

func parsePhone(input, region string) (phone, error) {
	input = strings.TrimSpace(asciiDigits(input))
	if input == "" {
		return phone{}, phoneError("empty", "enter a phone number")
	}
	if len(input) > maxPhoneInput {
		return phone{}, phoneError("too_long", "the number is too long")
	}
	for i, r := range input {
		switch {
		case '0' <= r && r <= '9', unicode.IsSpace(r), strings.ContainsRune("-.()/", r):
		case r == '+' && i == 0:
		default:
			return phone{}, phoneError("characters", "a phone number can only contain digits, spaces, dashes and a leading +")
		}
	}
	if region == "" && strings.HasPrefix(input, "00") {
		// 00 is the international prefix almost everywhere: "0031 6
		// 12345678" is +31 6 12345678.
		input = "+" + input[2:]
	}
	if p, ok := parsePlus(input); ok {
		return p, nil
	}
	return parseNumber(input, region)
}

// parseNumber reads input, checked by parsePhone, with the parser.
func parseNumber(input, region string) (phone, error) {
	num, err := phonenumbers.Parse(input, region)
	switch {
	case err == nil:
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		if region == "" && input[0] != '+' {
			return phone{}, phoneError("country_code_missing", "start the number with + and its country code")
		}
		return phone{}, phoneError("country_code", "the country code is not valid")
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return phone{}, phoneError("too_short", "the number is too short")
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return phone{}, phoneError("too_long", "the number is too long")
	case len(phonenumbers.NormalizeDigitsOnly(input)) < 3:
		return phone{}, phoneError("too_short", "the number is too short")
	default:
		return phone{}, phoneError("invalid", "this is not a phone number")
	}
	// GetNumberType is UNKNOWN exactly when IsValidNumber is false, so one
	// call gives both answers.
	t := phonenumbers.GetNumberType(num)
	if t == phonenumbers.UNKNOWN {
		return phone{}, invalidNumber(num)
	}
	return phone{e164: formatE164(num), lineType: t, num: num}, nil
}

// parseE164 reads a number in E.164 form, as a provider reports it, and
// reports whether it is a valid number. It gives what parsePhone gives for
// such a number at a fraction of the cost, since it skips the parser's
// normalising of what people type: a Check applies the number policy to
// the verified number with it. Country calling codes are prefix-free, so
// the first known one of one to three digits is the one.
func parseE164(s string) (phone, bool) {
	digits, ok := strings.CutPrefix(s, "+")
	if !ok || len(digits) < 3 || len(digits) > 17 || !isDigits(digits) {
		return phone{}, false
	}
	for n := 1; n <= 3; n++ {
		cc, _ := strconv.Atoi(digits[:n])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == "ZZ" {
			continue
		}
		national := digits[n:]
		nn, err := strconv.ParseUint(national, 10, 64)
		if err != nil || national == "" {
			return phone{}, false
		}
		cc32 := int32(cc)
		num := &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}
		// As the parser does: the leading zeros of a national number
		// (Italy's, for one) are kept apart from its value.
		if zeros := len(national) - len(strings.TrimLeft(national, "0")); zeros > 0 && len(national) > 1 {
			zeros = min(zeros, len(national)-1)
			t := true
			num.ItalianLeadingZero = &t
			if zeros > 1 {
				z := int32(zeros)
				num.NumberOfLeadingZeros = &z
			}
		}
		t := phonenumbers.GetNumberType(num)
		if t == phonenumbers.UNKNOWN || formatE164(num) != s {
			return phone{}, false
		}
		return phone{e164: s, lineType: t, num: num}, true
	}
	return phone{}, false
}

// parsePlus reads a number written with its country code after a + ("+31
// 6 12345678", "+1 (201) 555-0123") as the parser would, in a tenth of
// the time: as the E.164 number of its digits. ok is false where it
// cannot tell: for anything but digits and the separators " -.()/" after
// the +, for a number that is not valid, and where the parser would read
// the digits otherwise, having removed a national prefix after the
// country code ("+31 (0)6 …"). parsePhone then runs the parser.
func parsePlus(input string) (phone, bool) {
	if input == "" || input[0] != '+' {
		return phone{}, false
	}
	var buf [maxPhoneInput]byte
	b := append(buf[:0], '+')
	for i := 1; i < len(input); i++ {
		switch c := input[i]; c {
		case ' ', '-', '.', '(', ')', '/':
		default:
			if c < '0' || c > '9' {
				return phone{}, false
			}
			b = append(b, c)
		}
	}
	p, ok := parseE164(string(b))
	if !ok || hasNationalPrefix(p) {
		return phone{}, false
	}
	return p, true
}

// hasNationalPrefix reports whether the national number of p begins with
// what phonenumbers.Parse may remove as a national prefix (the pattern
// of its metadata, "0" for the Netherlands) from a number given with its
// country code.
// Where it cannot tell (no metadata for the code) it reports true.
func hasNationalPrefix(p phone) bool {
	cc := p.num.GetCountryCode()
	re, known := nationalPrefix(cc)
	return !known || re != nil && re.MatchString(p.e164[1+ccDigits(cc):])
}

// nationalPrefixes holds, by country calling code, the pattern of the
// national prefix that the parser removes after that code, from the
// metadata of the code's main region; compiled on first use.
var nationalPrefixes = struct {
	patterns func() map[int32]string
	compiled sync.Map // int32 → *regexp.Regexp, nil for none
}{
	patterns: sync.OnceValue(func() map[int32]string {
		coll, err := phonenumbers.MetadataCollection()
		if err != nil {
			return nil // every number then goes to the parser
		}
		m := map[int32]string{}
		for _, md := range coll.GetMetadata() {
			cc := md.GetCountryCode()
			main := phonenumbers.GetRegionCodeForCountryCode(int(cc))
			if md.GetId() == main { // "001" for every non-geographic code
				m[cc] = md.GetNationalPrefixForParsing()
			}
		}
		return m
	}),
}

// nationalPrefix returns the national prefix pattern of the country
// calling code cc, anchored at the start, or nil when it has none; known
// is false when the metadata does not say.
func nationalPrefix(cc int32) (re *regexp.Regexp, known bool) {
	if re, ok := nationalPrefixes.compiled.Load(cc); ok {
		return re.(*regexp.Regexp), true
	}
	p, known := nationalPrefixes.patterns()[cc]
	if !known {
		return nil, false
	}
	if p != "" {
		var err error
		if re, err = regexp.Compile("^(?:" + p + ")"); err != nil {
			return nil, false
		}
	}
	nationalPrefixes.compiled.Store(cc, re)
	return re, true
}

// formatE164 is phonenumbers.Format(num, phonenumbers.E164) in one
// allocation instead of six.
func formatE164(num *phonenumbers.PhoneNumber) string {
	var buf [32]byte
	b := append(buf[:0], '+')
	b = strconv.AppendInt(b, int64(num.GetCountryCode()), 10)
	if num.GetItalianLeadingZero() {
		for range min(int(num.GetNumberOfLeadingZeros()), 17) {
			b = append(b, '0')
		}
	}
	b = strconv.AppendUint(b, num.GetNationalNumber(), 10)
	return string(b)
}

// invalidNumber explains why a parsed number is not valid.
func invalidNumber(num *phonenumbers.PhoneNumber) error {
	reason := phonenumbers.IsPossibleNumberWithReason(num)
	if reason != phonenumbers.INVALID_COUNTRY_CODE {
		// A length some special number of the country may have ("06
		// 1234" in NL) still is not the length of a phone's number.
		if r, ok := phoneLength(num); ok {
			reason = r
		}
	}
	switch reason {
	case phonenumbers.TOO_SHORT:
		return phoneError("too_short", "the number is too short")
	case phonenumbers.TOO_LONG:
		return phoneError("too_long", "the number is too long")
	case phonenumbers.INVALID_COUNTRY_CODE:
		return phoneError("country_code", "the country code is not valid")
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return phoneError("area_code_missing", "add the area code")
	case phonenumbers.INVALID_LENGTH:
		return phoneError("length", "the number has the wrong number of digits")
	}
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" {
		return &PhoneError{Code: "invalid", Region: r, Reason: "this is not a valid number in " + regionName(r)}
	}
	return phoneError("invalid", "this is not a valid phone number")
}

// phoneLength returns TOO_SHORT or TOO_LONG when the national number of
// num is shorter or longer than both the mobile and the fixed-line
// numbers of its country (as phonenumbers' examples of them are), and
// false otherwise. It runs only for numbers already found not valid.
func phoneLength(num *phonenumbers.PhoneNumber) (phonenumbers.ValidationResult, bool) {
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

// MaskPhone masks the middle of a number for logs and pages:
// "+31612345678" becomes "+31******678". Only the first three and last
// three characters of an E.164 number stay readable.
func MaskPhone(e164 string) string {
	const keepHead, keepTail = 3, 3
	if len(e164) <= keepHead+keepTail {
		return strings.Repeat("*", len(e164))
	}
	return e164[:keepHead] + strings.Repeat("*", len(e164)-keepHead-keepTail) + e164[len(e164)-keepTail:]
}
