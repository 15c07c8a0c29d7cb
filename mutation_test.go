package verify_test

// Tests that pin down rules a mutation run found unpinned: the edges of
// character classes, the wording of errors, the arithmetic of the
// SMS-pumping guard and what a failing limiter leaves in the log.

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
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.err, got, tt.want)
		}
	}
}

// Every ASCII letter and digit is allowed where letters and digits are,
// the first and last of each class included.
func TestLetterAndDigitEdges(t *testing.T) {
	for _, opt := range []verify.Option{
		verify.WithReference("09azAZ"),
		verify.WithOriginator("Z9a0Az"),
		verify.WithWebOrigin("https://z09-a.example"),
	} {
		if _, err := verify.New(fake.New(), opt); err != nil {
			t.Errorf("%v", err)
		}
	}
	for _, opt := range []verify.Option{
		verify.WithReference("a/b"), verify.WithReference("a:b"), verify.WithReference("a@b"),
		verify.WithReference("a[b"), verify.WithReference("a`b"), verify.WithReference("a{b"),
		verify.WithWebOrigin("https://a/b.example"), verify.WithWebOrigin("https://a:b.example"),
		verify.WithWebOrigin("https://a_b.example"), verify.WithWebOrigin("https://a{b.example"),
	} {
		if _, err := verify.New(fake.New(), opt); !errors.Is(err, verify.ErrInvalidOption) {
			t.Errorf("New: %v; want ErrInvalidOption", err)
		}
	}
}

func TestWebOriginHostLength(t *testing.T) {
	label := strings.Repeat("a", 63)
	host := label + "." + label + "." + label + "." + strings.Repeat("b", 61)
	if len(host) != 253 {
		t.Fatalf("host of %d characters", len(host))
	}
	if _, err := verify.New(fake.New(), verify.WithWebOrigin("https://"+host)); err != nil {
		t.Errorf("a host of 253 characters: %v", err)
	}
	if _, err := verify.New(fake.New(), verify.WithWebOrigin("https://b"+host)); !errors.Is(err, verify.ErrInvalidOption) {
		t.Errorf("a host of 254 characters: %v; want ErrInvalidOption", err)
	}
}

// An error about a long template quotes its start only.
func TestLongTemplateErrorIsShort(t *testing.T) {
	tmpl := "%token " + strings.Repeat("long text ", 100)
	_, err := verify.New(fake.New(), verify.WithTemplate(tmpl))
	if !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), `"%token long text lon..."`) || len(err.Error()) > 200 {
		t.Fatalf("error %q; want ErrInvalidOption quoting the first 20 bytes", err)
	}
}

func TestPumpingGuardNeedsAWindow(t *testing.T) {
	for _, per := range []time.Duration{0, -time.Second} {
		if _, err := verify.New(fake.New(), verify.WithPumpingGuard(10, 10, per)); !errors.Is(err, verify.ErrInvalidOption) {
			t.Errorf("WithPumpingGuard(10, 10, %s): %v; want ErrInvalidOption", per, err)
		}
	}
}

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

// An IPv6 /48 given as the client key counts against its network's
// budget, as a /64 of it does.
func TestNetworkLimitCountsA48(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientNetworkLimit(1, time.Hour))
	ctx := context.Background()
	if _, err := v.Start(ctx, "+31612345601", verify.WithClientKey("2001:db8:1::/48")); err != nil {
		t.Fatal(err)
	}
	_, err := v.Start(ctx, "+31612345602", verify.WithClientKey("2001:db8:1:5::/64"))
	wantRateLimited(t, err, "network_limit", time.Hour)
}

func TestNetworkLimitOff(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientNetworkLimit(0, 0))
	for i := range 3 {
		if _, err := v.Start(context.Background(), fmt.Sprintf("+3161234560%d", i), verify.WithClientKey(fmt.Sprintf("2001:db8:1:%d::/64", i))); err != nil {
			t.Fatalf("start %d with the per-network limit off: %v", i, err)
		}
	}
}

// flaky is a MemoryLimiter whose bookkeeping calls fail on demand, while
// AllowAll, which decides starts and checks, works.
type flaky struct {
	*verify.MemoryLimiter
	put, allow, forget, count bool
}

