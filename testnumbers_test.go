package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

const (
	testNumber = "+31612345670" // a test number, as the tests configure it
	testCode   = "424242"       // its fixed code
)

// testNumbers is the WithTestNumbers of these tests: the number typed
// nationally, as a user would (the Verifiers read Dutch numbers).
func testNumbers() verify.Option {
	return verify.WithTestNumbers(map[string]string{"06 12345670": testCode})
}

// newTestVerifier returns a Verifier with the test number on a fake that
// must never be called for it.
func newTestVerifier(t *testing.T, opts ...verify.Option) (*verify.Verifier, *fake.Provider) {
	t.Helper()
	fk := fake.New()
	v := newVerifier(t, fk, append([]verify.Option{verify.WithDefaultRegion("NL"), testNumbers()}, opts...)...)
	return v, fk
}

func TestTestNumberCallsNoProvider(t *testing.T) {
	rec := &recorder{}
	sp := &spy{}
	v := newVerifier(t, sp, verify.WithDefaultRegion("NL"), testNumbers(), verify.WithObserver(rec))
	ctx := context.Background()

	ver, err := v.Start(ctx, "+31 6 1234 5670")
	require.NoError(t, err)
	assert.True(t, ver.Test)
	assert.Equal(t, testNumber, ver.Phone)
	assert.Equal(t, verify.StatusPending, ver.Status)
	assert.Equal(t, verify.Voice, ver.Channel)
	assert.Equal(t, "nl-nl", ver.Language)
	assert.True(t, strings.HasPrefix(ver.ID, "test_"), ver.ID)
	assert.Equal(t, 10*time.Minute, ver.ExpiresAt.Sub(ver.CreatedAt))

	_, err = v.Check(ctx, ver.ID, testCode)
	require.NoError(t, err)
	_, err = v.Status(ctx, ver.ID) // the spy is no StatusProvider
	require.NoError(t, err)
	require.NoError(t, v.Cancel(ctx, ver.ID)) // nor a Canceler
	assert.Zero(t, sp.starts.Load())
	assert.Zero(t, sp.checks.Load())

	events := rec.take()
	require.Len(t, events, 4)
	for _, e := range events {
		assert.True(t, e.Test, e.Op)
		assert.True(t, e.Called, e.Op)
		assert.Empty(t, e.Provider, e.Op)
		assert.NoError(t, e.Err, e.Op)
		assert.Equal(t, ver.ID, e.ID, e.Op)
	}
	assert.Equal(t, "NL", events[0].Region)

	// Other numbers still go to the provider, and the fixed code is
	// theirs only by chance.
	other, err := v.Start(ctx, "06 12345678")
	require.NoError(t, err)
	assert.False(t, other.Test)
	assert.Equal(t, int32(1), sp.starts.Load())
	assert.False(t, rec.take()[0].Test)
}

func TestTestNumberOnlyItsCodeVerifies(t *testing.T) {
	v, fk := newTestVerifier(t)
	ctx := context.Background()

	ver, err := v.Start(ctx, testNumber)
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, "424243")
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	_, err = v.Check(ctx, ver.ID, "4242420")
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	got, err := v.Check(ctx, ver.ID, "424 242")
	require.NoError(t, err)
	assert.True(t, got.Verified())
	assert.True(t, got.Test)
	assert.Equal(t, ver.ID, got.ID)
	assert.Equal(t, testNumber, got.Phone)

	_, err = v.Check(ctx, ver.ID, testCode)
	assert.ErrorIs(t, err, verify.ErrExpired, "single use")
	assert.Empty(t, fk.Messages(), "the fake recorded nothing")

	// An id that looks like a test id but was never started is unknown,
	// and the provider is not asked.
	_, err = v.Check(ctx, "test_"+strings.Repeat("A", 26), testCode)
	assert.ErrorIs(t, err, verify.ErrNotFound)

	// Ids are random.
	again, err := verify.New(fake.New(), verify.WithDefaultRegion("NL"), testNumbers(), verify.WithResendCooldown(0))
	require.NoError(t, err)
	ids := map[string]bool{}
	for range 5 {
		ver, err := again.Start(ctx, testNumber)
		require.NoError(t, err)
		assert.Len(t, ver.ID, len("test_")+26)
		ids[ver.ID] = true
	}
	assert.Len(t, ids, 5)
}

