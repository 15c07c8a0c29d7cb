package verify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// A flood of starts from distinct IPv6 networks fills a small key table;
// neither a user in the middle of a verification nor a new client is
// locked out by it.
func TestFloodCannotLockOut(t *testing.T) {
	for _, tt := range []struct {
		name  string
		phone func(i int) string
	}{
		// The cooldown refuses all but the first: refused starts hold no key.
		{"one number", func(int) string { return "+31612345678" }},
		// Every start allowed, each holding keys: the table overflows.
		{"many numbers", func(i int) string { return fmt.Sprintf("+316%04d0000", 1000+i) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			p := fake.New(fake.WithClock(c.Now))
			l := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 1000}
			v, err := verify.New(p, verify.WithLimiter(l))
			require.NoError(t, err)
			ctx := context.Background()
			user, err := v.Start(ctx, "+31687654321", verify.WithClientKey("192.0.2.1"))
			require.NoError(t, err)
			for i := range 1050 {
				v.Start(ctx, tt.phone(i), verify.WithClientKey(fmt.Sprintf("2001:db8:%x::/64", i)))
				require.LessOrEqual(t, l.Len(), 1000, "the limiter holds more keys than its 1000")
			}
			t.Logf("after the flood: %d keys, %d provider calls", l.Len(), len(p.Messages()))
			_, err = v.Start(ctx, "+31611112222", verify.WithClientKey("192.0.2.2"))
			require.NoError(t, err, "a new client's first start")
			code, _ := p.LastCode("+31687654321")
			ver, err := v.Check(ctx, user.ID, code)
			require.NoError(t, err, "the user's check with the right code")
			assert.True(t, ver.Verified(), "the user's check with the right code")
		})
	}
}

// A start refused by one limit uses up no other: a user who retries while
// the global budget is exhausted can start once it clears.
func TestRefusedStartConsumesNothing(t *testing.T) {
	v, p, c := limited(t, verify.WithGlobalLimit(1, time.Hour), verify.WithClientLimit(3, time.Hour))
	ctx := context.Background()
	_, err := v.Start(ctx, "+31611111111", verify.WithClientKey("198.51.100.1"))
	require.NoError(t, err)
	user := verify.WithClientKey("192.0.2.1")
	for i := range 20 {
		_, err := v.Start(ctx, "+31612345678", user)
		wantRateLimited(t, err, "global_limit", time.Hour-time.Duration(i)*time.Minute)
		c.Advance(time.Minute)
	}
	c.Advance(40 * time.Minute) // the global start has left its hour
	_, err = v.Start(ctx, "+31612345678", user)
	require.NoError(t, err, "the user's start once the global budget cleared")
	assert.Len(t, p.Messages(), 2, "messages")
}

// With a plain Limiter (not a LimitStore), the limits are asked in order
// and a later refusal leaves the earlier ones counted, as documented.
func TestPlainLimiterAsksLimitsInOrder(t *testing.T) {
	c := newClock()
	l := plain{&verify.MemoryLimiter{Now: c.Now}}
	v, err := verify.New(fake.New(fake.WithClock(c.Now)), verify.WithLimiter(l), verify.WithGlobalLimit(1, time.Hour))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = v.Start(ctx, "+31611111111")
	require.NoError(t, err)
	_, err = v.Start(ctx, "+31612345678")
	wantRateLimited(t, err, "global_limit", time.Hour)
	_, err = v.Start(ctx, "+31612345678")
	wantRateLimited(t, err, "resend_cooldown", 30*time.Second)
}

// plain hides every method of a Limiter but Allow.
type plain struct{ l verify.Limiter }

func (p plain) Allow(ctx context.Context, key string, n int, per time.Duration) (bool, time.Duration, error) {
	return p.l.Allow(ctx, key, n, per)
}

