package redislimit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/phoneverify/verify"
)

// DefaultPrefix is the prefix of every key a Limiter writes, unless
// WithPrefix sets another.
const DefaultPrefix = "phoneverify:"

// allowScript records one event under every key of KEYS[1..ARGV[1]]
// when each one's limit allows it, and nothing otherwise: all of a
// start's limits in one round trip. Times are Redis's own clock, in
// microseconds since the Unix epoch (exact in a double until the year
// 2255).
//
// Each key is a string of the times of its events within its window,
// oldest first, each a big-endian IEEE 754 double of 8 bytes. One MGET
// reads every key, a binary search finds where each window starts, and
// one SET with PX per key writes it back trimmed of the events that left
// the window, with the new event appended, expiring when that event
// leaves the window. So a call costs 2 + (number of keys) commands,
// against three or four per key for sorted sets: Lua's cost per command
// dominates a script's time. The key of a plain limit never holds more
// events than its limit; that of a throttle (a backoff) holds its
// window's. Should the server's clock step back, an event is stamped with
// the key's newest time instead, so that each key stays sorted.
//
// ARGV[1] holds the limits' numbers, six big-endian doubles of 8 bytes
// a limit: the limit, the window in microseconds, the index in KEYS of its
// credit key (0 for none), the credit factor, the backoff and the longest
// wait in microseconds (0 and 0 for a plain limit); one struct.unpack
// reads them all, where a tonumber per argument would cost a third of the
// script. ARGV[1 + i] is the window of limit i in milliseconds, in
// decimal: the key's time to live, passed to SET as it is. With a credit
// key, the limit is raised by floor(factor × events of the credit key in
// the window). With a backoff, the limit is a throttle (see verify.Limit):
// once the window holds limit events, the next must come backoff after
// the newest, doubled for each event beyond limit + 1, up to the longest
// wait; such a key keeps every event of its window.
//
// It returns {-1, 0} when every event was recorded, and otherwise
// {i, wait}: the 0-based index of the first limit that refused and how
// many microseconds (at least 1) until it would allow one more event.
//
// TIME is not deterministic: Redis 3.2 to 4 accept writes after it only
// once redis.replicate_commands() is called. Redis 5 and later replicate
// script effects by default; Redis 7, which says its version in
// REDIS_VERSION_NUM, ignores the call, which is then skipped.
const allowScript = `
if not redis.REDIS_VERSION_NUM and redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local m = #ARGV - 1
local p = {struct.unpack('>' .. string.rep('d', 6 * m), ARGV[1])}
local vals = redis.call('MGET', unpack(KEYS))
` + afterLua + `local keep = {}
for i = 1, m do
  local a = (i - 1) * 6
  local limit, window = p[a + 1], p[a + 2]
  local s = vals[i] or ''
  local f, n = after(s, now - window)
  local ci = p[a + 3]
  if ci > 0 then
    local cf, cn = after(vals[ci] or '', now - window)
    limit = limit + math.floor(p[a + 4] * (cn - cf + 1))
  end
  local count, backoff, longest = n - f + 1, p[a + 5], p[a + 6]
  if backoff > 0 then
    if count > 0 and count >= limit then
      local wait = backoff
      for _ = limit + 1, count do
        if wait >= longest then break end
        wait = wait * 2
      end
      wait = math.min(wait, longest)
      local newest = struct.unpack('>d', s, n * 8 - 7)
      if newest + wait > now then
        return {i - 1, math.max(newest + wait - now, 1)}
      end
    end
  elseif count >= limit then
    local oldest = struct.unpack('>d', s, (n - limit) * 8 + 1)
    return {i - 1, math.max(oldest + window - now, 1)}
  end
  keep[i] = string.sub(s, f * 8 - 7)
end
for i = 1, m do
  local s, ts = keep[i], now
  if #s >= 8 then ts = math.max(now, struct.unpack('>d', s, #s - 7)) end
  redis.call('SET', KEYS[i], s .. struct.pack('>d', ts), 'PX', ARGV[1 + i])
end
return {-1, 0}
`

// afterLua defines after(s, start), which returns the 1-based index of
// the first event of s, a string in the layout of allowScript, later
// than start (one past the last when none is), and the number of events
// in s: a binary search, the events being sorted.
const afterLua = `local function after(s, start)
  local n = #s / 8
  local lo, hi = 1, n + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if struct.unpack('>d', s, mid * 8 - 7) > start then hi = mid else lo = mid + 1 end
  end
  return lo, n
end
`