func TestTestNumberAttemptsStatusAndCancel(t *testing.T) {
	v, _ := newTestVerifier(t)
	ctx := context.Background()

	ver, err := v.Start(ctx, testNumber, verify.WithMaxAttempts(2))
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, "000000")
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	_, err = v.Check(ctx, ver.ID, "000000")
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	_, err = v.Check(ctx, ver.ID, testCode)
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	st, err := v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusFailed, st.Status)

	ver, err = v.Start(ctx, testNumber, verify.WithChannel(verify.SMS))
	require.NoError(t, err)
	st, err = v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusPending, st.Status)
	assert.Equal(t, verify.SMS, st.Channel)
	assert.True(t, st.Test)
	require.NoError(t, v.Cancel(ctx, ver.ID))
	st, err = v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusCanceled, st.Status)
	_, err = v.Check(ctx, ver.ID, testCode)
	assert.ErrorIs(t, err, verify.ErrExpired)
	assert.NoError(t, v.Cancel(ctx, ver.ID), "a second cancel changes nothing")

	_, err = v.Status(ctx, "test_"+strings.Repeat("B", 26))
	assert.ErrorIs(t, err, verify.ErrNotFound)
	assert.ErrorIs(t, v.Cancel(ctx, "test_"+strings.Repeat("B", 26)), verify.ErrNotFound)
}

func TestTestNumberWithOneAttempt(t *testing.T) {
	v, _ := newTestVerifier(t)
	ctx := context.Background()

	ver, err := v.Start(ctx, testNumber, verify.WithMaxAttempts(1))
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, "000000")
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts, "the one wrong code fails the verification")
	_, err = v.Check(ctx, ver.ID, testCode)
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	st, err := v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusFailed, st.Status)
}

func TestTestNumberExpires(t *testing.T) {
	clock := newClock()
	v, _ := newTestVerifier(t, verify.WithLimiter(&verify.MemoryLimiter{Now: clock.Now}))
	ctx := context.Background()

	ver, err := v.Start(ctx, testNumber, verify.WithValidity(time.Minute))
	require.NoError(t, err)
	clock.Advance(61 * time.Second)
	_, err = v.Check(ctx, ver.ID, testCode)
	assert.ErrorIs(t, err, verify.ErrExpired)
	st, err := v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusExpired, st.Status)

	clock.Advance(2 * time.Hour) // its record is gone too
	_, err = v.Status(ctx, ver.ID)
	assert.ErrorIs(t, err, verify.ErrNotFound)
}

func TestTestNumberLimitsApply(t *testing.T) {
	fk := fake.New()
	rec := &recorder{}
	v, err := verify.New(fk, verify.WithDefaultRegion("NL"), testNumbers(), verify.WithObserver(rec))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = v.Start(ctx, testNumber)
	require.NoError(t, err)
	_, err = v.Start(ctx, testNumber)
	assert.ErrorIs(t, err, verify.ErrRateLimited, "the resend cooldown")
	events := rec.take()
	require.Len(t, events, 2)
	assert.Equal(t, "resend_cooldown", events[1].Limit)
	assert.False(t, events[1].Called)

	// The Verifier's own cap on checks per verification holds too.
	v = newVerifier(t, fk, verify.WithDefaultRegion("NL"), testNumbers(), verify.WithMaxAttempts(3))
	ver, err := v.Start(ctx, testNumber)
	require.NoError(t, err)
	for range 2 {
		_, err = v.Check(ctx, ver.ID, "000000")
		assert.ErrorIs(t, err, verify.ErrInvalidCode)
	}
	_, err = v.Check(ctx, ver.ID, "000000")
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	_, err = v.Check(ctx, ver.ID, testCode)
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)

	// And the policies: a region refused later than New.
	_, err = verify.New(fk, testNumbers(), verify.WithDefaultRegion("NL"), verify.WithDeniedRegions("NL"))
	assert.ErrorIs(t, err, verify.ErrInvalidOption)
	assert.Empty(t, fk.Messages())
}

