package http

import (
	"testing"

	"github.com/phoneverify/verify"
)

// TestMaskForDisplayEdges: the national number shows its first digit and
// last four from 7 digits on, its last two from 3 digits, nothing below;
// a number that is no more than a country code is masked whole.
func TestMaskForDisplayEdges(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+316123456", "+31 6 •••• 3456"}, // 7 national digits
		{"+31612345", "+31 •••• 45"},      // 6
		{"+31612", "+31 •••• 12"},         // 3
		{"+3161", "+31 ••••"},             // 2
		{"+1", verify.MaskPhone("+1")},
		{"+31", verify.MaskPhone("+31")},
	}
	for _, tt := range tests {
		if got := maskForDisplay(tt.in); got != tt.want {
			t.Errorf("maskForDisplay(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
