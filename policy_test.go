package verify_test

import (
	"context"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// Check applies its own Verifier's policy to the number a start stored,
// whichever Verifier sharing the LimitStore started it: a number that a
// looser Verifier sent a code to is refused by a stricter one, and the
// check's event names the number's region and line type.
func TestCheckAppliesItsPolicyToANumberAnotherVerifierStarted(t *testing.T) {
	tests := []struct {
		phone, region, lineType string
		want                    error
	}{
		{"+31612345678", "NL", "mobile", nil},
		{"+447400123456", "GB", "mobile", verify.ErrInvalidPhone}, // not in the allowed regions
		{"+319001234567", "NL", "premium_rate", verify.ErrInvalidPhone},
	}
	for _, tt := range tests {
		p, store, rec := fake.New(), &verify.MemoryLimiter{}, &recorder{}
		loose := newVerifier(t, p, verify.WithLimiter(store), verify.WithAnyLineType())
		strict := newVerifier(t, p, verify.WithLimiter(store), verify.WithAllowedRegions("NL"), verify.WithObserver(rec))
		ctx := context.Background()
		ver, err := loose.Start(ctx, tt.phone)
		require.NoError(t, err, tt.phone)
		code, _ := p.Code(ver.ID)

		got, err := strict.Check(ctx, ver.ID, code)
		if tt.want == nil {
			assert.NoError(t, err, tt.phone)
			assert.True(t, got.Verified(), tt.phone)
		} else {
			assert.ErrorIs(t, err, tt.want, tt.phone)
			assert.Nil(t, got, tt.phone)
		}
		ev := rec.take()
		require.Len(t, ev, 1, tt.phone)
		assert.Equal(t, tt.region, ev[0].Region, tt.phone)
		assert.Equal(t, tt.lineType, ev[0].LineType, tt.phone)
	}
}

// A provider that reports verified another number than the one started
// has that number parsed and judged by the Verifier's policy: what the
// start found of its own number says nothing of it.
func TestCheckJudgesAnotherNumberThanTheOneStarted(t *testing.T) {
	tests := []struct {
		reported string
		want     error
	}{
		{"+31612345678", nil}, // the number started
		{"+31687654321", nil}, // another number the policy accepts
		{"+447400123456", verify.ErrInvalidPhone},
		{"+319001234567", verify.ErrInvalidPhone},
		{"+31 6 12345678", verify.ErrUnavailable},
		{"", verify.ErrUnavailable},
	}
	for _, tt := range tests {
		s := &spy{check: func(id, _ string) (*verify.Verification, error) {
			return &verify.Verification{ID: id, Phone: tt.reported, Status: verify.StatusVerified}, nil
		}}
		v := newVerifier(t, s, verify.WithAllowedRegions("NL"))
		ctx := context.Background()
		ver, err := v.Start(ctx, "+31612345678")
		require.NoError(t, err)

		got, err := v.Check(ctx, ver.ID, "123456")
		if tt.want == nil {
			assert.NoError(t, err, tt.reported)
			assert.Equal(t, tt.reported, got.Phone)
		} else {
			assert.ErrorIs(t, err, tt.want, tt.reported)
			assert.Nil(t, got, tt.reported)
		}
	}
}
