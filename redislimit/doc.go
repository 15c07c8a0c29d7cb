// Package redislimit provides a verify.Limiter backed by Redis, so that
// several instances of an app share one set of rate limits: with a
// per-number limit of 5 an hour, a number gets 5 calls an hour in all, not
// 5 from each instance behind the load balancer.
//
// It lives in a module of its own so that the core library does not
// depend on a Redis client. Its go.mod has a replace directive pointing at
// the parent folder; it is there for development inside this repository
// only, and has no effect when the module is required from elsewhere.
//
// # Usage
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	lim, err := redislimit.New(rdb)
//	if err != nil {
//		return err
//	}
//	v, err := verify.New(provider,
//		verify.WithLimiter(lim),
//		verify.WithGlobalLimit(1000, 24*time.Hour),
//	)
//
// Give every instance a Limiter over the same Redis (or Redis Cluster,
// through a *redis.ClusterClient) and the same prefix.
//
// # Semantics
//
// Limits are exact sliding windows, as verify.Limiter requires: with limit
// n and window w, at most n events for a key fall within any span of
// length w, also under any concurrency, because each Allow is one atomic
// Lua script. (A token bucket or GCRA, such as go-redis/redis_rate, lets a
// burst of n plus a steady refill through, so up to about 2n events in a
// window: not what a cost cap of 1000 a day promises.) A refused call
// records nothing.
//
// # Failure
//
// When Redis fails — unreachable, timing out, answering with an error —
// Allow fails closed by default: it returns the error, and a Verifier
// refuses the call with verify.ErrUnavailable. No verification can start
// while Redis is down, but nobody can run up the bill either.
// WithFailOpen allows calls instead, logging each failure to the logger
// given with WithLogger. How long a failing call takes is set by the
// client's own options (DialTimeout, ReadTimeout, MaxRetries) and by the
// context.
//
// Two failure modes bend the count, in opposite directions. A call whose
// reply was lost and that the client retries may be counted twice. And
// Redis replicates asynchronously: after a failover to a replica, the
// events it had not yet received are forgotten, so a limit may let up to
// that many more through.
//
// # Keys
//
// Each key the Verifier passes ("number:+31612345678", "client:192.0.2.1",
// "global", ...) is stored as one sorted set named prefix+key (default
// prefix "phoneverify:"), holding one member per recorded event, scored by
// its time in microseconds since the Unix epoch. A key holds at most limit
// members (events that left the window are trimmed once it is full) and
// expires when its newest event leaves the window, so Redis memory stays
// bounded without any cleanup. Each key is a single Redis Cluster slot.
//
// # Clock
//
// Event times come from the Redis server's clock (the TIME command inside
// the script), not from the app instances' clocks. Instances whose clocks
// disagree therefore still count against one timeline, and no instance can
// shorten or stretch a window for the others. The consequence is that the
// window cannot be driven by a fake clock in tests: use a short window, or
// the in-memory verify.MemoryLimiter with its Now field. Redis 3.2 or later
// is required.
package redislimit
