package verify

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzFailoverID checks that an id a Failover made routes back to the
// provider that started the verification, under that provider's own id,
// and that any other id routes somewhere or to ErrNotFound, never to a
// panic.
func FuzzFailoverID(f *testing.F) {
	for _, id := range []string{"0123456789abcdef0123456789abcdef", "f1-abc", "f-", "f00-x", "f12345-x", "test_X", "-"} {
		f.Add(id, uint8(1))
	}
	f.Fuzz(func(t *testing.T, id string, n uint8) {
		providers := make([]Provider, int(n%12)+1)
		for i := range providers {
			providers[i] = &failover{} // any non-nil Provider, told apart by pointer
		}
		fo := &failover{providers: providers}

		// Any id: a provider and a non-empty inner id, or ErrNotFound.
		p, inner, err := fo.route(id)
		if err != nil {
			assert.ErrorIs(t, err, ErrNotFound)
		} else {
			assert.NotNil(t, p)
			assert.True(t, inner == id || len(inner) < len(id))
		}

		// An id that provider i returned comes back to it.
		if !validID(id) {
			return
		}
		i := int(n) % len(providers)
		ver, err := fo.started(i, &Verification{ID: id})
		if err != nil {
			assert.Greater(t, len(failoverPrefix(i)+id), maxID)
			return
		}
		require.True(t, validID(ver.ID))
		p, inner, err = fo.route(ver.ID)
		require.NoError(t, err)
		assert.Same(t, providers[i], p)
		assert.Equal(t, id, inner)
	})
}
