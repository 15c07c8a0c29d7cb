package phone

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"golang.org/x/text/language"
)

func TestRegionName(t *testing.T) {
	tests := []struct {
		tag    language.Tag
		region string
		want   string
	}{
		{language.English, "NL", "the Netherlands"},
		{language.BritishEnglish, "US", "the United States"},
		{language.English, "BE", "Belgium"},
		{language.English, "CD", "the Democratic Republic of the Congo"},
		{language.English, "MK", "North Macedonia"},
		{language.English, "IM", "the Isle of Man"},
		{language.English, "VA", "Vatican City"},
		{language.Dutch, "NL", "Nederland"},
		{language.German, "BE", "Belgien"},
		{language.English, "001", ""},
		{language.English, "EU", ""},
		{language.Dutch, "EU", ""},
		{language.English, "", ""},
		{language.English, "not a region", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RegionName(tt.tag, tt.region), "%s %s", tt.tag, tt.region)
	}
	// Every region that has numbers has a name, in English and in Dutch.
	for r := range phonenumbers.GetSupportedRegions() {
		assert.NotEmpty(t, RegionName(language.English, r), r)
		assert.NotEmpty(t, RegionName(language.Dutch, r), r)
	}
}
