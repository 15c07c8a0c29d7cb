package verify_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// full returns a Verifier on a MemoryLimiter of maxKeys keys.
func full(t *testing.T, maxKeys int) (*verify.Verifier, *fake.Provider, *verify.MemoryLimiter, clockT) {
	t.Helper()
	c := newClock()
	p := fake.New(fake.WithClock(c.Now))
	l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: maxKeys}
	v, err := verify.New(p, verify.WithLimiter(l))
	require.NoError(t, err)
	return v, p, l, c
}

// flood makes n allowed starts from distinct clients to numbers of
// distinct ranges, from offset on, and checks that the limiter stays
// within its bound.
func flood(t *testing.T, v *verify.Verifier, l *verify.MemoryLimiter, offset, n int) {
	t.Helper()
	for i := offset; i < offset+n; i++ {
		_, err := v.Start(context.Background(), fmt.Sprintf("+3161%03d%04d", i%1000, i), verify.WithClientKey(fmt.Sprintf("10.1.%d.%d", i>>8&255, i&255)))
		require.NoError(t, err, "flood start %d", i)
	}
	require.LessOrEqual(t, l.Len(), l.MaxKeys)
}

// Issue 17 §3: after a flood fills a MemoryLimiter, one client's 200
// starts meet its limit of 20 an hour, exactly.
func TestFullLimiterKeepsTheClientLimit(t *testing.T) {
	v, _, l, _ := full(t, 2000)
	flood(t, v, l, 0, 1500)
	allowed := 0
	for i := range 200 {
		_, err := v.Start(context.Background(), fmt.Sprintf("+3163%03d%04d", i, i), verify.WithClientKey("192.0.2.1"))
		if err == nil {
			allowed++
			continue
		}
		var rl *verify.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, "client_limit", rl.Limit)
	}
	assert.Equal(t, 20, allowed)
	assert.LessOrEqual(t, l.Len(), 2000)
}

// Issue 17 §3: 500 starts from distinct /64s of one /48, on a limiter of
// 200 keys, meet the network's limit of 100 an hour, exactly.
func TestFullLimiterKeepsTheNetworkLimit(t *testing.T) {
	v, _, l, _ := full(t, 200)
	allowed := 0
	for i := range 500 {
		_, err := v.Start(context.Background(), fmt.Sprintf("+3164%03d%04d", i, i), verify.WithClientKey(fmt.Sprintf("2001:db8:1:%x::/64", i)))
		if err == nil {
			allowed++
		}
		assert.LessOrEqual(t, l.Len(), 200)
	}
	assert.Equal(t, 100, allowed)
}

// Issue 17 §3: a flood of starts never evicts a number's throttle: the
// client that spent its free checks still waits, and the number's
// cooldown and limit still hold.
func TestFloodKeepsTheThrottleAndTheNumberLimits(t *testing.T) {
	v, p, l, c := full(t, 1000)
	ctx := context.Background()
	const victim = "+31612345678"
	stranger := verify.WithClientKey("198.51.100.9")
	for i := 0; i < 20; {
		ver, err := v.Start(ctx, victim, stranger)
		require.NoError(t, err)
		for range 5 {
			_, err := v.Check(ctx, ver.ID, "000000")
			require.True(t, errors.Is(err, verify.ErrInvalidCode) || errors.Is(err, verify.ErrTooManyAttempts), "check %d: %v", i, err)
			i++
		}
		c.Advance(31 * time.Second)
	}
	ver, err := v.Start(ctx, victim, stranger)
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, "000000")
	wantRateLimited(t, err, "failure_throttle", 29*time.Second) // a minute after the last failure, 31 s ago

	flood(t, v, l, 0, 3000)

	_, err = v.Check(ctx, ver.ID, "000000")
	wantRateLimited(t, err, "failure_throttle", 29*time.Second) // a minute after the last failure, 31 s ago
	// The number has had 5 starts this hour (4 + 1, each 31 s apart).
	_, err = v.Start(ctx, victim, verify.WithClientKey("198.51.100.10"))
	var rl *verify.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, "number_limit", rl.Limit)
	assert.Len(t, p.Messages(), 5+3000)
}

// The round-two contract holds with the new eviction: a flood of new
// keys locks out neither a verification in progress nor a new client's
// first start, nor a returning client whose key the flood evicted.
func TestFloodLocksNobodyOut(t *testing.T) {
	v, p, l, _ := full(t, 1000)
	ctx := context.Background()
	user, err := v.Start(ctx, "+31687654321", verify.WithClientKey("192.0.2.1"))
	require.NoError(t, err)
	flood(t, v, l, 0, 3000)
	_, err = v.Start(ctx, "+31611112222", verify.WithClientKey("192.0.2.2"))
	assert.NoError(t, err, "a new client's first start")
	_, err = v.Start(ctx, "+31611113333", verify.WithClientKey("10.1.0.0"))
	assert.NoError(t, err, "the flood's first client, back")
	code, _ := p.LastCode("+31687654321")
	ver, err := v.Check(ctx, user.ID, code)
	require.NoError(t, err, "the user's check with the right code")
	assert.True(t, ver.Verified())
	// A limiter too small for one call's keys still serves it.
	tiny, _, _, _ := full(t, 2)
	_, err = tiny.Start(ctx, "+31687654321", verify.WithClientKey("2001:db8::1"))
	assert.NoError(t, err)
	assert.False(t, errors.Is(err, verify.ErrUnavailable))
}
