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
// Give every instance a Limiter over the same Redis and the same prefix.
// Over a Redis Cluster (a *redis.ClusterClient) or a Ring, give a prefix
// with a hash tag, such as "{phoneverify}:", so that every key lives on
// one shard: New refuses one without.
//
// # Semantics
//
// The Limiter is a verify.LimitStore: besides Allow, it takes all of a
// start's limits at once (AllowAll), counts without recording (Count),
// and keeps values (Put, Get, Forget), so that a Verifier's all-or-nothing
// starts, its SMS-pumping guard and its throttle on failed checks hold
// across every instance. It implements every field of verify.Limit: the
// credit of a limit, and a throttle's backoff, decided in the same script
// that records the event, so parallel checks cannot pass the throttle.
//
// Limits are exact sliding windows, as verify.Limiter requires: with limit
// n and window w, at most n events for a key fall within any span of
// length w, also under any concurrency, because each call is one atomic
// Lua script. (A token bucket or GCRA, such as go-redis/redis_rate, lets a
// burst of n plus a steady refill through, so up to about 2n events in a
// window: not what a cost cap of 1000 a day promises.) A refused call
// records nothing, under any of its keys.
//
// # Cost
//
// A start's limits take one round trip, whatever their number: one
// script that reads every key with one MGET and writes each back with
// one SET. BenchmarkStartVsPing interleaves a PING and a start's limits
// in every iteration against a local redis-server, so that the ratio
// holds while the machine's load changes. It takes the limits a Verifier
// passes to AllowAll, so the figures follow the Verifier's defaults: with
// the default options, a start from an IPv6 client takes six limits over
// nine keys (client, network, cooldown, number, the number's range and
// the network's share of it, and three keys of verified checks that
// credit them). Measured on 2026-12-04 (Redis 7.0 on a 2-vCPU VM with
// little else running; 15 runs of 4,000 iterations each):
//
//	a start's limits, by one PING                       runs   median   range        runs ≤ 1.5×
//	default options, IPv6 client (six limits)           15     1.74×    1.63–2.25×   0
//	every limit (the same and a global limit)           15     1.82×    1.74–2.52×   0
//	a script of the same commands only (TIME, MGET, a
//	SET per limit) on the same keys: the floor          15     1.53×    1.42–2.05×   5
//	the default six limits, one Allow each              15     7.7×     7.4–8.6×
//
// The target of 1.5× a PING set when the script was written (then five
// limits over six keys: 1.41×) is not met since the start's limits grew:
// the commands alone now cost 1.53×, as each key needs its own write
// with its own expiry, and exact windows on the server's clock need TIME
// and a read of every key. The script's own work (reading the limits,
// finding each window's start, the credits, packing the times) adds
// about 0.2× to that floor.
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
// "global", ...) is stored under prefix+key (default prefix
// "phoneverify:"). A key with events is a string of their times, oldest
// first, each the server time in microseconds since the Unix epoch as a
// big-endian IEEE 754 double (8 bytes). It holds only the events within
// its window, at most its limit of them, and expires when its newest
// event leaves the window, so Redis memory stays bounded without any
// cleanup. Values (Put) are plain strings with their own expiry. Keys
// written by earlier versions (sorted sets) read as empty and are
// overwritten: upgrading forgets the counts of the current windows once.
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
