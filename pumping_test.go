package verify_test

// The SMS-pumping guard: its arithmetic, and what it logs.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// Each verified check gives the range 100/verifiedPercent more starts:
// with 50 %, two verified of three starts allow 3 + 2 × 2 = 7 in all,
// and the warning gives the rate.
func TestPumpingGuardCreditsVerifiedChecks(t *testing.T) {
	v, p, c, log, _ := pumpingVerifier(t, verify.WithPumpingGuard(3, 50, time.Hour))
	ctx := context.Background()
	start := func(i int) (*verify.Verification, error) {
		return v.Start(ctx, fmt.Sprintf("+3161234%04d", i))
	}
	for i := range 3 {
		ver, err := start(i)
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		if i < 2 {
			code, _ := p.LastCode(ver.Phone)
			if _, err := v.Check(ctx, ver.ID, code); err != nil {
				t.Fatal(err)
			}
		}
		c.Advance(time.Minute)
	}
	for i := 3; i < 7; i++ {
		if _, err := start(i); err != nil {
			t.Fatalf("start %d of a range with 2 verified: %v", i+1, err)
		}
	}
	if _, err := start(7); !errors.Is(err, verify.ErrSuspectedPumping) {
		t.Fatalf("start 8 of a range with 2 verified: %v; want ErrSuspectedPumping", err)
	}
	if want := `starts=7 verified=2 verified_rate=28.6%`; !strings.Contains(log.String(), want) {
		t.Fatalf("log:\n%s\nwant %s", log, want)
	}
}

// With the SMS-pumping guard off, a verified check records nothing for
// it, and so has nothing to warn about.
func TestPumpingGuardOffRecordsNothing(t *testing.T) {
	v, p, _, log, _ := pumpingVerifier(t, verify.WithPumpingGuard(0, 0, 0), verify.WithFailureThrottle(0, 0))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := p.LastCode(ver.Phone)
	if ver, err := v.Check(ctx, ver.ID, code); err != nil || !ver.Verified() {
		t.Fatalf("check: %v", err)
	}
	if strings.Contains(log.String(), "level=WARN") {
		t.Fatalf("warnings with the guard off:\n%s", log)
	}
}

// When the limiter cannot count a tripped range's starts, the warning
// still comes, with -1 for what it could not count.
func TestPumpingWarningWithoutCounts(t *testing.T) {
	var log bytes.Buffer
	v, err := verify.New(fake.New(), verify.WithPumpingGuard(2, 50, time.Hour), verify.WithFailureThrottle(0, 0),
		verify.WithLimiter(&flaky{MemoryLimiter: &verify.MemoryLimiter{}, count: true}),
		verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		_, err = v.Start(context.Background(), fmt.Sprintf("+3161234%04d", i))
	}
	if !errors.Is(err, verify.ErrSuspectedPumping) {
		t.Fatalf("third start: %v; want ErrSuspectedPumping", err)
	}
	if want := `range="+31 61234" region=NL starts=-1 verified=-1 verified_rate=0.0%`; !strings.Contains(log.String(), want) {
		t.Fatalf("log:\n%s\nwant %s", &log, want)
	}
}
