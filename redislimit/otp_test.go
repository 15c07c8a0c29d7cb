package redislimit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/redislimit"
)

// otpInstance is one app instance that makes its own codes: a Verifier
// over an otp Provider, with its own Sender and its own Redis client, the
// store and the secret shared with the other instances.
type otpInstance struct {
	v      *verify.Verifier
	sender *fake.Sender
}

func newOTPInstance(t *testing.T, s *server, secret string) otpInstance {
	t.Helper()
	store := newLimiter(t, s.client(t))
	sender := fake.NewSender()
	p, err := otp.New(sender, []byte(secret), otp.WithStore(store))
	require.NoError(t, err)
	v, err := verify.New(p, verify.WithLimiter(store), verify.WithResendCooldown(0), verify.WithTokenLength(10))
	require.NoError(t, err)
	return otpInstance{v, sender}
}

// TestOTPInstancesAreOne runs two instances, as two app servers behind a
// load balancer would, on one Redis and one secret: a code sent by one
// checks on the other, once; wrong codes on both count against one cap;
// Cancel and Status on one see the other's state; of the right code sent
// to both at once, one check succeeds. Then it reads every key and value
// in Redis: no code is there.
func TestOTPInstancesAreOne(t *testing.T) {
	s := startRedis(t)
	const secret = "0123456789abcdef0123456789abcdef"
	a, b := newOTPInstance(t, s, secret), newOTPInstance(t, s, secret)
	ctx := context.Background()
	var codes []string
	start := func(on otpInstance, phone string) (*verify.Verification, string) {
		t.Helper()
		ver, err := on.v.Start(ctx, phone)
		require.NoError(t, err)
		code, ok := on.sender.LastCode(ver.Phone)
		require.True(t, ok)
		codes = append(codes, code)
		return ver, code
	}
	wrong := func(code string) string { return string('0'+(code[0]-'0'+1)%10) + code[1:] }

	ver, code := start(a, "+31612345678")
	_, err := b.v.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	got, err := b.v.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, "otp", got.Provider)
	_, err = a.v.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrExpired, "a code used on b works again on a")
	st, err := a.v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, st.Status)

	ver, code = start(b, "+31612345679")
	for i, in := range []otpInstance{a, b, a, b} {
		_, err = in.v.Check(ctx, ver.ID, wrong(code))
		require.ErrorIs(t, err, verify.ErrInvalidCode, "wrong code %d of 5", i+1)
	}
	_, err = a.v.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts, "wrong code 5 of 5")
	_, err = b.v.Check(ctx, ver.ID, code)
	assert.Error(t, err, "the right code after the cap")
	st, err = b.v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusFailed, st.Status)

	ver, code = start(a, "+31612345670")
	require.NoError(t, b.v.Cancel(ctx, ver.ID))
	_, err = a.v.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrExpired, "a code canceled on b works on a")

	ver, code = start(b, "+31612345671")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		in := []otpInstance{a, b}[i%2]
		wg.Go(func() { _, err := in.v.Check(ctx, ver.ID, code); errs <- err })
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.True(t, errors.Is(err, verify.ErrExpired) || errors.Is(err, verify.ErrTooManyAttempts), "concurrent check: %v", err)
	}
	assert.Equal(t, 1, ok, "successes of the right code checked 8 times at once on two instances")

	// Every key and value in Redis, against every code as digits and as
	// a call reads it (10 digits: no chance match among the stored
	// numbers and times).
	c := s.client(t)
	var dump strings.Builder
	iter := c.Scan(ctx, 0, "*", 0).Iterator()
	for iter.Next(ctx) {
		val, err := c.Get(ctx, iter.Val()).Result()
		require.NoError(t, err)
		dump.WriteString(iter.Val() + "\n" + val + "\n")
	}
	require.NoError(t, iter.Err())
	require.Contains(t, dump.String(), "phoneverify:otp:rec:")
	for _, code := range codes {
		assert.NotContains(t, dump.String(), code)
		assert.NotContains(t, dump.String(), strings.Join(strings.Split(code, ""), ", "))
	}

	// Another secret on the same Redis: no code of the others checks,
	// nor is their verification found.
	other := newOTPInstance(t, s, strings.Repeat("x", 32))
	ver, code = start(a, "+31612345672")
	_, err = other.v.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrNotFound)
}

// TestOTPRefusesAFailOpenLimiter: a Limiter made WithFailOpen says so,
// and otp refuses it as its store (a failed script would allow a code
// twice); the same Redis client in a Limiter without the option is
// accepted. New contacts no Redis: none is needed.
func TestOTPRefusesAFailOpenLimiter(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	open, closed := newLimiter(t, c, redislimit.WithFailOpen()), newLimiter(t, c)
	assert.True(t, open.FailsOpen())
	assert.False(t, closed.FailsOpen())
	const secret = "0123456789abcdef0123456789abcdef"
	p, err := otp.New(fake.NewSender(), []byte(secret), otp.WithStore(open))
	assert.ErrorIs(t, err, verify.ErrInvalidOption)
	assert.ErrorContains(t, err, "fails open")
	assert.Nil(t, p)
	_, err = otp.New(fake.NewSender(), []byte(secret), otp.WithStore(closed))
	assert.NoError(t, err)
}
