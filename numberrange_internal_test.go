package verify

import (
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
			assert.Equal(t, "+"+cc+" "+nsn[:max(len(nsn)-4, 0)], numberRange(p), p.E164)
			checked[len(cc)]++
		}
	}
	assert.NotZero(t, checked[1], "country codes of one digit")
	assert.NotZero(t, checked[2], "country codes of two digits")
	assert.NotZero(t, checked[3], "country codes of three digits")

	p, err := parsePhone("+39 02 1234 5678", "")
	require.NoError(t, err)
	assert.Equal(t, "+39 021234", numberRange(p))
}
