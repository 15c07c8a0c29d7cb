package verify_test

// A LimitStore that fails or breaks its contract: what a Verifier does then.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flaky is a MemoryLimiter whose bookkeeping calls fail on demand, while
// AllowAll, which decides starts and checks, works.
type flaky struct {
	*verify.MemoryLimiter
	put, allow, forget, count bool
}

var errFlaky = errors.New("limiter down")

func (f *flaky) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if f.put {
		return errFlaky
	}
	return f.MemoryLimiter.Put(ctx, key, value, ttl)
}

func (f *flaky) Allow(ctx context.Context, key string, n int, per time.Duration) (bool, time.Duration, error) {
	if f.allow {
		return false, 0, errFlaky
	}
	return f.MemoryLimiter.Allow(ctx, key, n, per)
}

func (f *flaky) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	if f.count {
		return nil, errFlaky
	}
	return f.MemoryLimiter.Count(ctx, window, keys...)
}

func (f *flaky) Forget(ctx context.Context, keys ...string) error {
	if f.forget {
		return errFlaky
	}
	return f.MemoryLimiter.Forget(ctx, keys...)
}

// A limiter that fails to record a verification or a verified number leaves the call's outcome as it was and a warning in
// the log, when there is one; without a log, it is silent.
func TestLimiterBookkeepingFailuresAreLogged(t *testing.T) {
	for _, tt := range []struct {
		name               string
		put, allow, forget bool
		want               string
	}{
		{"put", true, false, false, "limiter failed to remember a verification"},
		{"allow", false, true, false, "limiter failed to record a verified number"},
		{"forget", false, false, true, "limiter failed to record a verified number"},
	} {
		for _, logged := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/logged=%v", tt.name, logged), func(t *testing.T) {
				var log bytes.Buffer
				p := fake.New()
				opts := []verify.Option{verify.WithLimiter(&flaky{MemoryLimiter: &verify.MemoryLimiter{}, put: tt.put, allow: tt.allow, forget: tt.forget})}
				if logged {
					opts = append(opts, verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
				}
				v, err := verify.New(p, opts...)
				require.NoError(t, err)
				ctx := context.Background()
				ver, err := v.Start(ctx, "+31612345678")
				require.NoError(t, err)
				_, err = v.Check(ctx, ver.ID, "000000")
				require.ErrorIs(t, err, verify.ErrInvalidCode, "wrong code")
				code, _ := p.LastCode("+31612345678")
				checked, err := v.Check(ctx, ver.ID, code)
				require.NoError(t, err, "right code")
				assert.True(t, checked.Verified(), "right code: not verified")
				out := log.String()
				if logged {
					assert.Contains(t, out, "level=WARN", "want a warning %q", tt.want)
					assert.Contains(t, out, tt.want)
					assert.Contains(t, out, "limiter down")
				} else {
					assert.Empty(t, out, "printed without a logger")
				}
			})
		}
	}
}

// wayward is a LimitStore that names a refused limit that is not there.
type wayward struct{ *verify.MemoryLimiter }

func (w wayward) AllowAll(_ context.Context, limits []verify.Limit) (int, time.Duration, error) {
	return len(limits), time.Minute, nil
}

// A LimitStore that answers out of its contract makes the call fail as
// unavailable; it does not panic.
func TestLimitStoreOutOfContract(t *testing.T) {
	v, err := verify.New(fake.New(), verify.WithLimiter(wayward{&verify.MemoryLimiter{}}))
	require.NoError(t, err)
	_, err = v.Start(context.Background(), "+31612345678")
	assert.ErrorIs(t, err, verify.ErrUnavailable, "Start")
}
