package verify_test

// Phone numbers as Start reads them.

import (
	"context"
	"errors"
	"testing"

	"github.com/phoneverify/verify"
)

// A number of a non-geographic code that is not valid is called not
// valid, not too short or too long: such codes have no example numbers
// to compare its length with.
func TestInvalidNonGeographicNumber(t *testing.T) {
	v := newVerifier(t, &spy{}, verify.WithAnyLineType())
	for _, in := range []string{"+882 12345678901", "+870 123456789012"} {
		var pe *verify.PhoneError
		if _, err := v.Start(context.Background(), in); !errors.As(err, &pe) || pe.Code != "invalid" {
			t.Errorf("Start(%q): %v; want a PhoneError with code invalid", in, err)
		}
	}
}
