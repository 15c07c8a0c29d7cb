package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/redislimit"
)

// Every app instance builds its Verifier the same way, over the same
// Redis, so that the limits hold across all of them. (The example has no
// output to check because it needs a running Redis.)
func Example() {
	rdb := redis.NewClient(&redis.Options{
		Addr:        "127.0.0.1:6379",
		DialTimeout: time.Second, // how long Allow may wait when Redis is down
		ReadTimeout: time.Second,
	})
	defer rdb.Close()

	lim, err := redislimit.New(rdb)
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(fake.New(), // messagebird.New(...) in production
		verify.WithLimiter(lim),
		verify.WithNumberLimit(5, time.Hour),
		verify.WithGlobalLimit(1000, 24*time.Hour),
	)
	if err != nil {
		log.Fatal(err)
	}

	_, err = v.Start(context.Background(), "+31612345678")
	var rle *verify.RateLimitError
	switch {
	case errors.As(err, &rle):
		fmt.Printf("too many attempts, try again in %s\n", rle.RetryAfter.Round(time.Second))
	case errors.Is(err, verify.ErrUnavailable):
		fmt.Println("verification is unavailable (is Redis down?)")
	case err != nil:
		fmt.Println(err)
	}
}

// Failing open keeps verification working while Redis is down, without
// any limit until it is back; each failure is logged.
func ExampleWithFailOpen() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	lim, err := redislimit.New(rdb,
		redislimit.WithPrefix("myapp:verify:"),
		redislimit.WithFailOpen(),
		redislimit.WithLogger(slog.Default()),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = lim // pass to verify.WithLimiter
}