func TestPerNetworkLimit(t *testing.T) {
	v, _, _ := limited(t, verify.WithClientNetworkLimit(3, time.Hour), verify.WithClientLimit(1, time.Hour))
	ctx := context.Background()
	start := func(i int, client string) error {
		_, err := v.Start(ctx, fmt.Sprintf("+316123456%02d", i), verify.WithClientKey(client))
		return err
	}
	// The http package passes IPv6 clients as their /64.
	for i := range 3 {
		require.NoError(t, start(i, fmt.Sprintf("2001:db8:1:%x::/64", i)), "/64 %d of the /48", i)
	}
	wantRateLimited(t, start(10, "2001:db8:1:ff::/64"), "network_limit", time.Hour)
	require.NoError(t, start(11, "2001:db8:2:1::/64"), "another /48")
	// A bare IPv6 address counts by its /64 (and its /48).
	require.NoError(t, start(12, "2001:db8:3::1"))
	wantRateLimited(t, start(13, "2001:db8:3::2"), "client_limit", time.Hour)
	// IPv4 keeps its /32: ten addresses of one /24 are ten clients.
	for i := range 10 {
		require.NoError(t, start(20+i, fmt.Sprintf("192.0.2.%d", i)), "IPv4 client %d", i)
	}
}

// pumpingVerifier returns a Verifier with default limits on a fake with a
// clock, logging to a buffer.
func pumpingVerifier(t *testing.T, opts ...verify.Option) (*verify.Verifier, *fake.Provider, clockT, *bytes.Buffer, *recorder) {
	t.Helper()
	c := newClock()
	p := fake.New(fake.WithClock(c.Now))
	var log bytes.Buffer
	rec := &recorder{}
	v, err := verify.New(p, append([]verify.Option{
		verify.WithLimiter(&verify.MemoryLimiter{Now: c.Now}),
		verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))),
		verify.WithObserver(rec),
	}, opts...)...)
	require.NoError(t, err)
	return v, p, c, &log, rec
}

type clockT = interface {
	Now() time.Time
	Advance(time.Duration)
}

// pump starts n verifications to distinct numbers of the range
// +31 6 1234 from distinct clients, a minute apart, none verified, and
// returns how many were allowed.
func pump(t *testing.T, v *verify.Verifier, c clockT, from, n int) (allowed int, refusal error) {
	t.Helper()
	for i := from; i < from+n; i++ {
		_, err := v.Start(context.Background(), fmt.Sprintf("+3161234%04d", i), verify.WithClientKey(fmt.Sprintf("10.0.%d.%d", i>>8&255, i&255)))
		switch {
		case err == nil:
			allowed++
		case errors.Is(err, verify.ErrSuspectedPumping):
			refusal = err
		default:
			require.NoError(t, err, "start %d", i)
		}
		c.Advance(30 * time.Second)
	}
	return allowed, refusal
}

func TestPumpingGuardCutsOffARange(t *testing.T) {
	v, p, c, log, rec := pumpingVerifier(t)
	allowed, err := pump(t, v, c, 0, 110) // 110 starts in 55 minutes
	require.Equal(t, 100, allowed, "pumped starts of 110 allowed (refusal %v)", err)
	require.Error(t, err, "the refusal of the pumped starts")
	var rl *verify.RateLimitError
	require.ErrorIs(t, err, verify.ErrRateLimited, "refusal")
	require.ErrorAs(t, err, &rl, "refusal: want a *RateLimitError")
	require.Equal(t, "pumping_guard", rl.Limit, "refusal: want a *RateLimitError of the SMS pumping guard")
	require.Positive(t, rl.RetryAfter, "refusal's RetryAfter")
	require.NotErrorIs(t, err, verify.ErrInvalidPhone, "refusal")
	require.NotContains(t, err.Error(), "+316", "refusal")
	events := rec.take()
	require.NotEmpty(t, events)
	e := events[len(events)-1]
	require.Equal(t, "pumping_guard", e.Limit, "event %+v", e)
	require.ErrorIs(t, e.Err, verify.ErrSuspectedPumping, "event %+v", e)
	require.Len(t, p.Messages(), 100, "messages sent")
	// Other limits refuse with other errors.
	v.Start(context.Background(), "+31687654321")
	_, err = v.Start(context.Background(), "+31687654321")
	require.NotErrorIs(t, err, verify.ErrSuspectedPumping, "cooldown refusal")
	require.ErrorIs(t, err, verify.ErrRateLimited, "cooldown refusal")
	// Another range of the same country is not held up.
	_, err = v.Start(context.Background(), "+31612350000")
	require.NoError(t, err, "another range")
	// One warning, with the range and the rates, and no full number.
	out := log.String()
	require.Equal(t, 1, strings.Count(out, "level=WARN"), "warnings in:\n%s", out)
	assert.Regexp(t, `level=WARN msg="verify: suspected SMS pumping[^"]*" range="\+31 61234" region=NL starts=100 verified=0 verified_rate=0.0%`, out,
		"a warning with the range and rates")
	assert.NotRegexp(t, `\+?316\d{8}`, out, "the log holds a full number")
}

