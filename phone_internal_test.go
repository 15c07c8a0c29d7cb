package verify

import (
	"math/rand/v2"
	"strconv"
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

// TestParsePlusAgreesWithTheParser checks the fast reading of numbers
// written with + against the parser: on the example numbers of every
// region and line type, written in E.164 and in the international
// format (mobile and fixed-line ones also with separators and with a
// national prefix after the country code), and on random digits. Wherever parsePlus gives a number, the parser
// gives the same.
func TestParsePlusAgreesWithTheParser(t *testing.T) {
	fast, slow := 0, 0
	check := func(input string) {
		t.Helper()
		got, ok := parsePlus(input)
		if !ok {
			slow++ // parsePhone goes on to the parser, whatever it says
			return
		}
		fast++
		want, err := parseNumber(input, "")
		if err != nil {
			t.Errorf("parsePlus(%q) = %s, but the parser says %v", input, got.e164, err)
			return
		}
		if got.e164 != want.e164 || got.lineType != want.lineType || got.region() != want.region() {
			t.Errorf("parsePlus(%q) = %s %v %s, the parser %s %v %s",
				input, got.e164, got.lineType, got.region(), want.e164, want.lineType, want.region())
		}
	}
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	for region := range phonenumbers.GetSupportedRegions() {
		ndd := phonenumbers.GetNddPrefixForRegion(region, true)
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			cc := strconv.Itoa(int(ex.GetCountryCode()))
			nsn := e164[1+len(cc):]
			check(e164)
			check(phonenumbers.Format(ex, phonenumbers.INTERNATIONAL))
			if typ != phonenumbers.MOBILE && typ != phonenumbers.FIXED_LINE {
				continue
			}
			check("+(" + cc + ") " + nsn[:len(nsn)/2] + "-" + nsn[len(nsn)/2:])
			// With a national prefix, which the parser may remove.
			check("+" + cc + " (" + ndd + ") " + nsn)
			for _, prefix := range []string{"0", "1", "8"} {
				check("+" + cc + prefix + nsn)
			}
		}
	}
	// Random digits after + and every country code's first digits.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		b := []byte{'+'}
		for range 4 + rng.IntN(14) {
			b = append(b, byte('0'+rng.IntN(10)))
		}
		check(string(b))
	}
	if fast < 1000 || slow < 1000 {
		t.Fatalf("parsePlus read %d inputs, the parser %d: the test no longer tries both", fast, slow)
	}
	read := []string{"+31 6 1234 5678", "+1 (201) 555-0123", "+44 20 7946 0958", "+39 06 6982 1234"}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc); ex != nil {
			read = append(read, phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)) // "+800 1234 5678"
		}
	}
	for _, s := range read {
		if _, ok := parsePlus(s); !ok {
			t.Errorf("parsePlus(%q) left it to the parser", s)
		}
	}
	// Belarus's 8 10 … is valid as it is, but the parser reads the 8 as
	// the national prefix, leaving a number that is not.
	check("+375 8 10 245 0911")
	for _, s := range []string{"+375 8 10 245 0911", "+31 (0)6 12345678", "+31 6 1234 5678 x12", "+31\u00a06 12345678", "0031612345678", "+31 6 CALL ME", "+999 1234 5678"} {
		if _, ok := parsePlus(s); ok {
			t.Errorf("parsePlus(%q) read it", s)
		}
	}
}

// TestNumberRange checks the range of the example numbers of every
// region: the country code and the national significant number (as
// phonenumbers gives it, leading zeros and all) but its last four digits.
func TestNumberRange(t *testing.T) {
	checked := map[int]int{} // by number of digits of the country code
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			p, err := parsePhone(phonenumbers.Format(ex, phonenumbers.E164), "")
			if err != nil {
				continue
			}
			cc := strconv.Itoa(int(ex.GetCountryCode()))
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			if want := "+" + cc + " " + nsn[:max(len(nsn)-4, 0)]; numberRange(p) != want {
				t.Errorf("numberRange(%s) = %q, want %q", p.e164, numberRange(p), want)
			}
			checked[len(cc)]++
		}
	}
	if checked[1] == 0 || checked[2] == 0 || checked[3] == 0 {
		t.Fatalf("checked by country code length: %v", checked)
	}
	p, err := parsePhone("+39 06 6982 1234", "")
	if err != nil || numberRange(p) != "+39 066982" {
		t.Errorf("Italian range: %q, %v", numberRange(p), err)
	}
}
