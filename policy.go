package verify

import (
	"fmt"
	"slices"

	"github.com/phoneverify/verify/internal/phone"
	"golang.org/x/text/language"
)

// This file holds the Verifier's rules on which numbers may be verified
// and how codes reach them. Parsing, which applies no policy, is in
// internal/phone.

// resolveChannel turns Auto into SMS for mobile numbers and Voice for
// every other number.
func resolveChannel(ch Channel, n phone.Number) Channel {
	if ch != Auto {
		return ch
	}
	if n.LineType == phone.Mobile {
		return SMS
	}
	return Voice
}

// checkPolicy applies the Verifier's rules on line types, regions and
// channels to a valid number about to be sent a code on ch.
func (v *Verifier) checkPolicy(n phone.Number, ch Channel) error {
	if err := v.checkNumber(n); err != nil {
		return err
	}
	if ch == SMS && n.LineType == phone.FixedLine {
		return fmt.Errorf("%w: a fixed-line number cannot receive texts; a voice call works", ErrUnsupported)
	}
	return nil
}

// checkNumber applies the Verifier's rules on line types and regions to a
// valid number. Check applies them again to the number the provider
// reports as verified.
func (v *Verifier) checkNumber(n phone.Number) error {
	if !v.cfg.allowAnyLineType && !n.LineType.Safe() {
		return &PhoneError{Code: "line_type", LineType: n.LineType.Code(), Reason: n.LineType.Name() + " numbers cannot be verified"}
	}
	if len(v.cfg.allowedRegions) > 0 && !slices.Contains(v.cfg.allowedRegions, n.Region) || slices.Contains(v.cfg.deniedRegions, n.Region) {
		return &PhoneError{Code: "region", Region: n.Region, Reason: "numbers from " + regionName(n.Region) + " are not accepted"}
	}
	return nil
}

// regionName names a region for users, in English: "the Netherlands"
// for "NL", "this region" for one it cannot name.
func regionName(r string) string {
	if name := phone.RegionName(language.English, r); name != "" {
		return name
	}
	return "this region"
}