func TestPumpingGuardClearsWhenItsWindowPasses(t *testing.T) {
	v, _, c, _, _ := pumpingVerifier(t)
	allowed, err := pump(t, v, c, 0, 120)
	require.Equal(t, 100, allowed, "starts allowed before the trip")
	require.Error(t, err, "the trip's refusal")
	c.Advance(time.Hour)
	allowed, err = pump(t, v, c, 200, 10)
	assert.Equal(t, 10, allowed, "an hour after the trip, starts of 10 allowed (refusal %v)", err)
}

func TestPumpingGuardLetsRealTrafficThrough(t *testing.T) {
	v, p, c, log, _ := pumpingVerifier(t)
	ctx := context.Background()
	// Ten hours of 200 starts an hour to one German range, 80 % verified,
	// while bots pump a Dutch range.
	for i := range 2000 {
		phone := fmt.Sprintf("+4915123456%03d", i%1000)
		ver, err := v.Start(ctx, phone, verify.WithClientKey(fmt.Sprintf("192.0.%d.%d", i>>8&255, i&255)))
		require.NoError(t, err, "real start %d", i)
		if i%5 != 4 {
			code, _ := p.LastCode(phone)
			_, err := v.Check(ctx, ver.ID, code)
			require.NoError(t, err, "real check %d", i)
		}
		if i%10 == 0 {
			pump(t, v, c, i/10, 1)
		}
		c.Advance(18 * time.Second)
	}
	require.NotContains(t, log.String(), `range="+49`, "the guard warned about real traffic")
	// Off, the guard lets everything through.
	off, _, c2, _, _ := pumpingVerifier(t, verify.WithPumpingGuard(0, 0, 0))
	allowed, _ := pump(t, off, c2, 0, 150)
	assert.Equal(t, 150, allowed, "guard off: starts of 150 allowed")
}

// The attack of issue 17 §2: one IPv6 /48, moving to a new /64 every 20
// starts, sends 100 unverified starts an hour to one range of 10,000
// numbers for 24 hours, while real users, each on a network of their
// own, start a verification of a number of that range every 10 minutes
// and 80 % of them verify it. The network adds at most a tenth of the
// guard's starts to the range's count, so the guard never trips for the
// real users. The figures in SECURITY.md come from this test.
func TestOneNetworkCannotSwitchOffARange(t *testing.T) {
	v, p, c, log, _ := pumpingVerifier(t)
	ctx := context.Background()
	attacks, attacked, users, allowed := 0, 0, 0, 0
	for minute := range 24 * 60 {
		// 100 starts an hour: 5 every 3 minutes.
		if minute%3 == 0 {
			for range 5 {
				client := fmt.Sprintf("2001:db8:bad:%x::/64", attacks/20)
				if _, err := v.Start(ctx, fmt.Sprintf("+3161234%04d", attacks%9000), verify.WithClientKey(client)); err == nil {
					attacked++
				} else {
					require.ErrorIs(t, err, verify.ErrRateLimited)
				}
				attacks++
			}
		}
		if minute%10 == 5 {
			phone := fmt.Sprintf("+3161234%04d", 9000+users)
			ver, err := v.Start(ctx, phone, verify.WithClientKey(fmt.Sprintf("192.0.2.%d", users%250)))
			if err == nil {
				allowed++
				if users%5 != 4 {
					code, _ := p.LastCode(phone)
					_, err := v.Check(ctx, ver.ID, code)
					require.NoError(t, err)
				}
			}
			users++
		}
		c.Advance(time.Minute)
	}
	t.Logf("real users: %d of %d starts allowed; the network: %d of %d", allowed, users, attacked, attacks)
	assert.Equal(t, 144, users)
	assert.GreaterOrEqual(t, float64(allowed), 0.95*144, "real users' starts allowed")
	assert.LessOrEqual(t, attacked, 24*10, "the network's starts: a tenth of the guard's 100 an hour")
	assert.NotContains(t, log.String(), "level=WARN", "the guard tripped")
}

