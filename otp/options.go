package otp

import (
	"fmt"
	"time"

	"github.com/phoneverify/verify"
)

// MinSecretLen is the shortest secret New accepts, in bytes: 256 bits.
const MinSecretLen = 32

// config holds what the options set.
type config struct {
	store verify.LimitStore // nil until WithStore; New then makes a MemoryLimiter
	now   func() time.Time
}

// defaults returns the configuration of a Provider given no options.
func defaults() config {
	return config{now: time.Now}
}

// An Option configures a Provider in New.
type Option interface{ apply(*config) error }

type storeOption struct{ s verify.LimitStore }

// WithStore keeps the Provider's state in s: the redislimit module's
// Limiter, so that every instance of an app (each with an otp Provider of
// the same secret) checks the codes any of them sent. Keys start with
// "otp:"; the same store may serve a Verifier's limits. Default: a new
// verify.MemoryLimiter on the Provider's clock, for one instance only.
//
// The store must fail closed: a store that answers a failure as if the
// call had been allowed, with nothing recorded, would let a code work
// twice, lift the cap on wrong codes and undo Cancel. New refuses a
// store whose FailsOpen method reports true, such as a redislimit
// Limiter made WithFailOpen; give otp a Limiter of its own, without
// that option, on the same Redis client. A store that wraps another
// must not fail open either, which New cannot see.
func WithStore(s verify.LimitStore) Option { return storeOption{s} }

// failOpener is a store that can say whether it fails open (redislimit's
// Limiter).
type failOpener interface{ FailsOpen() bool }

func (o storeOption) apply(c *config) error {
	if o.s == nil {
		return fmt.Errorf("%w: otp.WithStore: the store is nil", verify.ErrInvalidOption)
	}
	if f, ok := o.s.(failOpener); ok && f.FailsOpen() {
		return fmt.Errorf("%w: otp.WithStore: the store fails open (allows a call when it fails, recording nothing), which would let a code work twice; give otp a store that fails closed", verify.ErrInvalidOption)
	}
	c.store = o.s
	return nil
}

type clockOption func() time.Time

// WithClock sets the clock that decides when a code was made and when it
// expires, for tests. A store that reads a clock of its own, such as a
// verify.MemoryLimiter's Now, must read the same one. Default: time.Now.
func WithClock(now func() time.Time) Option { return clockOption(now) }

func (o clockOption) apply(c *config) error {
	if o == nil {
		return fmt.Errorf("%w: otp.WithClock: the clock is nil", verify.ErrInvalidOption)
	}
	c.now = o
	return nil
}
