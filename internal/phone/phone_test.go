package phone

import (
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, region string
		want       Number
	}{
		{"06 12345678", "NL", Number{"+31612345678", "NL", Mobile}},
		{"+31 6 1234 5678", "", Number{"+31612345678", "NL", Mobile}},
		{"0031 6 12345678", "", Number{"+31612345678", "NL", Mobile}},
		{"+1 (201) 555-0123", "", Number{"+12015550123", "US", FixedLineOrMobile}},
		{"+44 20 7946 0958", "", Number{"+442079460958", "GB", FixedLine}},
		{"+39 02 1234 5678", "", Number{"+390212345678", "IT", FixedLine}}, // a leading zero kept
		{"+31 (0)6 12345678", "", Number{"+31612345678", "NL", Mobile}},    // a national prefix dropped
		{"+800 1234 5678", "", Number{"+80012345678", "001", TollFree}},
		{"0900 1234567", "NL", Number{"+319001234567", "NL", PremiumRate}},
		{"+31 6 1234 5678" + strings.Repeat("-", 25), "", Number{"+31612345678", "NL", Mobile}}, // 40 characters
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.region)
		if assert.NoError(t, err, tt.in) {
			assert.Equal(t, tt.want, got, tt.in)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		in, region string
		want       Error
	}{
		{"", "NL", Error{Code: "empty", Reason: "enter a phone number"}},
		{"06-CALLME", "NL", Error{Code: "characters", Reason: "a phone number can only contain digits, spaces, dashes and a leading +"}},
		{"+31\u00a06 12345678 x", "", Error{Code: "characters", Reason: "a phone number can only contain digits, spaces, dashes and a leading +"}},
		{"0612345678", "", Error{Code: "country_code_missing", Reason: "start the number with + and its country code"}},
		{"+999 12345678", "", Error{Code: "country_code", Reason: "the country code is not valid"}},
		{"06 1234", "NL", Error{Code: "too_short", Reason: "the number is too short"}},
		{"+31 6 1234567890123", "", Error{Code: "too_long", Reason: "the number is too long"}},
		// A length some number of the country may have, but longer than
		// its mobile and fixed-line numbers.
		{"+31 6 1111 11111", "", Error{Code: "too_long", Reason: "the number is too long"}},
		{strings.Repeat("-", 26) + "+31 6 1234 5678", "", Error{Code: "too_long", Reason: "the number is too long"}},
		{"+31 69 1234567", "", Error{Code: "invalid", Region: "NL", Reason: "this is not a valid number in the Netherlands"}},
		{"+882 12345678901", "", Error{Code: "invalid", Region: "001", Reason: "this is not a valid number in this region"}},
		// Belarus's 8 10 … is valid as it is, but the parser reads the 8
		// as the national prefix, leaving a number that is not.
		{"+375 8 10 245 0911", "", Error{Code: "invalid", Region: "BY", Reason: "this is not a valid number in Belarus"}},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, tt.region)
		var pe *Error
		if assert.ErrorAs(t, err, &pe, tt.in) {
			assert.Equal(t, tt.want, *pe, tt.in)
		}
	}
}

// TestParseExamples reads the example number of every region and line
// type that phonenumbers knows, in E.164 and in the international format,
// and gets back the number, its region and its type.
func TestParseExamples(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	read := 0
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			want := Number{e164, phonenumbers.GetRegionCodeForNumber(ex), LineType(phonenumbers.GetNumberType(ex))}
			for _, in := range []string{e164, phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)} {
				got, err := Parse(in, "")
				if assert.NoError(t, err, in) {
					assert.Equal(t, want, got, in)
				}
			}
			read++
		}
	}
	assert.Greater(t, read, 1000)
}

func TestLineTypes(t *testing.T) {
	// Every type phonenumbers knows but UNKNOWN has its row.
	for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
		assert.NotEqual(t, "unknown", LineType(typ).Code(), "type %d", typ)
		assert.NotEqual(t, "this kind of", LineType(typ).Name(), "type %d", typ)
	}
	for _, l := range lineTypes {
		got, ok := LineTypeOf(l.code)
		assert.True(t, ok, l.code)
		assert.Equal(t, l.t, got, l.code)
	}
	for _, code := range []string{"unknown", "", "Mobile", "mobile "} {
		got, ok := LineTypeOf(code)
		assert.False(t, ok, code)
		assert.Equal(t, Unknown, got, code)
	}
	assert.Equal(t, "unknown", Unknown.Code())
	assert.Equal(t, "this kind of", Unknown.Name())
	assert.False(t, Unknown.Safe())

	var safe []string
	for _, l := range lineTypes {
		if l.t.Safe() {
			safe = append(safe, l.t.Code())
		}
	}
	assert.Equal(t, []string{"fixed_line", "mobile", "fixed_line_or_mobile", "voip"}, safe)
	assert.Equal(t, "premium_rate", PremiumRate.Code())
	assert.Equal(t, "premium-rate", PremiumRate.Name())
	assert.Equal(t, "personal (forwarding)", Personal.Name())
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"+31612345678":  "+31******678",
		"+447400123456": "+44*******456",
		"+3114020":      "+31**020",
		"+12345":        "******",
		"":              "",
	} {
		assert.Equal(t, want, Mask(in), in)
	}
}

func TestMaskForDisplay(t *testing.T) {
	for in, want := range map[string]string{
		"+31612345678":  "+31 6 •••• 5678",
		"+12015550123":  "+1 2 •••• 0123",
		"+3726123456":   "+372 6 •••• 3456", // 7 national digits
		"+31612345":     "+31 •••• 45",      // 6
		"+31612":        "+31 •••• 12",      // 3
		"+3161":         "+31 ••••",         // 2
		"+31":           Mask("+31"),        // a country code alone
		"+999123456789": Mask("+999123456789"),
		"31612345678":   Mask("31612345678"),
	} {
		assert.Equal(t, want, MaskForDisplay(in), in)
	}
}

func TestSplitCountryCode(t *testing.T) {
	for in, want := range map[string][2]string{
		"+12015550123":  {"1", "2015550123"},
		"+31612345678":  {"31", "612345678"},
		"+3726123456":   {"372", "6123456"},
		"+80012345678":  {"800", "12345678"},
		"+390669821234": {"39", "0669821234"},
	} {
		cc, national, ok := SplitCountryCode(in)
		if assert.True(t, ok, in) {
			assert.Equal(t, want, [2]string{cc, national}, in)
		}
	}
	for _, in := range []string{"", "+", "+1", "+31", "31612345678", "+999123456", "+-1234567", "+x12"} {
		_, _, ok := SplitCountryCode(in)
		assert.False(t, ok, in)
	}
	// Every region's country code is found, whatever its length.
	for region := range phonenumbers.GetSupportedRegions() {
		code := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
		cc, _, ok := SplitCountryCode("+" + code + "123456")
		require.True(t, ok, region)
		assert.Equal(t, code, cc, region)
	}
}

func TestExample(t *testing.T) {
	assert.Equal(t, "06 12345678", Example("NL"))
	assert.Equal(t, "(201) 555-0123", Example("US"))
	assert.Empty(t, Example("ZZ"))
	assert.Empty(t, Example(""))
}

func TestValidRegion(t *testing.T) {
	for _, r := range []string{"NL", "US", "GB", "XK"} {
		assert.True(t, ValidRegion(r), r)
	}
	for _, r := range []string{"", "nl", "ZZ", "EU", "001", "NLD"} {
		assert.False(t, ValidRegion(r), r)
	}
}