// countScript returns, for each key of KEYS, how many of its events fall
// within the last ARGV[1] microseconds, in the layout of allowScript.
const countScript = `
local t = redis.call('TIME')
local start = tonumber(t[1]) * 1000000 + tonumber(t[2]) - tonumber(ARGV[1])
local vals = redis.call('MGET', unpack(KEYS))
` + afterLua + `local counts = {}
for i = 1, #KEYS do
  local f, n = after(vals[i] or '', start)
  counts[i] = n - f + 1
end
return counts
`

// Limiter is a verify.Limiter (and verify.LimitStore) that keeps its
// counts in Redis, so that every app instance using the same Redis shares
// one set of limits, the SMS-pumping guard's counts and the failed checks
// of every number. It is safe for concurrent use and exact under
// concurrency: each call is one atomic Lua script.
type Limiter struct {
	client   redis.UniversalClient
	allow    *redis.Script
	count    *redis.Script
	prefix   string
	failOpen bool
	logger   *slog.Logger
}

var (
	_ verify.Limiter    = (*Limiter)(nil)
	_ verify.LimitStore = (*Limiter)(nil)
)

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
// "phoneverify:". The empty prefix is allowed. Over a Redis Cluster or a
// Ring, the prefix must hold a hash tag, such as "{phoneverify}:", so
// that every key lives on one shard: AllowAll takes a start's limits in
// one script over several keys.
func WithPrefix(prefix string) Option  { return prefixOption(prefix) }
func (o prefixOption) apply(c *config) { c.prefix = string(o) }

type failOpenOption struct{}

// WithFailOpen makes the Limiter allow a call when Redis fails
// (unreachable, timing out, answering with an error), logging the
// failure if a logger is given, instead of returning the error: Allow
// and AllowAll allow, Count counts nothing, Get finds nothing, Put and
// Forget do nothing. Default: fail closed — the error is returned, and a
// Verifier refuses the call with verify.ErrUnavailable. Failing open
// keeps verification working while Redis is down, at the price of no
// rate limits — nor any cap on cost — until it is back. A canceled or
// expired context still fails.
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
// other redis.UniversalClient (a Cluster or Ring needs a prefix with a
// hash tag; see WithPrefix). The client's own settings (timeouts,
// retries, pool size) apply to every call. New does not contact Redis.
// It returns an error matching verify.ErrInvalidOption when client or an
// option is nil, or when a Cluster or Ring client has a prefix without a
// hash tag.
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
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		if !hasHashTag(c.prefix) {
			return nil, fmt.Errorf("%w: redislimit.New: over a Redis Cluster or Ring, the prefix %q needs a hash tag, such as WithPrefix(%q)",
				verify.ErrInvalidOption, c.prefix, "{phoneverify}:")
		}
	}
	return &Limiter{
		client:   client,
		allow:    redis.NewScript(allowScript),
		count:    redis.NewScript(countScript),
		prefix:   c.prefix,
		failOpen: c.failOpen,
		logger:   c.logger,
	}, nil
}

// hasHashTag reports whether every key with prefix hashes by a tag in
// the prefix: a "{" followed by a non-empty tag and "}".
func hasHashTag(prefix string) bool {
	_, after, ok := strings.Cut(prefix, "{")
	end := strings.IndexByte(after, '}')
	return ok && end > 0
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
	refused, retry, err := l.AllowAll(ctx, []verify.Limit{{Key: key, N: limit, Per: window}})
	return refused < 0 && err == nil, retry, err
}

