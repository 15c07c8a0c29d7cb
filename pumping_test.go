package verify_test

// The SMS-pumping guard: its arithmetic, and what it logs.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// Each verified check gives the range 100/verifiedPercent more starts:
// with 50 %, two verified of three starts allow 3 + 2 × 2 = 7 in all,
// and the warning gives the rate.
func TestPumpingGuardCreditsVerifiedChecks(t *testing.T) {
	v, p, c, log, _ := pumpingVerifier(t, verify.WithPumpingGuard(3, 50, time.Hour))
	ctx := context.Background()
	start := func(i int) (*verify.Verification, error) {
		return v.Start(ctx, fmt.Sprintf("+3161234%04d", i))
	}
	for i := range 3 {
		ver, err := start(i)
		require.NoError(t, err, "start %d", i)
		if i < 2 {
			code, _ := p.LastCode(ver.Phone)
			_, err := v.Check(ctx, ver.ID, code)
			require.NoError(t, err)
		}
		c.Advance(time.Minute)
	}
	for i := 3; i < 7; i++ {
		_, err := start(i)
		require.NoError(t, err, "start %d of a range with 2 verified", i+1)
	}
	_, err := start(7)
	require.ErrorIs(t, err, verify.ErrSuspectedPumping, "start 8 of a range with 2 verified")
	assert.Contains(t, log.String(), `starts=7 verified=2 verified_rate=28.6%`, "the warning gives the rate")
}

// With the SMS-pumping guard off, a verified check records nothing for
// it, and so has nothing to warn about.
func TestPumpingGuardOffRecordsNothing(t *testing.T) {
	v, p, _, log, _ := pumpingVerifier(t, verify.WithPumpingGuard(0, 0, 0), verify.WithFailureThrottle(0, 0))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	code, _ := p.LastCode(ver.Phone)
	ver, err = v.Check(ctx, ver.ID, code)
	require.NoError(t, err, "check")
	require.True(t, ver.Verified(), "check")
	assert.NotContains(t, log.String(), "level=WARN", "warnings with the guard off")
}

// With the client limits and the SMS-pumping guard off, a verified check
// from a client credits nothing, since no limit would read it, and so
// has nothing to warn about.
func TestVerifiedCheckWithClientLimitsOff(t *testing.T) {
	tests := []struct {
		name string
		opts []verify.Option
	}{
		{"both client limits", []verify.Option{verify.WithClientLimit(0, 0), verify.WithClientNetworkLimit(0, 0)}},
		{"the client limit", []verify.Option{verify.WithClientLimit(0, 0)}},
		{"the network limit", []verify.Option{verify.WithClientNetworkLimit(0, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, p, _, log, _ := pumpingVerifier(t, append([]verify.Option{verify.WithPumpingGuard(0, 0, 0)}, tt.opts...)...)
			ctx := context.Background()
			// An IPv6 client, which has a network (its /48) as well.
			ver, err := v.Start(ctx, "+31612345678", verify.WithClientKey("2001:db8:1:2::7"))
			require.NoError(t, err)
			code, _ := p.LastCode(ver.Phone)
			ver, err = v.Check(ctx, ver.ID, code)
			require.NoError(t, err, "check")
			require.True(t, ver.Verified(), "check")
			assert.NotContains(t, log.String(), "level=WARN")
		})
	}
}

// lateCount is a MemoryLimiter whose window has passed by the time the
// guard counts a tripped range's starts: the refusal and the count are
// two calls, and the starts may leave the window (or a shared store's key
// expire) between them.
type lateCount struct {
	*verify.MemoryLimiter
	clock clockT
}

func (l *lateCount) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	l.clock.Advance(window)
	return l.MemoryLimiter.Count(ctx, window, keys...)
}

// When a tripped range's starts have left the window by the time they
// are counted, the warning gives a rate of 0, not a division by zero.
func TestPumpingWarningWhenTheStartsHaveLeft(t *testing.T) {
	var log bytes.Buffer
	c := newClock()
	v, err := verify.New(fake.New(fake.WithClock(c.Now)), verify.WithPumpingGuard(2, 50, time.Hour), verify.WithFailureThrottle(0, 0),
		verify.WithLimiter(&lateCount{MemoryLimiter: &verify.MemoryLimiter{Now: c.Now}, clock: c}),
		verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	require.NoError(t, err)
	for i := range 3 {
		_, err = v.Start(context.Background(), fmt.Sprintf("+3161234%04d", i))
	}
	require.ErrorIs(t, err, verify.ErrSuspectedPumping, "third start")
	assert.Contains(t, log.String(), `range="+31 61234" region=NL starts=0 verified=0 verified_rate=0.0%`)
}

// When the limiter cannot count a tripped range's starts, the warning
// still comes, with -1 for what it could not count.
func TestPumpingWarningWithoutCounts(t *testing.T) {
	var log bytes.Buffer
	v, err := verify.New(fake.New(), verify.WithPumpingGuard(2, 50, time.Hour), verify.WithFailureThrottle(0, 0),
		verify.WithLimiter(&flaky{MemoryLimiter: &verify.MemoryLimiter{}, count: true}),
		verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	require.NoError(t, err)
	for i := range 3 {
		_, err = v.Start(context.Background(), fmt.Sprintf("+3161234%04d", i))
	}
	require.ErrorIs(t, err, verify.ErrSuspectedPumping, "third start")
	assert.Contains(t, log.String(), `range="+31 61234" region=NL starts=-1 verified=-1 verified_rate=0.0%`, "the warning with what it could not count")
}