// Real pumping, from many networks, is still refused: 300 starts in an
// hour to one range from 60 /48s, none verified, get about 100 through.
func TestPumpingGuardRefusesPumpingFromManyNetworks(t *testing.T) {
	v, _, c, log, _ := pumpingVerifier(t)
	ctx := context.Background()
	allowed := 0
	for i := range 300 {
		client := fmt.Sprintf("2001:db8:%x:%x::/64", 0x100+i%60, i/60)
		_, err := v.Start(ctx, fmt.Sprintf("+3161234%04d", i), verify.WithClientKey(client))
		if err == nil {
			allowed++
		} else {
			require.ErrorIs(t, err, verify.ErrSuspectedPumping, "start %d", i)
		}
		c.Advance(12 * time.Second)
	}
	t.Logf("%d of 300 pumped starts from 60 networks allowed", allowed)
	assert.Equal(t, 100, allowed)
	assert.Contains(t, log.String(), "level=WARN", "the guard did not trip")
}

// Starts that end verified do not use up a client's budget: many real
// users behind one carrier address (CGNAT) each verify, and all start;
// unverified starts are still capped at the client limit.
func TestVerifiedStartsDoNotUseUpTheClientBudget(t *testing.T) {
	v, p, c := limited(t)
	ctx := context.Background()
	cgnat := verify.WithClientKey("198.51.100.1")
	for i := range 60 {
		phone := fmt.Sprintf("+3161%02d45678", i)
		ver, err := v.Start(ctx, phone, cgnat)
		require.NoError(t, err, "verified user %d behind one address", i)
		code, _ := p.LastCode(phone)
		_, err = v.Check(ctx, ver.ID, code)
		require.NoError(t, err)
		c.Advance(30 * time.Second)
	}
	for i := range 20 {
		_, err := v.Start(ctx, fmt.Sprintf("+3162%02d45678", i), cgnat)
		require.NoError(t, err, "unverified start %d", i)
	}
	_, err := v.Start(ctx, "+31630045678", cgnat)
	var rl *verify.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, "client_limit", rl.Limit)
	// An office verifying 30 numbers of its own range from one address:
	// each verified check earns the address more of the range.
	office := verify.WithClientKey("198.51.100.2")
	for i := range 30 {
		phone := fmt.Sprintf("+3161999%04d", i)
		ver, err := v.Start(ctx, phone, office)
		require.NoError(t, err, "office start %d to one range", i)
		code, _ := p.LastCode(phone)
		_, err = v.Check(ctx, ver.ID, code)
		require.NoError(t, err)
	}
	// So with IPv6 networks: the /48 is credited too.
	v6, p6, c6 := limited(t, verify.WithClientLimit(0, 0))
	for i := range 150 {
		phone := fmt.Sprintf("+3161%03d5678", i)
		ver, err := v6.Start(ctx, phone, verify.WithClientKey(fmt.Sprintf("2001:db8:1:%x::/64", i)))
		require.NoError(t, err, "verified user %d in one /48", i)
		code, _ := p6.LastCode(phone)
		_, err = v6.Check(ctx, ver.ID, code)
		require.NoError(t, err)
		c6.Advance(20 * time.Second)
	}
}

func TestAbuseOptionRanges(t *testing.T) {
	for _, tt := range []struct {
		ok, bad verify.Option
		name    string
	}{
		{verify.WithClientNetworkLimit(1, 744*time.Hour), verify.WithClientNetworkLimit(1, 744*time.Hour+1), "WithClientNetworkLimit"},
		{verify.WithClientNetworkLimit(0, 0), verify.WithClientNetworkLimit(-1, time.Hour), "WithClientNetworkLimit"},
		{verify.WithPumpingGuard(1, 1, time.Hour), verify.WithPumpingGuard(1, 0, time.Hour), "WithPumpingGuard"},
		{verify.WithPumpingGuard(1, 100, 744*time.Hour), verify.WithPumpingGuard(1, 101, time.Hour), "WithPumpingGuard"},
		{verify.WithPumpingGuard(0, 0, 0), verify.WithPumpingGuard(1, 10, 744*time.Hour+1), "WithPumpingGuard"},
		{verify.WithFailureThrottle(1, time.Minute), verify.WithFailureThrottle(1, time.Minute-1), "WithFailureThrottle"},
		{verify.WithFailureThrottle(1, 24*time.Hour), verify.WithFailureThrottle(1, 24*time.Hour+1), "WithFailureThrottle"},
		{verify.WithFailureThrottle(0, 0), verify.WithFailureThrottle(-1, time.Hour), "WithFailureThrottle"},
	} {
		_, err := verify.New(fake.New(), tt.ok)
		assert.NoError(t, err, tt.name)
		_, err = verify.New(fake.New(), tt.bad)
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "%s out of range", tt.name)
		assert.ErrorContains(t, err, tt.name, "%s out of range: the error names the option", tt.name)
	}
}

