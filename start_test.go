package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Start always returns an ExpiresAt: the provider's, or else the
// validity after the provider's CreatedAt, or else after the call.
func TestStartSetsExpiresAt(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	expires := created.Add(7 * time.Minute)
	answer := func(ver verify.Verification) *spy {
		return &spy{start: func(req verify.Request) (*verify.Verification, error) {
			ver.ID, ver.Phone, ver.Channel, ver.Status = "id1", req.Phone, req.Channel, verify.StatusPending
			return &ver, nil
		}}
	}
	ctx := context.Background()

	ver, err := newVerifier(t, answer(verify.Verification{CreatedAt: created, ExpiresAt: expires})).Start(ctx, "+31612345678")
	require.NoError(t, err)
	assert.Equal(t, expires, ver.ExpiresAt, "the provider's own")

	ver, err = newVerifier(t, answer(verify.Verification{CreatedAt: created})).Start(ctx, "+31612345678")
	require.NoError(t, err)
	assert.Equal(t, created.Add(10*time.Minute), ver.ExpiresAt, "the default validity after CreatedAt")

	ver, err = newVerifier(t, answer(verify.Verification{CreatedAt: created}), verify.WithValidity(time.Hour)).
		Start(ctx, "+31612345678", verify.WithValidity(2*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, created.Add(2*time.Minute), ver.ExpiresAt, "the validity of the call")

	before := time.Now()
	ver, err = newVerifier(t, answer(verify.Verification{})).Start(ctx, "+31612345678")
	after := time.Now()
	require.NoError(t, err)
	assert.False(t, ver.ExpiresAt.Before(before.Add(10*time.Minute)), "ExpiresAt %s before the call plus the validity", ver.ExpiresAt)
	assert.False(t, ver.ExpiresAt.After(after.Add(10*time.Minute)), "ExpiresAt %s after the call plus the validity", ver.ExpiresAt)
}
