package otp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/verifytest"
)

// FuzzCheck checks any id and code against a Provider holding one
// verification: no call panics or writes to the store for an id that
// was never started, every error matches a sentinel, and only the
// verification's own id and code verify.
func FuzzCheck(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef", "123456", false)
	f.Add("", "", true)
	f.Add("../otp:rec:x", "1 2 3", false)
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00", "١٢٣٤٥٦", true)
	f.Fuzz(func(t *testing.T, id, code string, real bool) {
		e := newEnv(t)
		ctx := context.Background()
		ver, err := e.p.Start(ctx, verifytest.Request(verifytest.Phone))
		require.NoError(t, err)
		right := e.code(t, verifytest.Phone)
		if real { // the verification's id with the fuzzed code
			id = ver.ID
		}
		before := e.store.Len()
		got, err := e.p.Check(ctx, id, code)
		if id == ver.ID && code == right {
			require.NoError(t, err, "the right code failed")
			require.True(t, got.Verified(), "Check with the right id and code = %+v", got)
		} else {
			require.Error(t, err, "Check(%q, %q) verified %+v; the right ones are %q, %q", id, code, got, ver.ID, right)
			require.True(t, errors.Is(err, verify.ErrNotFound) || errors.Is(err, verify.ErrInvalidCode),
				"Check(%q, %q): %v, want ErrNotFound or ErrInvalidCode", id, code, err)
		}
		if id != ver.ID {
			require.Equal(t, before, e.store.Len(), "Check(%q, ...) of an unknown id: keys in the store", id)
		}
		_, err = e.p.Status(ctx, id)
		if id != ver.ID {
			require.ErrorIs(t, err, verify.ErrNotFound, "Status(%q)", id)
		}
	})
}
