package verify

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phoneverify/verify/internal/phone"
)

// A starter reads back as it was stored; a value of an earlier release,
// without the number's region and line type, reads with none, so that
// Check parses the number.
func TestStarterValue(t *testing.T) {
	nl := phone.Number{E164: "+31612345678", Region: "NL", LineType: phone.Mobile}
	for _, s := range []starter{
		{number: nl.E164, parsed: nl, client: "2001:db8:1:2::/64", network: "2001:db8:1::/48"},
		{number: nl.E164, parsed: nl, client: "app key\nwith lines and spaces"},
		{number: nl.E164, parsed: nl},
	} {
		assert.Equal(t, s, parseStarter(s.value()))
	}
	for v, want := range map[string]starter{
		"+31612345678":                     {number: "+31612345678"},
		"+31612345678\n\n203.0.113.9":      {number: "+31612345678", client: "203.0.113.9"},
		"+31612345678 NL\n\n203.0.113.9":   {number: "+31612345678", client: "203.0.113.9"},
		"+31612345678  mobile\n\n":         {number: "+31612345678"},
		"+31612345678 NL unknown\n\n":      {number: "+31612345678"},
		"+31612345678 NL mobile\nnet\nc d": {number: "+31612345678", parsed: nl, network: "net", client: "c d"},
	} {
		assert.Equal(t, want, parseStarter(v), "%q", v)
	}
}
