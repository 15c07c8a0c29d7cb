package verify

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalizeCodeReadsDigitsOfEveryScript(t *testing.T) {
	for _, in := range []string{"١٢٣٤٥٦", "۱۲۳۴۵۶", "１２３ ４５６", "１２３－４５６", "12٣۴５6", "१२३४५६"} {
		got, err := normalizeCode(in)
		assert.NoError(t, err, "%q", in)
		assert.Equal(t, "123456", got, "%q", in)
	}
	for _, in := range []string{"１２３ＡＢ６", "12345６a", "¹²³⁴⁵⁶", "١٢٣"} {
		_, err := normalizeCode(in)
		assert.ErrorIs(t, err, ErrInvalidCode, "%q", in)
	}
}
