package phone

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// RegionName names an ISO 3166-1 region ("NL") in the language t, as
// golang.org/x/text knows it ("Nederland" in Dutch); in English, as
// englishRegionName does. It returns "" for a code that is not a country
// ("001", "EU") or that it cannot name.
func RegionName(t language.Tag, region string) string {
	if base, _ := t.Base(); base.String() == "en" {
		return englishRegionName(region)
	}
	r, err := language.ParseRegion(region)
	if err != nil || !r.IsCountry() {
		return ""
	}
	return display.Regions(t).Name(r)
}

// englishRegionName names a region in English as a sentence uses it:
// "the Netherlands" for "NL", "North Macedonia" for "MK" (where
// golang.org/x/text's names are not the ones in use). It returns "" for a
// code that is not a country or that it cannot name.
func englishRegionName(region string) string {
	switch region {
	case "CD":
		return "the Democratic Republic of the Congo"
	case "CG":
		return "the Republic of the Congo"
	case "MK":
		return "North Macedonia"
	case "SZ":
		return "Eswatini"
	}
	r, err := language.ParseRegion(region)
	if err != nil || !r.IsCountry() {
		return ""
	}
	name := display.English.Regions().Name(r)
	switch region {
	case "AE", "AX", "BQ", "BS", "CC", "CF", "CK", "DO", "FK", "FO", "GB", "GM", "IM", "KM", "KY", "MH",
		"MP", "MV", "NL", "PH", "PS", "SB", "SC", "TC", "UM", "US", "VG", "VI":
		if name != "" {
			return "the " + name // the Netherlands, the United States
		}
	}
	return name
}