// recordingStore is a LimitStore that keeps every key and value it is
// given. When gate is set, each Count of a test verification's state
// waits at it until gate's count of them have arrived, so that that many
// checks read the state before any changes it.
type recordingStore struct {
	verify.MemoryLimiter
	gate *sync.WaitGroup
	mu   sync.Mutex
	seen []string
}

func (s *recordingStore) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	counts, err := s.MemoryLimiter.Count(ctx, window, keys...)
	if s.gate != nil && strings.HasPrefix(keys[0], "testverified:") {
		s.gate.Done()
		s.gate.Wait()
	}
	return counts, err
}

func (s *recordingStore) note(texts ...string) {
	s.mu.Lock()
	s.seen = append(s.seen, texts...)
	s.mu.Unlock()
}

func (s *recordingStore) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	s.note(key, value)
	return s.MemoryLimiter.Put(ctx, key, value, ttl)
}

func (s *recordingStore) AllowAll(ctx context.Context, limits []verify.Limit) (int, time.Duration, error) {
	for _, l := range limits {
		s.note(l.Key, l.CreditKey)
	}
	return s.MemoryLimiter.AllowAll(ctx, limits)
}

func (s *recordingStore) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	s.note(key)
	return s.MemoryLimiter.Allow(ctx, key, limit, window)
}

func TestTestNumbersShareAStoreAndKeepNoCode(t *testing.T) {
	store := &recordingStore{}
	ctx := context.Background()
	// Nine checks in all: within the Verifier's cap of checks per
	// verification.
	// Ten digits, so that no stored time holds them by chance.
	const code = "4829173605"
	codes := verify.WithTestNumbers(map[string]string{testNumber: code})
	a := newVerifier(t, fake.New(), verify.WithLimiter(store), verify.WithMaxAttempts(10), codes)
	b := newVerifier(t, fake.New(), verify.WithLimiter(store), verify.WithMaxAttempts(10), codes)

	ver, err := a.Start(ctx, testNumber)
	require.NoError(t, err)
	st, err := b.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusPending, st.Status)
	_, err = b.Check(ctx, ver.ID, "000000")
	assert.ErrorIs(t, err, verify.ErrInvalidCode)

	// The code works once, on whichever instance checks first, even when
	// every check has read the state before any changes it.
	store.gate = new(sync.WaitGroup)
	store.gate.Add(8)
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for i := range 8 {
		v := a
		if i%2 == 1 {
			v = b
		}
		wg.Go(func() {
			_, err := v.Check(ctx, ver.ID, code)
			results <- err
		})
	}
	wg.Wait()
	store.gate = nil
	close(results)
	ok := 0
	for err := range results {
		if err == nil {
			ok++
			continue
		}
		assert.ErrorIs(t, err, verify.ErrExpired)
	}
	assert.Equal(t, 1, ok)
	st, err = a.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, st.Status)

	store.mu.Lock()
	defer store.mu.Unlock()
	require.NotEmpty(t, store.seen)
	for _, s := range store.seen {
		assert.NotContains(t, s, code)
	}
}

