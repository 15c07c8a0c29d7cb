package http

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLooksLikeCode: a refused code is labelled malformed unless it is as
// many digits as a code, of any script, give or take spaces, dashes and
// tabs (ASCII or full-width).
func TestLooksLikeCode(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"123456", true}, {"123 456", true}, {"12-34-56", true}, {"12345", false}, {"1234567", false},
		{"12345a", false}, {"", false}, {"１２３４５６", true}, {"١٢٣٤٥٦", true}, {"۱۲۳۴۵۶", true},
		{"１２３　４５６", true}, {"１２－３４－５６", true}, {"１２３４５", false}, {"１２３４５ａ", false},
		{"987\t650", true}, {"999999", true}, {"12345:", false}, // a tab, the digit 9, the character after it
	}
	for _, tt := range tests {
		got := looksLikeCode(tt.code, 6)
		assert.Equalf(t, tt.want, got, "looksLikeCode(%q, 6) = %v, want %v", tt.code, got, tt.want)
	}
}
