package http_test

import (
	"errors"
	"testing"

	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
)

// TestFailureMethods: a Failure reads as its code and cause, and rounds
// its wait up to whole minutes, so a page never says "0 minutes" while the
// user must still wait.
func TestFailureMethods(t *testing.T) {
	cause := errors.New("upstream said no")
	got, want := (&verifyhttp.Failure{Code: verifyhttp.Unavailable, Err: cause}).Error(), "verifyhttp: unavailable: upstream said no"
	assert.Equalf(t, want, got, "Error() = %q, want %q", got, want)
	got, want = (&verifyhttp.Failure{Code: verifyhttp.SessionInvalid}).Error(), "verifyhttp: session_invalid"
	assert.Equalf(t, want, got, "Error() = %q, want %q", got, want)
	for _, tt := range []struct{ seconds, minutes int }{{0, 0}, {1, 1}, {59, 1}, {60, 1}, {61, 2}, {3600, 60}} {
		got := (&verifyhttp.Failure{Code: verifyhttp.RateLimited, RetryAfter: tt.seconds}).RetryAfterMinutes()
		assert.Equalf(t, tt.minutes, got, "RetryAfter %d s: RetryAfterMinutes() = %d, want %d", tt.seconds, got, tt.minutes)
	}
}
