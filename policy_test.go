package verify_test

import (
	"context"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/stretchr/testify/assert"
)

// A Check reads the number the provider reports verified in E.164 form
// only: the same number written any other way is not what was started.
func TestCheckReadsTheVerifiedNumberInE164FormOnly(t *testing.T) {
	for _, phone := range []string{"+31 6 12345678", "0031612345678", "+310612345678", "+999123456", "+31612345678 "} {
		s := &spy{check: func(id, _ string) (*verify.Verification, error) {
			return &verify.Verification{ID: id, Phone: phone, Status: verify.StatusVerified}, nil
		}}
		ver, err := newVerifier(t, s).Check(context.Background(), "abc", "123456")
		assert.ErrorIs(t, err, verify.ErrUnavailable, phone)
		assert.Nil(t, ver, phone)
	}
}
