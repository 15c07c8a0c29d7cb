package verify

import (
	"context"
	"time"
)

// Limiter counts events per key in a sliding window. A Verifier asks it
// before every Start (per number, per client, globally) and every Check
// (per verification), so that abuse is refused before it costs money. The
// default is an in-memory Limiter; the redislimit module shares one set of
// limits between app instances.
//
// Allow records one event for key and returns ok when, with it, no more
// than limit events fall within the last window. When they would not, it
// records nothing, returns ok false, and retryAfter says how long until
// the oldest counted event leaves the window. An error means the limiter
// itself failed; a Verifier then refuses the call with ErrUnavailable.
//
// Implementations must be safe for concurrent use, and exact under
// concurrency: with limit n, n concurrent calls for one key are allowed
// and the rest refused.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}
