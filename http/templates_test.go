package http

import (
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/internal/phone"
	"github.com/stretchr/testify/assert"
)

// TestMaskForDisplay: the national number shows its first digit and last
// four from 7 digits on, its last two from 3 digits, nothing below; a
// number that is no more than a country code is masked whole.
func TestMaskForDisplay(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+31612345678", "+31 6 •••• 5678"},
		{"+14155552671", "+1 4 •••• 2671"},
		{"+442071838750", "+44 2 •••• 8750"},
		{"+35312345", "+353 •••• 45"},
		{"+999", "****"},
		{"+316123456", "+31 6 •••• 3456"}, // 7 national digits
		{"+31612345", "+31 •••• 45"},      // 6
		{"+31612", "+31 •••• 12"},         // 3
		{"+3161", "+31 ••••"},             // 2
		{"+1", verify.MaskPhone("+1")},
		{"+31", verify.MaskPhone("+31")},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, phone.MaskForDisplay(tt.in), tt.in)
	}
}

func TestTimeLeft(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{{10 * time.Minute, "10:00"}, {61500 * time.Millisecond, "1:02"}, {0, "0:00"}, {-time.Minute, "0:00"}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, timeLeft(tt.d), tt.d)
	}
}
