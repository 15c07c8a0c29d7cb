package random

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDigitsAreUnbiased draws a million digits and checks them with
// a chi-squared test. Drawing digits as byte%10 without rejecting the top
// of the byte range makes 0 to 5 about 4 % likelier than 6 to 9, which
// gives a statistic near 370; uniform digits stay below 42.6 (9 degrees of
// freedom) except once in a million runs.
func TestDigitsAreUnbiased(t *testing.T) {
	const n = 1_000_000
	var count [10]int
	for _, c := range Digits(n) {
		count[c-'0']++
	}
	const expected = n / 10.0
	chi2 := 0.0
	for _, k := range count {
		d := float64(k) - expected
		chi2 += d * d / expected
	}
	assert.Less(t, chi2, 42.6, "chi-squared over %d digits (counts %v): the digits are not uniform", n, count)
}

// TestAlphabetSizes: an alphabet of 1 to 256 bytes gives characters of
// it only, and any other panics, rather than dividing by zero (empty) or
// looping for ever (over 256 bytes, where no byte is below the limit).
func TestAlphabetSizes(t *testing.T) {
	var all strings.Builder
	for i := range 256 {
		all.WriteByte(byte(i))
	}
	for _, alphabet := range []string{"x", "01", all.String()} {
		s := String(1000, alphabet)
		assert.Len(t, s, 1000)
		for i := 0; i < len(s); i++ {
			assert.Contains(t, alphabet, s[i:i+1])
		}
	}
	assert.PanicsWithValue(t, "random.String: an alphabet of 0 bytes, want 1 to 256", func() { String(1, "") })
	assert.PanicsWithValue(t, "random.String: an alphabet of 257 bytes, want 1 to 256", func() { String(1, all.String()+"x") })
}
