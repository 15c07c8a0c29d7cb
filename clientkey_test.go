package verify_test

// Client keys: how the per-client and per-network limits count a client.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
)

// An IPv6 /48 given as the client key counts against its network's
// budget, as a /64 of it does.
func TestNetworkLimitCountsA48(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientNetworkLimit(1, time.Hour))
	ctx := context.Background()
	_, err := v.Start(ctx, "+31612345601", verify.WithClientKey("2001:db8:1::/48"))
	require.NoError(t, err)
	_, err = v.Start(ctx, "+31612345602", verify.WithClientKey("2001:db8:1:5::/64"))
	wantRateLimited(t, err, "network_limit", time.Hour)
}

func TestNetworkLimitOff(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientNetworkLimit(0, 0))
	for i := range 3 {
		_, err := v.Start(context.Background(), fmt.Sprintf("+3161234560%d", i), verify.WithClientKey(fmt.Sprintf("2001:db8:1:%d::/64", i)))
		assert.NoError(t, err, "start %d with the per-network limit off", i)
	}
}

// An IPv6 client counts by its network however the caller spells it:
// in capitals, with its zeros written out, or with host bits set.
func TestIPv6ClientKeyIsCanonical(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientLimit(1, time.Hour))
	ctx := context.Background()
	_, err := v.Start(ctx, "+31612345601", verify.WithClientKey("2001:db8:1::/64"))
	require.NoError(t, err)
	for i, key := range []string{"2001:DB8:1:0::/64", "2001:db8:1:0:0:0:0:0/64", "2001:db8:1::5/64", "2001:db8:1::5", "2001:db8:1::5/96"} {
		_, err = v.Start(ctx, fmt.Sprintf("+3161234561%d", i), verify.WithClientKey(key))
		wantRateLimited(t, err, "client_limit", time.Hour)
	}
	v, _, _ = limited(t, verify.WithClientLimit(1, time.Hour), verify.WithClientNetworkLimit(100, time.Hour))
	_, err = v.Start(ctx, "+31612345601", verify.WithClientKey("2001:db8:1::/56"))
	require.NoError(t, err)
	_, err = v.Start(ctx, "+31612345602", verify.WithClientKey("2001:db8:1:0:ff::/56"))
	wantRateLimited(t, err, "client_limit", time.Hour)
}

func TestStartsWithoutClientKeyShareNoClientBudget(t *testing.T) {
	v, err := verify.New(&spy{}, verify.WithClientLimit(1, time.Hour), verify.WithNumberLimit(0, 0), verify.WithResendCooldown(0))
	require.NoError(t, err)
	for _, phone := range []string{"+31612345678", "+31612345679", "+31612345670"} {
		_, err := v.Start(context.Background(), phone)
		assert.NoError(t, err, "Start(%s) without a client key", phone)
	}
	_, err = v.Start(context.Background(), "+31612345671", verify.WithClientKey("a"))
	require.NoError(t, err)
	_, err = v.Start(context.Background(), "+31612345672", verify.WithClientKey("a"))
	assert.ErrorIs(t, err, verify.ErrRateLimited, "second start of client a")
}
