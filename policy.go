package verify

import (
	"fmt"
	"slices"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// This file holds the Verifier's rules on which numbers may be verified
// and how codes reach them. Parsing, which applies no policy, is in
// phone.go.

// resolveChannel turns Auto into SMS for mobile numbers and Voice for
// every other number.
func resolveChannel(ch Channel, p phone) Channel {
	if ch != Auto {
		return ch
	}
	if p.lineType == phonenumbers.MOBILE {
		return SMS
	}
	return Voice
}

// checkPolicy applies the Verifier's rules on line types, regions and
// channels to a valid number of region about to be sent a code on ch.
func (v *Verifier) checkPolicy(p phone, region string, ch Channel) error {
	if err := v.checkNumber(p, region); err != nil {
		return err
	}
	if ch == SMS && p.lineType == phonenumbers.FIXED_LINE {
		return fmt.Errorf("%w: a fixed-line number cannot receive texts; a voice call works", ErrUnsupported)
	}
	return nil
}

// checkNumber applies the Verifier's rules on line types and regions to a
// valid number of region (p.region(), which the caller has already
// computed). Check applies them again to the number the provider reports
// as verified.
func (v *Verifier) checkNumber(p phone, region string) error {
	if !v.cfg.allowAnyLineType && !safeLineType(p.lineType) {
		return &PhoneError{Code: "line_type", LineType: lineTypeCode(p.lineType), Reason: lineTypeName(p.lineType) + " numbers cannot be verified"}
	}
	if len(v.cfg.allowedRegions) > 0 && !slices.Contains(v.cfg.allowedRegions, region) || slices.Contains(v.cfg.deniedRegions, region) {
		return &PhoneError{Code: "region", Region: region, Reason: "numbers from " + regionName(region) + " are not accepted"}
	}
	return nil
}

// regionName names a region for users, in English: "the Netherlands"
// for "NL". It allocates, so it runs only when a number is refused.
func regionName(r string) string {
	switch r {
	case "", "001":
		return "this region"
	case "CD":
		return "the Democratic Republic of the Congo"
	case "CG":
		return "the Republic of the Congo"
	case "MK":
		return "North Macedonia"
	case "SZ":
		return "Eswatini"
	}
	reg, err := language.ParseRegion(r)
	if err != nil {
		return "this region"
	}
	name := display.English.Regions().Name(reg)
	if name == "" {
		return "this region"
	}
	switch r {
	case "AE", "AX", "BQ", "BS", "CC", "CF", "CK", "DO", "FK", "FO", "GB", "GM", "KM", "KY", "MH",
		"MP", "MV", "NL", "PH", "PS", "SB", "SC", "TC", "UM", "US", "VG", "VI":
		return "the " + name // the Netherlands, the United States
	}
	return name
}

// lineTypeName names a line type for users.
func lineTypeName(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.TOLL_FREE:
		return "toll-free"
	case phonenumbers.PREMIUM_RATE:
		return "premium-rate"
	case phonenumbers.SHARED_COST:
		return "shared-cost"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal (forwarding)"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "universal access"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	}
	return "this kind of"
}

// safeLineType reports whether a number of type t belongs to a person's
// phone: mobile, fixed line or VoIP.
func safeLineType(t phonenumbers.PhoneNumberType) bool {
	switch t {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE, phonenumbers.VOIP:
		return true
	}
	return false
}

// lineTypeCode names a line type for code and metrics: "mobile",
// "fixed_line", "premium_rate", ...
func lineTypeCode(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.FIXED_LINE:
		return "fixed_line"
	case phonenumbers.MOBILE:
		return "mobile"
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return "fixed_line_or_mobile"
	case phonenumbers.TOLL_FREE:
		return "toll_free"
	case phonenumbers.PREMIUM_RATE:
		return "premium_rate"
	case phonenumbers.SHARED_COST:
		return "shared_cost"
	case phonenumbers.VOIP:
		return "voip"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "uan"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	}
	return "unknown"
}
