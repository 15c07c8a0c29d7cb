// Package otp is a verify.Provider that makes and checks the one-time
// codes itself, and has any verify.Sender deliver them: a plain SMS or
// voice API rather than a vendor's hosted Verify API. So verification keeps
// working with whichever messaging vendor an app has, behind
// verify.Failover as a second provider, or on a Bird account without
// the classic Verify API; and a verification costs one message or call.
//
//	// Any verify.Sender: the fake one here, which records what it
//	// would send; the Sender of a messaging API in production.
//	sender := fake.NewSender()
//	// One Redis for every instance of the app: a code sent by one
//	// checks on any other. The store must fail closed (no
//	// redislimit.WithFailOpen): New refuses one that fails open.
//	store, err := redislimit.New(redis.NewClient(&redis.Options{Addr: "localhost:6379"}))
//	if err != nil {
//		return err
//	}
//	// 32 random bytes or more, the same on every instance, kept
//	// like an access key (such as: openssl rand -base64 32).
//	secret, err := base64.StdEncoding.DecodeString(os.Getenv("OTP_SECRET"))
//	if err != nil {
//		return err
//	}
//	p, err := otp.New(sender, secret, otp.WithStore(store))
//	if err != nil {
//		return err
//	}
//	v, err := verify.New(p, verify.WithLimiter(store))
//	// ... v.Start and v.Check as with any provider.
//
// It keeps the semantics of the hosted APIs, and passes the verifytest
// suite: a code works once, MaxAttempts wrong codes fail the
// verification, it expires after its validity, Cancel kills it, and an
// unknown, expired or used verification gives the same errors. A call
// reads the code digit by digit ("1, 2, 3, 4, 5, 6"), never as a number.
//
// No code is kept anywhere: the store holds an HMAC-SHA-256 of each code,
// bound to its verification, under a key derived from the secret, and
// keys each verification by an HMAC of its id rather than the id; see
// SECURITY.md for what that protects against, which assumes a secret of
// 32 or more random bytes (New checks only the length). State lives in
// a verify.LimitStore (WithStore), and every change of it is one atomic
// call of the store, so that any number of instances and concurrent
// checks keep single use and the cap on attempts, as long as the store
// fails closed and loses nothing it wrote (for Redis: maxmemory-policy
// noeviction; see SECURITY.md).
//
// Cost: BenchmarkStartCheck, a Start and a Check through a Verifier,
// takes about 2.2 times as long over otp, the fake Sender and a
// MemoryLimiter as over the fake Provider, with 2.9 times the
// allocations (169 against 58): about 110 µs against 50 µs, where a
// real message takes 100 ms or more. (Median ratio 2.25 of 10 pairs of
// runs, each side in a process of its own, the two taking turns to go
// first, on a 2-core machine shared with other work: ratios 1.72 to
// 3.07; 2026-12-04.)
package otp
