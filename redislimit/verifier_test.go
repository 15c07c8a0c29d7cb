package redislimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/redislimit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newInstance is one app instance: a Verifier over its own fake provider
// and its own Redis client, talking to the shared Redis at s.
func newInstance(t *testing.T, s *server, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	l := newLimiter(t, s.client(t))
	v, err := verify.New(fake.New(), append([]verify.Option{verify.WithLimiter(l)}, opts...)...)
	require.NoError(t, err, "verify.New")
	return v
}

func wantRateLimited(t *testing.T, err error, limit string) {
	t.Helper()
	var rle *verify.RateLimitError
	require.ErrorIs(t, err, verify.ErrRateLimited)
	require.ErrorAs(t, err, &rle)
	assert.Equal(t, limit, rle.Limit, "RateLimitError.Limit")
	assert.Greater(t, rle.RetryAfter, time.Duration(0), "RateLimitError.RetryAfter")
}

// TestVerifiersShareGlobalLimit runs two Verifiers, as two app instances
// would, over one Redis: the global cap of 3 starts holds across both.
func TestVerifiersShareGlobalLimit(t *testing.T) {
	s := startRedis(t)
	a := newInstance(t, s, verify.WithGlobalLimit(3, time.Hour))
	b := newInstance(t, s, verify.WithGlobalLimit(3, time.Hour))
	ctx := context.Background()
	phone := func(i int) string { return "+31 6 1234567" + strconv.Itoa(i) }

	for i, v := range []*verify.Verifier{a, b, a} {
		_, err := v.Start(ctx, phone(i))
		require.NoError(t, err, "start %d", i+1)
	}
	for i, v := range []*verify.Verifier{a, b} {
		_, err := v.Start(ctx, phone(5+i))
		wantRateLimited(t, err, "global_limit")
	}
}

// TestVerifiersShareCooldown checks a per-number policy across instances:
// a resend through the other instance is held up by the cooldown.
func TestVerifiersShareCooldown(t *testing.T) {
	s := startRedis(t)
	a := newInstance(t, s, verify.WithResendCooldown(time.Minute))
	b := newInstance(t, s, verify.WithResendCooldown(time.Minute))
	ctx := context.Background()
	_, err := a.Start(ctx, "+31612345678")
	require.NoError(t, err)
	_, err = b.Start(ctx, "+31612345678")
	wantRateLimited(t, err, "resend_cooldown")
}

// TestVerifierRedisDown: with Redis gone, a Verifier refuses to start
// (ErrUnavailable) by default, and starts anyway when failing open.
func TestVerifierRedisDown(t *testing.T) {
	tests := []struct {
		name     string
		opts     []redislimit.Option
		wantFail bool
	}{
		{"fail closed", nil, true},
		{"fail open", []redislimit.Option{redislimit.WithFailOpen()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startRedis(t)
			l := newLimiter(t, s.client(t), tt.opts...)
			v, err := verify.New(fake.New(), verify.WithLimiter(l))
			require.NoError(t, err)
			s.Kill()
			_, err = v.Start(context.Background(), "+31612345678")
			if tt.wantFail {
				require.ErrorIs(t, err, verify.ErrUnavailable, "Start")
			} else {
				require.NoError(t, err, "Start, want success (fail open)")
			}
		})
	}
}
