package verify

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestStarterValue: what a Verifier stores of a started verification
// reads back whole, and so does a value written by an earlier release,
// without the channel, or without the client either.
func TestStarterValue(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  starter
	}{
		{"this release", starter{number: "+31612345678", channel: SMS, provider: "my provider", network: "2001:db8:1::/48", client: "key\nwith newline"}.value(),
			starter{number: "+31612345678", channel: SMS, provider: "my provider", network: "2001:db8:1::/48", client: "key\nwith newline"}},
		{"no client, no provider", starter{number: "+31612345678", channel: Voice}.value(), starter{number: "+31612345678", channel: Voice}},
		{"earlier release", "+31612345678\n\nkey", starter{number: "+31612345678", client: "key"}},
		{"earliest release", "+31612345678", starter{number: "+31612345678"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseStarter(tt.value))
		})
	}
}
