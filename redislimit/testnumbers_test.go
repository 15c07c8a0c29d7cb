package redislimit_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// TestVerifiersShareTestNumbers runs two app instances with the same
// test number over one Redis: a test verification started on one is
// checked, read and canceled on the other, its code works once across
// both, and Redis holds no code.
func TestVerifiersShareTestNumbers(t *testing.T) {
	const number, code = "+31612345670", "4829173605" // ten digits: no stored time holds them by chance
	s := startRedis(t)
	fk := fake.New()
	newV := func() *verify.Verifier {
		v, err := verify.New(fk, verify.WithLimiter(newLimiter(t, s.client(t))),
			verify.WithTestNumbers(map[string]string{number: code}),
			verify.WithResendCooldown(0), verify.WithMaxAttempts(10))
		require.NoError(t, err)
		return v
	}
	a, b := newV(), newV()
	ctx := context.Background()

	ver, err := a.Start(ctx, number)
	require.NoError(t, err)
	require.True(t, ver.Test)
	_, err = b.Check(ctx, ver.ID, "0000000000")
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	st, err := b.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusPending, st.Status)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		v := a
		if i%2 == 1 {
			v = b
		}
		wg.Go(func() { _, err := v.Check(ctx, ver.ID, code); errs <- err })
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.ErrorIs(t, err, verify.ErrExpired)
	}
	assert.Equal(t, 1, ok, "successes of the right code checked 8 times at once on two instances")
	st, err = a.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, st.Status)

	other, err := b.Start(ctx, number)
	require.NoError(t, err)
	require.NoError(t, a.Cancel(ctx, other.ID))
	_, err = b.Check(ctx, other.ID, code)
	assert.ErrorIs(t, err, verify.ErrExpired)
	assert.Empty(t, fk.Messages(), "no provider was called")

	c := s.client(t)
	var dump strings.Builder
	iter := c.Scan(ctx, 0, "*", 0).Iterator()
	for iter.Next(ctx) {
		val, err := c.Get(ctx, iter.Val()).Result()
		require.NoError(t, err)
		dump.WriteString(iter.Val() + "\n" + val + "\n")
	}
	require.NoError(t, iter.Err())
	require.Contains(t, dump.String(), ver.ID, "the test verification lives in Redis")
	assert.NotContains(t, dump.String(), code)
}