// AllowAll implements verify.LimitStore: one round trip, one script,
// whatever the number of limits. Their keys must be distinct.
func (l *Limiter) AllowAll(ctx context.Context, limits []verify.Limit) (int, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return -1, 0, err
	}
	if len(limits) == 0 {
		return -1, 0, nil
	}
	keys := make([]string, len(limits), len(limits)+1)
	nums := make([]byte, 0, 48*len(limits))
	args := make([]any, 1, 1+len(limits))
	for i, lim := range limits {
		if lim.N <= 0 || lim.Per <= 0 || lim.Credit < 0 || math.IsNaN(lim.Credit) || math.IsInf(lim.Credit, 0) ||
			lim.Backoff < 0 || lim.Backoff > 0 && lim.Longest < lim.Backoff {
			return -1, 0, fmt.Errorf("%w: redislimit: limit %d per %s (backoff %s, longest %s)", verify.ErrInvalidOption, lim.N, lim.Per, lim.Backoff, lim.Longest)
		}
		keys[i] = l.prefix + lim.Key
		credit := 0
		if lim.CreditKey != "" {
			keys = append(keys, l.prefix+lim.CreditKey)
			credit = len(keys)
		}
		var backoff, longest int64
		if lim.Backoff > 0 {
			backoff, longest = ceilDiv(lim.Backoff, time.Microsecond), ceilDiv(lim.Longest, time.Microsecond)
		}
		for _, x := range [...]float64{float64(lim.N), float64(ceilDiv(lim.Per, time.Microsecond)), float64(credit), lim.Credit, float64(backoff), float64(longest)} {
			nums = binary.BigEndian.AppendUint64(nums, math.Float64bits(x))
		}
		args = append(args, ceilDiv(lim.Per, time.Millisecond))
	}
	args[0] = nums
	reply, err := l.allow.Run(ctx, l.client, keys, args...).Int64Slice()
	if err == nil && (len(reply) != 2 || reply[0] < -1 || reply[0] >= int64(len(limits)) || reply[0] >= 0 && reply[1] <= 0) {
		err = fmt.Errorf("unexpected reply %v", reply)
	}
	if err != nil {
		return -1, 0, l.fail(ctx, limits[0].Key, err)
	}
	if reply[0] < 0 {
		return -1, 0, nil
	}
	lim := limits[reply[0]]
	// The wait cannot exceed the window, or a throttle's longest wait
	// (but for the server's clock stepping back); clamping also keeps the
	// longest windows, beyond a double's exact range, from overflowing.
	longest := max(lim.Per, lim.Longest)
	if wait := reply[1]; wait < ceilDiv(longest, time.Microsecond) {
		return int(reply[0]), time.Duration(wait) * time.Microsecond, nil
	}
	return int(reply[0]), longest, nil
}

// Count implements verify.LimitStore.
func (l *Limiter) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if window <= 0 {
		return nil, fmt.Errorf("%w: redislimit: window %s", verify.ErrInvalidOption, window)
	}
	counts := make([]int, len(keys))
	if len(keys) == 0 {
		return counts, nil
	}
	reply, err := l.count.Run(ctx, l.client, l.prefixed(keys), ceilDiv(window, time.Microsecond)).Int64Slice()
	if err == nil && len(reply) != len(keys) {
		err = fmt.Errorf("unexpected reply %v", reply)
	}
	if err != nil {
		if err := l.fail(ctx, keys[0], err); err != nil {
			return nil, err
		}
		return counts, nil
	}
	for i, n := range reply {
		counts[i] = int(n)
	}
	return counts, nil
}

// Forget implements verify.LimitStore.
func (l *Limiter) Forget(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	if err := l.client.Del(ctx, l.prefixed(keys)...).Err(); err != nil {
		return l.fail(ctx, keys[0], err)
	}
	return nil
}

// Put implements verify.LimitStore, with a ttl in whole milliseconds,
// rounded up.
func (l *Limiter) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("%w: redislimit: ttl %s", verify.ErrInvalidOption, ttl)
	}
	if err := l.client.Set(ctx, l.prefix+key, value, time.Duration(ceilDiv(ttl, time.Millisecond))*time.Millisecond).Err(); err != nil {
		return l.fail(ctx, key, err)
	}
	return nil
}

// Get implements verify.LimitStore.
func (l *Limiter) Get(ctx context.Context, key string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	v, err := l.client.Get(ctx, l.prefix+key).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, l.fail(ctx, key, err)
	}
	return v, true, nil
}

// prefixed returns keys, each with the Limiter's prefix.
func (l *Limiter) prefixed(keys []string) []string {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = l.prefix + k
	}
	return full
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

// fail handles a Redis error: it returns it, or, failing open, logs it
// and returns nil, for the caller to allow.
func (l *Limiter) fail(ctx context.Context, key string, err error) error {
	err = fmt.Errorf("redislimit: %w", err)
	if !l.failOpen || ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if l.logger != nil {
		kind, _, _ := strings.Cut(key, ":")
		l.logger.LogAttrs(ctx, slog.LevelWarn, "redislimit: Redis failed; allowing (fail open)",
			slog.String("kind", kind), slog.String("error", err.Error()))
	}
	return nil
}

// FailsOpen reports whether the Limiter was made WithFailOpen: whether a
// Redis failure lets a call through as if it had been allowed, with
// nothing recorded. A store that fails open cannot hold state that must
// not be lost, such as the otp package's single-use codes, and otp.New
// refuses one.
func (l *Limiter) FailsOpen() bool { return l.failOpen }