var errFlaky = errors.New("limiter down")

func (f *flaky) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if f.put {
		return errFlaky
	}
	return f.MemoryLimiter.Put(ctx, key, value, ttl)
}

func (f *flaky) Allow(ctx context.Context, key string, n int, per time.Duration) (bool, time.Duration, error) {
	if f.allow {
		return false, 0, errFlaky
	}
	return f.MemoryLimiter.Allow(ctx, key, n, per)
}

func (f *flaky) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	if f.count {
		return nil, errFlaky
	}
	return f.MemoryLimiter.Count(ctx, window, keys...)
}

func (f *flaky) Forget(ctx context.Context, keys ...string) error {
	if f.forget {
		return errFlaky
	}
	return f.MemoryLimiter.Forget(ctx, keys...)
}

// A limiter that fails to record a verification or a verified number leaves the call's outcome as it was and a warning in
// the log, when there is one; without a log, it is silent.
func TestLimiterBookkeepingFailuresAreLogged(t *testing.T) {
	for _, tt := range []struct {
		name               string
		put, allow, forget bool
		want               string
	}{
		{"put", true, false, false, "limiter failed to remember a verification"},
		{"allow", false, true, false, "limiter failed to record a verified number"},
		{"forget", false, false, true, "limiter failed to record a verified number"},
	} {
		for _, logged := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/logged=%v", tt.name, logged), func(t *testing.T) {
				var log bytes.Buffer
				p := fake.New()
				opts := []verify.Option{verify.WithLimiter(&flaky{MemoryLimiter: &verify.MemoryLimiter{}, put: tt.put, allow: tt.allow, forget: tt.forget})}
				if logged {
					opts = append(opts, verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
				}
				v, err := verify.New(p, opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				ver, err := v.Start(ctx, "+31612345678")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v.Check(ctx, ver.ID, "000000"); !errors.Is(err, verify.ErrInvalidCode) {
					t.Fatalf("wrong code: %v", err)
				}
				code, _ := p.LastCode("+31612345678")
				if ver, err := v.Check(ctx, ver.ID, code); err != nil || !ver.Verified() {
					t.Fatalf("right code: %v", err)
				}
				out := log.String()
				if logged && (!strings.Contains(out, "level=WARN") || !strings.Contains(out, tt.want) || !strings.Contains(out, "limiter down")) {
					t.Fatalf("log:\n%s\nwant a warning %q", out, tt.want)
				}
				if !logged && out != "" {
					t.Fatalf("printed without a logger: %s", out)
				}
			})
		}
	}
}

// A full MemoryLimiter forgets expired keys before it evicts a live one:
// a key still in its window keeps its count.
func TestFullMemoryLimiterSweepsBeforeEvicting(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 3}
	ctx := context.Background()
	l.Allow(ctx, "live", 1, time.Hour)
	l.Allow(ctx, "a", 1, time.Minute)
	l.Allow(ctx, "b", 1, time.Minute)
	c.Advance(2 * time.Minute)
	if ok, _, err := l.Allow(ctx, "new", 1, time.Hour); !ok || err != nil {
		t.Fatalf("a new key in a full limiter: %v, %v", ok, err)
	}
	if n := l.Len(); n != 2 {
		t.Fatalf("%d keys, want 2: the expired ones swept", n)
	}
	if ok, retry, _ := l.Allow(ctx, "live", 1, time.Hour); ok || retry != 58*time.Minute {
		t.Fatalf("the live key: allowed %v, retry %s; want refused for 58m", ok, retry)
	}
}

