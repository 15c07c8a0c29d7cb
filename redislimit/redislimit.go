package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/phoneverify/verify"
)

// DefaultPrefix is the prefix of every key a Limiter writes, unless
// WithPrefix sets another.
const DefaultPrefix = "phoneverify:"

// allowScript records one event for KEYS[1] when fewer than ARGV[1] events
// fall within the last ARGV[2] microseconds, all by Redis's own clock.
//
// KEYS[1] is a sorted set: one member per recorded event, scored by the
// server time of the event in microseconds since the Unix epoch (exact in
// a double until the year 2255). ARGV[3] is the key's time to live in
// milliseconds: the window, rounded up, so that the key vanishes when its
// newest event leaves the window.
//
// While the set holds fewer than limit members, fewer than limit events
// can be in the window, so the event is allowed without trimming. Only a
// full set is trimmed of the events that left the window and
// counted again. So the set never holds more than limit members, and the
// common case costs four commands.
//
// Members are "<seconds>.<micros>:<n>", n being the set's size; should
// that name be taken (two events in one microsecond around a trim, or the
// server's clock stepping back), a suffix makes it unique, so that no
// event is ever lost by overwriting another.
//
// It returns 0 when the event was recorded, and when it was not, how many
// microseconds (at least 1) until enough events leave the window for one
// more to fit.
//
// TIME is not deterministic: Redis 3.2 to 4 accept writes after it only
// once redis.replicate_commands() is called. Redis 5 and later replicate
// script effects by default, and Redis 7 ignores the call.
const allowScript = `
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = redis.call('ZCARD', key)
if n >= limit then
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  n = redis.call('ZCARD', key)
  if n >= limit then
    local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    return math.max(tonumber(oldest[2]) + window - now, 1)
  end
end
local member = t[1] .. '.' .. t[2] .. ':' .. n
if redis.call('ZADD', key, 'NX', now, member) == 0 then
  local i = 0
  repeat i = i + 1 until redis.call('ZADD', key, 'NX', now, member .. '.' .. i) == 1
end
redis.call('PEXPIRE', key, ARGV[3])
return 0
`

// Limiter is a verify.Limiter that keeps its counts in Redis, so that
// every app instance using the same Redis shares one set of limits. It is
// safe for concurrent use and exact under concurrency: each Allow is one
// atomic Lua script.
type Limiter struct {
	client   redis.UniversalClient
	script   *redis.Script
	prefix   string
	failOpen bool
	logger   *slog.Logger
}

var _ verify.Limiter = (*Limiter)(nil)

// config holds what the options set.
type config struct {
	prefix   string
	failOpen bool
	logger   *slog.Logger
}

// defaults returns the configuration of a Limiter given no options.
func defaults() config {
	return config{prefix: DefaultPrefix}
}

// An Option configures a Limiter in New.
type Option interface {
	apply(*config)
}

type prefixOption string

// WithPrefix sets the prefix of every key the Limiter writes, so that
// several applications can share one Redis. Default: DefaultPrefix,
// "phoneverify:". The empty prefix is allowed.
func WithPrefix(prefix string) Option  { return prefixOption(prefix) }
func (o prefixOption) apply(c *config) { c.prefix = string(o) }

type failOpenOption struct{}

// WithFailOpen makes Allow allow a call when Redis fails (unreachable,
// timing out, answering with an error), logging the failure if a logger
// is given, instead of returning the error. Default: fail closed — Allow
// returns the error, and a Verifier refuses the call with
// verify.ErrUnavailable. Failing open keeps verification working while
// Redis is down, at the price of no rate limits — nor any cap on cost —
// until it is back. A canceled or expired context still fails.
func WithFailOpen() Option             { return failOpenOption{} }
func (failOpenOption) apply(c *config) { c.failOpen = true }

type loggerOption struct{ l *slog.Logger }

// WithLogger sets a logger for Redis failures that WithFailOpen lets
// through: one warning each. Keys are not logged, since they may hold
// phone numbers; only their kind ("number", "client", ...), the text
// before their first colon. Default: no logging.
func WithLogger(l *slog.Logger) Option { return loggerOption{l} }
func (o loggerOption) apply(c *config) { c.logger = o.l }

// New returns a Limiter that keeps its counts in the Redis that client
// talks to: a *redis.Client, *redis.ClusterClient, *redis.Ring or any
// other redis.UniversalClient. The client's own settings (timeouts,
// retries, pool size) apply to every Allow. New does not contact Redis.
// It returns an error matching verify.ErrInvalidOption when client or an
// option is nil.
func New(client redis.UniversalClient, opts ...Option) (*Limiter, error) {
	if client == nil || isNilPointer(client) {
		return nil, fmt.Errorf("%w: redislimit.New: client is nil", verify.ErrInvalidOption)
	}
	c := defaults()
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: redislimit.New: nil option", verify.ErrInvalidOption)
		}
		o.apply(&c)
	}
	return &Limiter{
		client:   client,
		script:   redis.NewScript(allowScript),
		prefix:   c.prefix,
		failOpen: c.failOpen,
		logger:   c.logger,
	}, nil
}

// Allow implements verify.Limiter. It records one event for key when, with
// it, at most limit events fall within the last window, as measured by the
// Redis server's clock. When they would not, it records nothing and
// returns false and how long until the oldest counted event leaves the
// window (precisely: until enough have left for one more to fit, which is
// the same when limit does not change between calls for a key).
//
// An error means Redis failed (or, with WithFailOpen, only that ctx is
// done); limit < 1 or window <= 0 gives an error matching
// verify.ErrInvalidOption. Windows are counted in whole microseconds,
// rounded up.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if limit <= 0 || window <= 0 {
		return false, 0, fmt.Errorf("%w: redislimit: limit %d per %s", verify.ErrInvalidOption, limit, window)
	}
	micros, millis := ceilDiv(window, time.Microsecond), ceilDiv(window, time.Millisecond)
	wait, err := l.script.Run(ctx, l.client, []string{l.prefix + key}, limit, micros, millis).Int64()
	if err == nil && wait < 0 {
		err = fmt.Errorf("unexpected reply %d", wait)
	}
	if err != nil {
		return l.fail(ctx, key, err)
	}
	if wait == 0 {
		return true, 0, nil
	}
	// The wait cannot exceed the window (but for the server's clock
	// stepping back); clamping also keeps the longest windows, beyond a
	// double's exact range, from overflowing.
	if wait >= micros {
		return false, window, nil
	}
	return false, time.Duration(wait) * time.Microsecond, nil
}

// isNilPointer reports whether v is a nil pointer in a non-nil interface,
// such as a (*redis.Client)(nil), which would panic on first use.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// ceilDiv returns d/unit rounded up, for d > 0, without overflow.
func ceilDiv(d, unit time.Duration) int64 {
	n := d / unit
	if d%unit != 0 {
		n++
	}
	return int64(n)
}

// fail handles a Redis error: it returns it, or, failing open, allows.
func (l *Limiter) fail(ctx context.Context, key string, err error) (bool, time.Duration, error) {
	err = fmt.Errorf("redislimit: %w", err)
	if !l.failOpen || ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, 0, err
	}
	if l.logger != nil {
		kind, _, _ := strings.Cut(key, ":")
		l.logger.LogAttrs(ctx, slog.LevelWarn, "redislimit: Redis failed; allowing (fail open)",
			slog.String("kind", kind), slog.String("error", err.Error()))
	}
	return true, 0, nil
}
