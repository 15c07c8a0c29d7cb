package verify

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestParseE164AgreesWithTheParser checks the fast reading of E.164
// numbers against the parser on the example numbers of every region and
// line type that phonenumbers knows.
func TestParseE164AgreesWithTheParser(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	checked := 0
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			want, err := parsePhone(e164, "")
			got, ok := parseE164(e164)
			if (err == nil) != ok {
				t.Errorf("%s %v %s: parser says %v, parseE164 says %v", region, typ, e164, err, ok)
				continue
			}
			if ok && (got.e164 != want.e164 || got.lineType != want.lineType || got.region() != want.region()) {
				t.Errorf("%s %s: parseE164 gives %s %v %s, the parser %s %v %s",
					region, e164, got.e164, got.lineType, got.region(), want.e164, want.lineType, want.region())
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d example numbers checked", checked)
	}
	for _, s := range []string{"", "+", "31612345678", "+31", "+3161234567a", "+999123456", "+0612345678",
		"+31 612345678", "+316123456789012345", "+310612345678", "+3100612345678"} {
		if _, ok := parseE164(s); ok {
			t.Errorf("parseE164(%q) accepted", s)
		}
	}
}