func TestNewRefusesBadTestNumbers(t *testing.T) {
	tests := []struct {
		name  string
		codes map[string]string
		want  string
	}{
		{"invalid number", map[string]string{"06 123": "424242"}, "the number is too short"},
		{"letters", map[string]string{"call me": "424242"}, "WithTestNumbers: number"},
		{"short code", map[string]string{"0612345670": "424"}, "must be 4 to 10 digits"},
		{"long code", map[string]string{"0612345670": "42424242424"}, "must be 4 to 10 digits"},
		{"letters in the code", map[string]string{"0612345670": "42a242"}, "must be 4 to 10 digits"},
		{"spaces in the code", map[string]string{"0612345670": "424 242"}, "must be 4 to 10 digits"},
		{"one number twice", map[string]string{"0612345670": "424242", "+31612345670": "434343"}, "given twice"},
		{"premium rate", map[string]string{"0900 1234567": "424242"}, "premium-rate numbers cannot be verified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verify.New(fake.New(), verify.WithDefaultRegion("NL"), verify.WithTestNumbers(tt.codes))
			require.ErrorIs(t, err, verify.ErrInvalidOption)
			assert.NotErrorIs(t, err, verify.ErrInvalidPhone)
			assert.Contains(t, err.Error(), "WithTestNumbers")
			assert.Contains(t, err.Error(), tt.want)
			for number, code := range tt.codes {
				assert.NotContains(t, err.Error(), code, "the code is not echoed")
				if len(number) > 8 {
					assert.NotContains(t, err.Error(), number, "the number is masked")
				}
			}
		})
	}

	// Codes of 4 and of 10 digits are fine.
	for _, code := range []string{"4242", "4242424242"} {
		v, err := verify.New(fake.New(), verify.WithDefaultRegion("NL"),
			verify.WithTestNumbers(map[string]string{"0612345670": code}))
		require.NoError(t, err, code)
		ver, err := v.Start(context.Background(), testNumber)
		require.NoError(t, err, code)
		_, err = v.Check(context.Background(), ver.ID, code)
		assert.NoError(t, err, code)
	}

	// The same number twice with one code is fine, and so is none.
	_, err := verify.New(fake.New(), verify.WithDefaultRegion("NL"),
		verify.WithTestNumbers(map[string]string{"0612345670": "424242", "+31612345670": "424242"}))
	assert.NoError(t, err)
	_, err = verify.New(fake.New(), verify.WithTestNumbers(nil))
	assert.NoError(t, err)
}

func TestTestNumbersAreCopiedAndLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	codes := map[string]string{testNumber: testCode}
	v, err := verify.New(fake.New(), verify.WithTestNumbers(codes),
		verify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), verify.WithResendCooldown(0))
	require.NoError(t, err)
	codes[testNumber] = "999999" // too late: New read the map
	ctx := context.Background()
	for range 3 {
		ver, err := v.Start(ctx, testNumber)
		require.NoError(t, err)
		_, err = v.Check(ctx, ver.ID, testCode)
		require.NoError(t, err)
	}
	log := logs.String()
	assert.Equal(t, 1, strings.Count(log, "test numbers are on"))
	assert.Contains(t, log, `level=WARN msg="verify: test numbers are on`)
	assert.Contains(t, log, "numbers=1")
	assert.NotContains(t, log, testCode)
	assert.NotContains(t, log, testNumber)

	// Without test numbers, nothing is logged at New.
	logs.Reset()
	_, err = verify.New(fake.New(), verify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	assert.Empty(t, logs.String())
}

func TestTestNumbersWithAPlainLimiter(t *testing.T) {
	v, fk := newTestVerifier(t, verify.WithLimiter(plainLimiter{&verify.MemoryLimiter{}}))
	ctx := context.Background()
	ver, err := v.Start(ctx, testNumber)
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, testCode)
	require.NoError(t, err)
	assert.Empty(t, fk.Messages())
}

// plainLimiter hides every method of a Limiter but Allow.
type plainLimiter struct{ l verify.Limiter }

func (p plainLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	return p.l.Allow(ctx, key, limit, window)
}

func ExampleWithTestNumbers() {
	ctx := context.Background()
	provider := fake.New()
	v, err := verify.New(provider, verify.WithTestNumbers(map[string]string{
		"+1 650 555 0123": "424242", // for the app-store reviewers
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	ver, _ := v.Start(ctx, "+1 650-555-0123")
	fmt.Println(ver.Phone, ver.Test, len(provider.Messages()))
	ver, err = v.Check(ctx, ver.ID, "424242")
	fmt.Println(ver.Status, err)
	// Output:
	// +16505550123 true 0
	// verified <nil>
}
