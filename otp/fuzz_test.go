package otp_test

import (
	"context"
	"errors"
	"testing"

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
		if err != nil {
			t.Fatal(err)
		}
		right := e.code(t, verifytest.Phone)
		if real { // the verification's id with the fuzzed code
			id = ver.ID
		}
		before := e.store.Len()
		got, err := e.p.Check(ctx, id, code)
		switch {
		case err == nil && (id != ver.ID || code != right || !got.Verified()):
			t.Fatalf("Check(%q, %q) verified %+v; the right ones are %q, %q", id, code, got, ver.ID, right)
		case err != nil && id == ver.ID && code == right:
			t.Fatalf("the right code failed: %v", err)
		case err != nil && !errors.Is(err, verify.ErrNotFound) && !errors.Is(err, verify.ErrInvalidCode):
			t.Fatalf("Check(%q, %q): %v, want ErrNotFound or ErrInvalidCode", id, code, err)
		case id != ver.ID && e.store.Len() != before:
			t.Fatalf("Check(%q, ...) of an unknown id stored %d keys", id, e.store.Len()-before)
		}
		if _, err := e.p.Status(ctx, id); id != ver.ID && !errors.Is(err, verify.ErrNotFound) {
			t.Fatalf("Status(%q) = %v, want ErrNotFound", id, err)
		}
	})
}