// An IPv6 client counts by its network however the caller spells it:
// in capitals, with its zeros written out, or with host bits set.
func TestIPv6ClientKeyIsCanonical(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientLimit(1, time.Hour))
	ctx := context.Background()
	if _, err := v.Start(ctx, "+31612345601", verify.WithClientKey("2001:db8:1::/64")); err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{"2001:DB8:1:0::/64", "2001:db8:1:0:0:0:0:0/64", "2001:db8:1::5/64", "2001:db8:1::5", "2001:db8:1::5/96"} {
		_, err := v.Start(ctx, fmt.Sprintf("+3161234561%d", i), verify.WithClientKey(key))
		wantRateLimited(t, err, "client_limit", time.Hour)
	}
	v, _, _ = limited(t, verify.WithClientLimit(1, time.Hour), verify.WithClientNetworkLimit(100, time.Hour))
	if _, err := v.Start(ctx, "+31612345601", verify.WithClientKey("2001:db8:1::/56")); err != nil {
		t.Fatal(err)
	}
	_, err := v.Start(ctx, "+31612345602", verify.WithClientKey("2001:db8:1:0:ff::/56"))
	wantRateLimited(t, err, "client_limit", time.Hour)
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

// A MemoryLimiter sweeps expired keys when its map has doubled since the
// last sweep, not on every call: the cost of a sweep is shared by as many
// calls as it scans keys. Until then, Len counts the expired keys too.
func TestMemoryLimiterSweepsWhenItHasDoubled(t *testing.T) {
	c := newClock()
	l := &verify.MemoryLimiter{Now: c.Now}
	ctx := context.Background()
	l.Allow(ctx, "short", 1, time.Minute)
	c.Advance(2 * time.Minute)
	for i := range 1023 {
		l.Allow(ctx, fmt.Sprint("k", i), 1, time.Hour)
	}
	if n := l.Len(); n != 1024 {
		t.Fatalf("%d keys, want 1024: the expired one kept until the map reaches 1024", n)
	}
	l.Allow(ctx, "k1023", 1, time.Hour)
	if n := l.Len(); n != 1024 {
		t.Fatalf("%d keys, want 1024: the expired one swept at 1024", n)
	}
	if ok, _, _ := l.Allow(ctx, "short", 1, time.Minute); !ok {
		t.Fatal("an expired key still refuses")
	}
}

// A number of a non-geographic code that is not valid is called not
// valid, not too short or too long: such codes have no example numbers
// to compare its length with.
func TestInvalidNonGeographicNumber(t *testing.T) {
	v := newVerifier(t, &spy{}, verify.WithAnyLineType())
	for _, in := range []string{"+882 12345678901", "+870 123456789012"} {
		var pe *verify.PhoneError
		if _, err := v.Start(context.Background(), in); !errors.As(err, &pe) || pe.Code != "invalid" {
			t.Errorf("Start(%q): %v; want a PhoneError with code invalid", in, err)
		}
	}
}

// wayward is a LimitStore that names a refused limit that is not there.
type wayward struct{ *verify.MemoryLimiter }

func (w wayward) AllowAll(_ context.Context, limits []verify.Limit) (int, time.Duration, error) {
	return len(limits), time.Minute, nil
}

// A LimitStore that answers out of its contract makes the call fail as
// unavailable; it does not panic.
func TestLimitStoreOutOfContract(t *testing.T) {
	v, err := verify.New(fake.New(), verify.WithLimiter(wayward{&verify.MemoryLimiter{}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(context.Background(), "+31612345678"); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Start: %v; want ErrUnavailable", err)
	}
}

// A refused start is logged with the number masked once it is read, and
// with no number at all when it could not be read: the raw input, which
// may be a full number, never reaches the log.
func TestRefusedStartLogsTheMaskedNumberOnly(t *testing.T) {
	var log bytes.Buffer
	v := newVerifier(t, &spy{}, verify.WithDeniedRegions("GB"), verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	ctx := context.Background()
	if _, err := v.Start(ctx, "+447400123456"); err == nil {
		t.Fatal("a denied region was started")
	}
	if out := log.String(); !strings.Contains(out, `msg="verify: start refused"`) || !strings.Contains(out, "phone=+44*******456") {
		t.Fatalf("log:\n%s\nwant the refusal with the number masked", out)
	}
	log.Reset()
	if _, err := v.Start(ctx, "+31 6 1234 5678 9"); err == nil {
		t.Fatal("a number too long was started")
	}
	if out := log.String(); !strings.Contains(out, `msg="verify: start refused"`) || strings.Contains(out, "phone=") {
		t.Fatalf("log:\n%s\nwant the refusal without a phone", out)
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