// The SMS-pumping guard refuses starts to a number range that has had
// many starts and few verified checks: here, with a guard tuned down to
// 3 starts and 50 % verified per hour, the fourth unverified start to
// +31 6 1234xxxx.
func ExampleWithPumpingGuard() {
	v, err := verify.New(fake.New(), verify.WithPumpingGuard(3, 50, time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for i := range 4 {
		_, err := v.Start(ctx, fmt.Sprintf("+3161234000%d", i))
		switch {
		case errors.Is(err, verify.ErrSuspectedPumping):
			// Show the user a neutral message, as for any rate limit.
			fmt.Println(i+1, "refused: suspected pumping; also ErrRateLimited:", errors.Is(err, verify.ErrRateLimited))
		case err != nil:
			fmt.Println(i+1, err)
		default:
			fmt.Println(i+1, "started")
		}
	}
	// Output:
	// 1 started
	// 2 started
	// 3 started
	// 4 refused: suspected pumping; also ErrRateLimited: true
}

// Every limit's name, as RateLimitError.Limit, Event.Limit and
// Event.Reason give it, is snake_case, as OpenTelemetry attribute values
// prefer.
func TestLimitNamesAreSnakeCase(t *testing.T) {
	ctx := context.Background()
	twice := func(v *verify.Verifier, a, b string, ka, kb string) error {
		if _, err := v.Start(ctx, a, verify.WithClientKey(ka)); err != nil {
			return err
		}
		_, err := v.Start(ctx, b, verify.WithClientKey(kb))
		return err
	}
	for _, tt := range []struct {
		want string
		opts []verify.Option
		act  func(*verify.Verifier) error
	}{
		{"client_limit", []verify.Option{verify.WithClientLimit(1, time.Hour)},
			func(v *verify.Verifier) error {
				return twice(v, "+31612345678", "+31687654321", "192.0.2.1", "192.0.2.1")
			}},
		{"network_limit", []verify.Option{verify.WithClientNetworkLimit(1, time.Hour)},
			func(v *verify.Verifier) error {
				return twice(v, "+31612345678", "+31687654321", "2001:db8:1:1::/64", "2001:db8:1:2::/64")
			}},
		{"resend_cooldown", nil,
			func(v *verify.Verifier) error { return twice(v, "+31612345678", "+31612345678", "", "") }},
		{"number_limit", []verify.Option{verify.WithNumberLimit(1, time.Hour), verify.WithResendCooldown(0)},
			func(v *verify.Verifier) error { return twice(v, "+31612345678", "+31612345678", "", "") }},
		{"pumping_guard", []verify.Option{verify.WithPumpingGuard(1, 100, time.Hour)},
			func(v *verify.Verifier) error { return twice(v, "+31612345678", "+31612345679", "", "") }},
		{"global_limit", []verify.Option{verify.WithGlobalLimit(1, time.Hour)},
			func(v *verify.Verifier) error { return twice(v, "+31612345678", "+31687654321", "", "") }},
		{"failure_throttle", []verify.Option{verify.WithFailureThrottle(1, time.Minute)},
			func(v *verify.Verifier) error {
				ver, err := v.Start(ctx, "+31612345678")
				if err != nil {
					return err
				}
				v.Check(ctx, ver.ID, "000000")
				_, err = v.Check(ctx, ver.ID, "000000")
				return err
			}},
	} {
		t.Run(tt.want, func(t *testing.T) {
			rec := &recorder{}
			v, _, _ := limited(t, append(tt.opts, verify.WithObserver(rec))...)
			err := tt.act(v)
			var rl *verify.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, tt.want, rl.Limit)
			assert.Regexp(t, `^[a-z]+(_[a-z]+)*$`, rl.Limit)
			events := rec.take()
			e := events[len(events)-1]
			assert.Equal(t, tt.want, e.Limit)
			assert.Equal(t, tt.want, e.Reason())
		})
	}
}
