package verify_test

// Errors: what their messages say.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/phoneverify/verify"
)

func TestRateLimitErrorText(t *testing.T) {
	for _, tt := range []struct {
		err  verify.RateLimitError
		want string
	}{
		{verify.RateLimitError{Limit: "global_limit"}, "verify: rate limited (global_limit)"},
		{verify.RateLimitError{}, "verify: rate limited"},
		// Whole seconds stay as they are; a part of a second rounds up,
		// never down to a "retry after 0s" that would fail again.
		{verify.RateLimitError{RetryAfter: time.Second}, "verify: rate limited: retry after 1s"},
		{verify.RateLimitError{RetryAfter: time.Minute, Limit: "x"}, "verify: rate limited (x): retry after 1m0s"},
		{verify.RateLimitError{RetryAfter: 1500 * time.Millisecond}, "verify: rate limited: retry after 2s"},
		{verify.RateLimitError{RetryAfter: time.Nanosecond}, "verify: rate limited: retry after 1s"},
	} {
		assert.Equal(t, tt.want, tt.err.Error(), "%+v", tt.err)
	}
}
