package phone

import "github.com/nyaruka/phonenumbers"

// LineType is the kind of line a number belongs to, as phonenumbers'
// metadata tells it.
type LineType phonenumbers.PhoneNumberType

// The line types.
const (
	FixedLine         = LineType(phonenumbers.FIXED_LINE)
	Mobile            = LineType(phonenumbers.MOBILE)
	FixedLineOrMobile = LineType(phonenumbers.FIXED_LINE_OR_MOBILE)
	TollFree          = LineType(phonenumbers.TOLL_FREE)
	PremiumRate       = LineType(phonenumbers.PREMIUM_RATE)
	SharedCost        = LineType(phonenumbers.SHARED_COST)
	VoIP              = LineType(phonenumbers.VOIP)
	Personal          = LineType(phonenumbers.PERSONAL_NUMBER)
	Pager             = LineType(phonenumbers.PAGER)
	UAN               = LineType(phonenumbers.UAN)
	Voicemail         = LineType(phonenumbers.VOICEMAIL)
	Unknown           = LineType(phonenumbers.UNKNOWN)
)

// lineTypes is the one table of line types: code names a type for code
// and metrics (verify.Event.LineType), name for users ("premium-rate
// numbers cannot be verified"), and safe says whether a number of the type
// belongs to a person's phone, which the verify package accepts by default.
var lineTypes = [...]struct {
	t          LineType
	code, name string
	safe       bool
}{
	{FixedLine, "fixed_line", "fixed-line", true},
	{Mobile, "mobile", "mobile", true},
	{FixedLineOrMobile, "fixed_line_or_mobile", "fixed-line or mobile", true},
	{VoIP, "voip", "VoIP", true},
	{TollFree, "toll_free", "toll-free", false},
	{PremiumRate, "premium_rate", "premium-rate", false},
	{SharedCost, "shared_cost", "shared-cost", false},
	{Personal, "personal", "personal (forwarding)", false},
	{Pager, "pager", "pager", false},
	{UAN, "uan", "universal access", false},
	{Voicemail, "voicemail", "voicemail", false},
}

// Code names t for code and metrics: "mobile", "fixed_line",
// "premium_rate", ...; "unknown" for a type not in the table.
func (t LineType) Code() string {
	for _, l := range lineTypes {
		if l.t == t {
			return l.code
		}
	}
	return "unknown"
}

// LineTypeOf returns the line type whose Code is code, and false for a
// code not in the table ("unknown" among them).
func LineTypeOf(code string) (LineType, bool) {
	for _, l := range lineTypes {
		if l.code == code {
			return l.t, true
		}
	}
	return Unknown, false
}

// Name names t for users, to go before "numbers": "premium-rate"; "this
// kind of" for a type not in the table.
func (t LineType) Name() string {
	for _, l := range lineTypes {
		if l.t == t {
			return l.name
		}
	}
	return "this kind of"
}

// Safe reports whether a number of type t belongs to a person's phone:
// mobile, fixed line or VoIP.
func (t LineType) Safe() bool {
	for _, l := range lineTypes {
		if l.t == t {
			return l.safe
		}
	}
	return false
}
