package verify_test

// Phone numbers as Start reads them.

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phoneverify/verify"
)

// A number of a non-geographic code that is not valid is called not
// valid, not too short or too long: such codes have no example numbers
// to compare its length with.
func TestInvalidNonGeographicNumber(t *testing.T) {
	v := newVerifier(t, &spy{}, verify.WithAnyLineType())
	for _, in := range []string{"+882 12345678901", "+870 123456789012"} {
		var pe *verify.PhoneError
		_, err := v.Start(context.Background(), in)
		if assert.ErrorAs(t, err, &pe, "Start(%q)", in) {
			assert.Equal(t, "invalid", pe.Code, "Start(%q): %v", in, err)
		}
	}
}
