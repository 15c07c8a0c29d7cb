package verify_test

import (
	"context"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDigitsAsTyped checks that numbers and codes typed in full-width,
// Arabic-Indic or Persian digits are read as the digits they are, by
// Start, Check and ParsePhone, and that letters are still refused.
func TestDigitsAsTyped(t *testing.T) {
	numbers := []struct{ in, region, want string }{
		{"０６１２３４５６７８", "NL", "+31612345678"},      // full-width, as a Japanese input method types them
		{"＋３１　６　１２３４５６７８", "", "+31612345678"},    // full-width plus and ideographic spaces
		{"＋３１－６－１２３４５６７８", "", "+31612345678"},    // full-width hyphens
		{"０９０ー１２３４ー５６７８", "JP", "+819012345678"},  // the long vowel mark for a hyphen
		{"٠٦١٢٣٤٥٦٧٨", "NL", "+31612345678"},      // Arabic-Indic
		{"+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧", "", "+966501234567"}, // Arabic-Indic, Saudi
		{"۰۹۱۲ ۳۴۵ ۶۷۸۹", "IR", "+989123456789"},  // Persian
		{"۰۰۹۸۹۱۲۳۴۵۶۷۸۹", "", "+989123456789"},   // Persian, 00 for +
		{"०९८७६ ५४३२१०", "IN", "+919876543210"},   // Devanagari
		{"06 １２３４ ٥٦٧٨", "NL", "+31612345678"},    // scripts mixed
	}
	for _, tt := range numbers {
		t.Run(tt.in, func(t *testing.T) {
			got, err := verify.ParsePhone(tt.in, tt.region)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "ParsePhone")
			s := &spy{}
			ver, err := newVerifier(t, s, verify.WithDefaultRegion(tt.region)).Start(context.Background(), tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ver.Phone)
			assert.Equal(t, tt.want, s.lastReq.Phone)
		})
	}
	for _, in := range []string{"０６ＣＡＬＬＭＥ", "06-ＣＡＬＬＭＥ", "٠٦١٢٣٤٥٦٧٨x", "06 12345678²", "Ⅵ12345678"} {
		_, err := newVerifier(t, &spy{}, verify.WithDefaultRegion("NL")).Start(context.Background(), in)
		var pe *verify.PhoneError
		require.ErrorAs(t, err, &pe, "%q", in)
		assert.Equal(t, "characters", pe.Code, "%q", in)
	}
}

func TestCodesAsTyped(t *testing.T) {
	ctx := context.Background()
	for _, code := range []string{"１２３４５６", "１２３　４５６", "١٢٣٤٥٦", "۱۲۳-۴۵۶", "12٣۴５6", "१२३४५६"} {
		t.Run(code, func(t *testing.T) {
			p := fake.New(fake.WithCode("123456"))
			v := newVerifier(t, p)
			ver, err := v.Start(ctx, "+31612345678")
			require.NoError(t, err)
			ver, err = v.Check(ctx, ver.ID, code)
			require.NoError(t, err)
			assert.True(t, ver.Verified())
		})
	}
	for _, code := range []string{"１２３ａｂｃ", "12345６a", "١٢٣", "¹²³⁴⁵⁶", "123456０１２３４"} {
		s := &spy{}
		_, err := newVerifier(t, s).Check(ctx, "abc123", code)
		assert.ErrorIs(t, err, verify.ErrInvalidCode, "Check(%q)", code)
		assert.Zero(t, s.checks.Load(), "Check(%q) reached the provider", code)
	}
}
