package otp_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/verifytest"
)

// secret is the tests' secret: 32 bytes, the least New accepts.
const secret = "0123456789abcdef0123456789abcdef"

func newClock() *verifytest.Clock {
	return verifytest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// spyStore is a MemoryLimiter that records every key and value written
// to it, counts the attempts the otp Provider takes, and can fail or
// stall its coming calls.
type spyStore struct {
	*verify.MemoryLimiter

	mu       sync.Mutex
	written  []string // every key and value, in the order written
	attempts int      // allowed AllowAll calls on the keys of attempts
	plan     []fault  // what happens to the coming calls, the next first
}

// A fault is what happens to one call of a spyStore: nothing (the zero
// fault), a failure before it takes effect, a failure after it took
// effect (a reply lost on the way back), or a stall until its context
// ends.
type fault struct {
	err   error
	lost  bool // the call takes effect, then fails with err
	stall bool
	then  func() // runs once the call took effect (AllowAll and Get)
}

func newSpyStore(now func() time.Time) *spyStore {
	return &spyStore{MemoryLimiter: &verify.MemoryLimiter{Now: now}}
}

// before runs first in every call: it takes the call's fault from the
// plan and records what the call writes, unless it fails first. A stall
// waits for the context's end, and fails with its error.
func (s *spyStore) before(ctx context.Context, written ...string) fault {
	s.mu.Lock()
	var f fault
	if len(s.plan) > 0 {
		f, s.plan = s.plan[0], s.plan[1:]
	}
	if f.err == nil && !f.stall || f.lost {
		s.written = append(s.written, written...)
	}
	s.mu.Unlock()
	if f.stall {
		<-ctx.Done()
		f.err = ctx.Err()
	}
	return f
}

// first reports whether the call fails before it takes effect.
func (f fault) first() bool { return f.err != nil && !f.lost }

// faults plans the coming calls: the first fault is the next call's.
func (s *spyStore) faults(fs ...fault) { s.mu.Lock(); s.plan = fs; s.mu.Unlock() }

func (s *spyStore) failNext(err error) { s.faults(fault{err: err}) }
func (s *spyStore) stallNext()         { s.faults(fault{stall: true}) }

// dump returns every key and value written so far, one a line.
func (s *spyStore) dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.written, "\n")
}

// recordKey returns the key of the record written last.
func (s *spyStore) recordKey(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.written) - 1; i >= 0; i-- {
		if strings.HasPrefix(s.written[i], "otp:rec:") {
			return s.written[i]
		}
	}
	require.FailNow(t, "no record was written")
	return ""
}

func (s *spyStore) attemptsTaken() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

func (s *spyStore) Allow(ctx context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	refused, retry, err := s.AllowAll(ctx, []verify.Limit{{Key: key, N: limit, Per: per}})
	return refused < 0 && err == nil, retry, err
}

func (s *spyStore) AllowAll(ctx context.Context, limits []verify.Limit) (int, time.Duration, error) {
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}
	f := s.before(ctx, keys...)
	if f.first() {
		return -1, 0, f.err
	}
	refused, retry, err := s.MemoryLimiter.AllowAll(ctx, limits)
	if err == nil && refused < 0 && (strings.HasPrefix(keys[0], "otp:tries:") || strings.HasPrefix(keys[0], "otp:last:")) {
		s.mu.Lock()
		s.attempts++
		s.mu.Unlock()
	}
	if f.then != nil {
		f.then()
	}
	if f.lost {
		return -1, 0, f.err
	}
	return refused, retry, err
}

func (s *spyStore) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	if f := s.before(ctx); f.err != nil { // a read: lost or not, nothing changed
		return nil, f.err
	}
	return s.MemoryLimiter.Count(ctx, window, keys...)
}

func (s *spyStore) Forget(ctx context.Context, keys ...string) error {
	f := s.before(ctx)
	if f.first() {
		return f.err
	}
	return cmp.Or(s.MemoryLimiter.Forget(ctx, keys...), f.err)
}

func (s *spyStore) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	f := s.before(ctx, key, value)
	if f.first() {
		return f.err
	}
	return cmp.Or(s.MemoryLimiter.Put(ctx, key, value, ttl), f.err)
}

func (s *spyStore) Get(ctx context.Context, key string) (string, bool, error) {
	f := s.before(ctx)
	if f.err != nil {
		return "", false, f.err
	}
	v, ok, err := s.MemoryLimiter.Get(ctx, key)
	if f.then != nil {
		f.then()
	}
	return v, ok, err
}

// env is an otp Provider over the fake Sender and a spyStore, on a
// manual clock.
type env struct {
	clock  *verifytest.Clock
	sender *fake.Sender
	store  *spyStore
	p      *otp.Provider
}

func newEnv(t testing.TB) *env {
	t.Helper()
	c := newClock()
	e := &env{clock: c, sender: fake.NewSender(fake.WithClock(c.Now)), store: newSpyStore(c.Now)}
	p, err := otp.New(e.sender, []byte(secret), otp.WithStore(e.store), otp.WithClock(c.Now))
	require.NoError(t, err)
	e.p = p
	return e
}

// started starts a verification of verifytest.Phone and returns it with
// the code sent.
func (e *env) started(t testing.TB) (*verify.Verification, string) {
	t.Helper()
	ver, err := e.p.Start(context.Background(), verifytest.Request(verifytest.Phone))
	require.NoError(t, err)
	return ver, e.code(t, verifytest.Phone)
}

// code returns the code last sent to phone.
func (e *env) code(t testing.TB, phone string) string {
	t.Helper()
	code, ok := e.sender.LastCode(phone)
	require.True(t, ok, "nothing was sent to %s", phone)
	return code
}

func TestConformance(t *testing.T) {
	verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
		e := newEnv(t)
		return verifytest.Harness{
			Provider: e.p,
			Code:     func(ver *verify.Verification) string { return e.code(t, ver.Phone) },
			Advance:  e.clock.Advance,
			Stall:    e.store.stallNext,
		}
	})
}

func TestNewRefusesBadArguments(t *testing.T) {
	s := fake.NewSender()
	tests := []struct {
		name   string
		sender verify.Sender
		secret string
		opts   []otp.Option
	}{
		{"nil sender", nil, secret, nil},
		{"secret of 31 bytes", s, secret[:31], nil},
		{"no secret", s, "", nil},
		{"nil store", s, secret, []otp.Option{otp.WithStore(nil)}},
		{"nil clock", s, secret, []otp.Option{otp.WithClock(nil)}},
		{"store that fails open", s, secret, []otp.Option{otp.WithStore(failOpenStore{new(verify.MemoryLimiter), true})}},
		{"nil option", s, secret, []otp.Option{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := otp.New(tt.sender, []byte(tt.secret), tt.opts...)
			assert.ErrorIs(t, err, verify.ErrInvalidOption)
			assert.Nil(t, p)
		})
	}
	_, err := otp.New(s, []byte(secret+"more is fine"))
	assert.NoError(t, err)
	_, err = otp.New(s, []byte(secret), otp.WithStore(failOpenStore{new(verify.MemoryLimiter), false}))
	assert.NoError(t, err, "a store that says it fails closed")
}

// failOpenStore is a store that says whether it fails open, as a
// redislimit Limiter does.
type failOpenStore struct {
	*verify.MemoryLimiter
	open bool
}

func (s failOpenStore) FailsOpen() bool { return s.open }

// TestStartRefusesWhatAVerifierNeverSends: Start refuses a request out
// of its ranges itself, before it stores or sends anything, whatever the
// Sender would accept.
func TestStartRefusesWhatAVerifierNeverSends(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*verify.Request)
		want   error
	}{
		{"national number", func(r *verify.Request) { r.Phone = "0612345678" }, verify.ErrInvalidPhone},
		{"number of 16 digits", func(r *verify.Request) { r.Phone = "+3161234567890123" }, verify.ErrInvalidPhone},
		{"number of 1 digit", func(r *verify.Request) { r.Phone = "+1" }, verify.ErrInvalidPhone},
		{"number with a letter", func(r *verify.Request) { r.Phone = "+3161234567a" }, verify.ErrInvalidPhone},
		{"number with a space", func(r *verify.Request) { r.Phone = "+31 612345678" }, verify.ErrInvalidPhone},
		{"auto channel", func(r *verify.Request) { r.Channel = verify.Auto }, verify.ErrInvalidOption},
		{"token of 5", func(r *verify.Request) { r.TokenLength = 5 }, verify.ErrInvalidOption},
		{"token of 11", func(r *verify.Request) { r.TokenLength = 11 }, verify.ErrInvalidOption},
		{"no validity", func(r *verify.Request) { r.Validity = 0 }, verify.ErrInvalidOption},
		{"no attempts", func(r *verify.Request) { r.MaxAttempts = 0 }, verify.ErrInvalidOption},
		{"template without the code", func(r *verify.Request) { r.Template = "Hello" }, verify.ErrInvalidOption},
		{"unknown language", func(r *verify.Request) { r.Language = "xx-xx" }, verify.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			// A Sender that would send anything: the refusal is Start's own.
			var sent []verify.Message
			p, err := otp.New(senderFunc(func(_ context.Context, m verify.Message) error { sent = append(sent, m); return nil }),
				[]byte(secret), otp.WithStore(e.store), otp.WithClock(e.clock.Now))
			require.NoError(t, err)
			req := verifytest.Request(verifytest.Phone)
			tt.mutate(&req)
			_, err = p.Start(context.Background(), req)
			assert.ErrorIs(t, err, tt.want)
			assert.Empty(t, sent, "a refused start was sent")
			assert.Empty(t, e.store.dump(), "a refused start wrote to the store")
		})
	}
}

// TestStartRangeEdges: a request at an edge of the ranges Start accepts
// (a "+" and 2 to 15 digits, one attempt or more, a token of 6 to 10
// digits, any positive validity) starts a verification, and its code
// verifies.
func TestStartRangeEdges(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*verify.Request)
	}{
		{"number of 2 digits", func(r *verify.Request) { r.Phone = "+12" }},
		{"number of 15 digits", func(r *verify.Request) { r.Phone = "+123456789012345" }},
		{"one attempt", func(r *verify.Request) { r.MaxAttempts = 1 }},
		{"token of 6", func(r *verify.Request) { r.TokenLength = 6 }},
		{"token of 10", func(r *verify.Request) { r.TokenLength = 10 }},
		{"validity of 1ns", func(r *verify.Request) { r.Validity = 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			req := verifytest.Request(verifytest.Phone)
			tt.mutate(&req)
			ver, err := e.p.Start(ctx, req)
			require.NoError(t, err)
			code := e.code(t, req.Phone)
			assert.Len(t, code, req.TokenLength)
			got, err := e.p.Check(ctx, ver.ID, code)
			require.NoError(t, err)
			assert.Equal(t, verify.StatusVerified, got.Status)
			assert.Equal(t, req.Phone, got.Phone)
		})
	}
}

// TestOneAttempt: with MaxAttempts 1, the first wrong code fails the
// verification at once (ErrTooManyAttempts, never ErrInvalidCode), and
// its right code then does not verify.
func TestOneAttempt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := verifytest.Request(verifytest.Phone)
	req.MaxAttempts = 1
	ver, err := e.p.Start(ctx, req)
	require.NoError(t, err)
	code := e.code(t, verifytest.Phone)
	_, err = e.p.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	st, err := e.p.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusFailed, st.Status)
	_, err = e.p.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	assert.Equal(t, 1, e.store.attemptsTaken())
}

// TestIDsLookLikeNoPrefix: an otp id never starts with "f" or "t", so
// that it cannot be taken for a Failover's prefix ("f1-…") or a test
// number's ("test_…"). Of 2,000 ids drawn uniformly, about 62 would.
func TestIDsLookLikeNoPrefix(t *testing.T) {
	e := newEnv(t)
	for range 2000 {
		ver, err := e.p.Start(context.Background(), verifytest.Request(verifytest.Phone))
		require.NoError(t, err)
		require.NotContains(t, "ft", ver.ID[:1], "id %s", ver.ID)
	}
}

// TestTexts: every %token is replaced, as is in a text and digit by digit
// in a call; the rest of the message is the request's.
func TestTexts(t *testing.T) {
	tests := []struct {
		channel  verify.Channel
		language string
		template string
		want     string // with the code's digits as d0 d1 ...
	}{
		{verify.SMS, "en-gb", "Your Acme code is %token.\n\n@example.com #%token", "Your Acme code is {code}.\n\n@example.com #{code}"},
		{verify.Voice, "en-gb", "Your code is %token. Again: %token.", "Your code is {spoken}. Again: {spoken}."},
		{verify.Voice, "ja-jp", "認証コードは %token です。", "認証コードは {spokenJA} です。"},
	}
	for _, tt := range tests {
		t.Run(string(tt.channel)+"/"+tt.language, func(t *testing.T) {
			e := newEnv(t)
			req := verifytest.Request(verifytest.Phone)
			req.Channel, req.Language, req.Template = tt.channel, tt.language, tt.template
			req.Voice, req.Originator, req.Reference = verify.Male, "Acme", "user42"
			_, err := e.p.Start(context.Background(), req)
			require.NoError(t, err)
			msgs := e.sender.Messages()
			require.Len(t, msgs, 1)
			m, code := msgs[0], msgs[0].Code
			require.Len(t, code, 6)
			digits := strings.Split(code, "")
			want := strings.NewReplacer("{code}", code, "{spoken}", strings.Join(digits, ", "), "{spokenJA}", strings.Join(digits, "、")).Replace(tt.want)
			assert.Equal(t, want, m.Text)
			assert.Equal(t, fake.Message{
				Phone: req.Phone, Channel: req.Channel, Text: want, Code: code, Voice: verify.Male,
				Language: tt.language, Originator: "Acme", Reference: "user42", SentAt: e.clock.Now(),
			}, m)
		})
	}
}

// TestSenderErrors: a Sender's error is returned as it is when it is one
// a start may return, and as ErrUnavailable otherwise, never with the
// code in it, however written, nor 4 of its digits in a row; the
// verification is forgotten.
func TestSenderErrors(t *testing.T) {
	upstream := &verify.ProviderError{Provider: "messagebird", HTTPStatus: 422, Err: verify.ErrInvalidPhone}
	tests := []struct {
		name      string
		err       func(code string) error
		want      error
		unchanged bool
	}{
		{"invalid phone", func(string) error { return upstream }, verify.ErrInvalidPhone, true},
		{"rate limited", func(string) error { return &verify.RateLimitError{RetryAfter: time.Minute} }, verify.ErrRateLimited, true},
		{"unsupported", func(string) error { return verify.ErrUnsupported }, verify.ErrUnsupported, true},
		{"unavailable", func(string) error { return verify.ErrUnavailable }, verify.ErrUnavailable, true},
		{"deadline", func(string) error { return context.DeadlineExceeded }, context.DeadlineExceeded, true},
		{"not a sentinel", func(string) error { return errors.New("boom") }, verify.ErrUnavailable, false},
		{"a sentinel no start returns", func(string) error { return verify.ErrNotFound }, verify.ErrUnavailable, false},
		{"holds the code", func(code string) error { return fmt.Errorf("%w: rejected %q", verify.ErrRateLimited, code) }, verify.ErrRateLimited, false},
		{"holds the spoken code", func(code string) error {
			return fmt.Errorf("bad text %q", strings.Join(strings.Split(code, ""), ", "))
		}, verify.ErrUnavailable, false},
		{"holds the spoken code URL-encoded", func(code string) error {
			return fmt.Errorf("400: body=text%%3D%s", url.QueryEscape(spokenCode(code)))
		}, verify.ErrUnavailable, false},
		{"holds the code JSON-escaped", func(code string) error {
			var b strings.Builder
			for _, d := range code {
				fmt.Fprintf(&b, "\\u%04x", d)
			}
			return fmt.Errorf(`%w: {"text":"%s"}`, verify.ErrInvalidPhone, b.String())
		}, verify.ErrInvalidPhone, false},
		{"holds the code in SSML", func(code string) error {
			return fmt.Errorf("bad SSML: <speak>%s</speak>", strings.Join(strings.Split(code, ""), `<break time="300ms"/>`))
		}, verify.ErrUnavailable, false},
		{"holds the spoken code with HTML entities", func(code string) error {
			return fmt.Errorf("bad text: %s", strings.Join(strings.Split(code, ""), "&#44; "))
		}, verify.ErrUnavailable, false},
		{"holds the first 4 digits", func(code string) error {
			return fmt.Errorf("text too long: %q", "Your Acme code is "+spokenCode(code)[:10]+"…")
		}, verify.ErrUnavailable, false},
		{"holds the last 4 digits", func(code string) error { return fmt.Errorf("rejected …%s", code[2:]) }, verify.ErrUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var code string
			failing := senderFunc(func(ctx context.Context, m verify.Message) error {
				require.NoError(t, e.sender.Send(ctx, m))
				code = e.code(t, m.Phone)
				return tt.err(code)
			})
			p, err := otp.New(failing, []byte(secret), otp.WithStore(e.store), otp.WithClock(e.clock.Now))
			require.NoError(t, err)
			ver, err := p.Start(context.Background(), verifytest.Request(verifytest.Phone))
			assert.Nil(t, ver)
			require.ErrorIs(t, err, tt.want)
			if tt.unchanged {
				assert.Equal(t, tt.err(code), err)
			} else {
				assert.NotContains(t, err.Error(), code)
				var pe *verify.ProviderError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, "otp", pe.Provider)
				if strings.HasPrefix(tt.name, "holds") {
					assert.NotContains(t, err.Error(), tt.err(code).Error(), "the error that holds the code is kept")
					assert.Contains(t, pe.Description, "left out")
				}
			}
			assert.NotErrorIs(t, err, verify.ErrNotFound)
			assert.Zero(t, e.store.Len(), "the verification of a failed send is kept")
		})
	}
}

// spokenCode returns code as a call reads it in English: "1, 2, 3, ...".
func spokenCode(code string) string { return strings.Join(strings.Split(code, ""), ", ") }

// TestSenderErrorsKeepTheirDetail: an error whose digits share no run of
// 4 with the code keeps its text, for the logs.
func TestSenderErrorsKeepTheirDetail(t *testing.T) {
	e := newEnv(t)
	failing := senderFunc(func(ctx context.Context, m verify.Message) error {
		return errors.New("upstream answered 503 at 12:00")
	})
	p, err := otp.New(failing, []byte(secret), otp.WithStore(e.store), otp.WithClock(e.clock.Now))
	require.NoError(t, err)
	_, err = p.Start(context.Background(), verifytest.Request(verifytest.Phone))
	assert.ErrorIs(t, err, verify.ErrUnavailable)
	assert.ErrorContains(t, err, "upstream answered 503 at 12:00")
}

type senderFunc func(context.Context, verify.Message) error

func (f senderFunc) Send(ctx context.Context, m verify.Message) error { return f(ctx, m) }

// TestStoreFailure: a failing store makes every call ErrUnavailable, with
// the store's error for the logs.
func TestStoreFailure(t *testing.T) {
	e := newEnv(t)
	ver, err := e.p.Start(context.Background(), verifytest.Request(verifytest.Phone))
	require.NoError(t, err)
	code := e.code(t, verifytest.Phone)
	down := errors.New("connection refused")
	calls := map[string]func() error{
		"Start": func() error {
			_, err := e.p.Start(context.Background(), verifytest.Request(verifytest.Phone))
			return err
		},
		"Check":  func() error { _, err := e.p.Check(context.Background(), ver.ID, code); return err },
		"Status": func() error { _, err := e.p.Status(context.Background(), ver.ID); return err },
		"Cancel": func() error { return e.p.Cancel(context.Background(), ver.ID) },
	}
	for name, call := range calls {
		e.store.failNext(down)
		err := call()
		assert.ErrorIs(t, err, verify.ErrUnavailable, name)
		assert.ErrorIs(t, err, down, name)
	}
	// Each failure came before any change: the code still works.
	got, err := e.p.Check(context.Background(), ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, got.Status)
}

// TestStoreCannotCount: when the store cannot say how a verification
// ended (its Count fails, or answers fewer counts than it was asked for,
// against LimitStore's contract), Status and Check fail closed: the
// store's error as ErrUnavailable, or the context's error as it is;
// never a failed verification read as pending.
func TestStoreCannotCount(t *testing.T) {
	down := errors.New("connection reset")
	tests := []struct {
		name  string
		err   error // of Count; nil: Count answers one count short
		wants []error
	}{
		{"Count fails", down, []error{verify.ErrUnavailable, down}},
		{"Count's context ends", context.DeadlineExceeded, []error{context.DeadlineExceeded}},
		{"Count answers one count short", nil, []error{verify.ErrUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			ver, code := e.started(t) // MaxAttempts 3
			for range 3 {
				e.p.Check(ctx, ver.ID, wrong(code))
			}
			st, err := e.p.Status(ctx, ver.ID)
			require.NoError(t, err)
			require.Equal(t, verify.StatusFailed, st.Status)
			p := e.p
			if tt.err == nil {
				p, err = otp.New(e.sender, []byte(secret), otp.WithStore(shortCountStore{e.store.MemoryLimiter}), otp.WithClock(e.clock.Now))
				require.NoError(t, err)
			}
			calls := map[string]func() error{
				"Status": func() error { _, err := p.Status(ctx, ver.ID); return err },
				"Check":  func() error { _, err := p.Check(ctx, ver.ID, code); return err },
			}
			for name, call := range calls {
				if tt.err != nil {
					e.store.faults(fault{}, fault{err: tt.err}) // the record, then the counts
				}
				err := call()
				for _, want := range tt.wants {
					assert.ErrorIs(t, err, want, name)
				}
			}
		})
	}
}

// shortCountStore is a store out of LimitStore's contract: its Count
// leaves out the last of the counts it was asked for.
type shortCountStore struct{ *verify.MemoryLimiter }

func (s shortCountStore) Count(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	n, err := s.MemoryLimiter.Count(ctx, window, keys...)
	if err != nil || len(n) == 0 {
		return n, err
	}
	return n[:len(n)-1], nil
}

// TestStoreFailureWithinCheck fails each store call of a Check in turn
// (1: the record, 2: how it ended, 3: the attempt, 4: the end, 5: the
// record again, which a success reads; see TestEvictionDuringACheck), before
// or after it takes effect, or cancels the check's context once its
// attempt is taken, and then reads the verification's state. A check
// that failed before taking an attempt changed nothing; one that took
// its attempt runs its end to the end, whatever its context does, and
// tries it again once when the store fails: so an attempt is lost only
// when both tries fail. Were it the last, the verification then stays
// pending with no attempt left, and its right code no longer verifies
// (ErrExpired).
func TestStoreFailureWithinCheck(t *testing.T) {
	down := errors.New("connection reset")
	ok := fault{}
	var cancelCheck func() // cancels the context of the check under test
	cancelCheck = func() {}
	tests := []struct {
		name   string
		wrongs int            // wrong codes before the check (MaxAttempts is 3)
		right  bool           // whether the check has the right code
		plan   func() []fault // the faults of the check's calls
		want   error          // of the check; nil: it verified
		status verify.Status  // after the check
		taken  int            // attempts taken by the check
		// noneLeft: the check lost the last attempt, and the
		// verification stays pending with none left.
		noneLeft bool
	}{
		{name: "1st call fails", right: true, plan: func() []fault { return []fault{{err: down}} }, want: verify.ErrUnavailable, status: verify.StatusPending},
		{name: "2nd call fails", right: true, plan: func() []fault { return []fault{ok, {err: down}} }, want: verify.ErrUnavailable, status: verify.StatusPending},
		{name: "3rd call fails", right: true, plan: func() []fault { return []fault{ok, ok, {err: down}} }, want: verify.ErrUnavailable, status: verify.StatusPending},
		{name: "3rd call's reply lost", right: true, plan: func() []fault { return []fault{ok, ok, {err: down, lost: true}} }, want: verify.ErrUnavailable, status: verify.StatusPending, taken: 1},
		{name: "4th call fails", right: true, plan: func() []fault { return []fault{ok, ok, ok, {err: down}} }, status: verify.StatusVerified, taken: 1},
		{name: "4th call's reply lost", right: true, plan: func() []fault { return []fault{ok, ok, ok, {err: down, lost: true}} }, status: verify.StatusVerified, taken: 1},
		{name: "4th call and its retry fail", right: true, plan: func() []fault { return []fault{ok, ok, ok, {err: down}, {err: down}} }, want: verify.ErrUnavailable, status: verify.StatusPending, taken: 1},
		{name: "5th call fails (the record read again after the end)", right: true, plan: func() []fault { return []fault{ok, ok, ok, ok, {err: down}} }, want: verify.ErrUnavailable, status: verify.StatusVerified, taken: 1},
		{name: "canceled once the attempt is taken", right: true, plan: func() []fault { return []fault{ok, ok, {then: cancelCheck}} }, status: verify.StatusVerified, taken: 1},
		// The last attempt is the 4th call (the 3rd finds the others
		// taken), and its end the 5th.
		{name: "last attempt, its end fails", wrongs: 2, plan: func() []fault { return []fault{ok, ok, ok, ok, {err: down}} }, want: verify.ErrTooManyAttempts, status: verify.StatusFailed, taken: 1},
		{name: "last attempt, its end's reply lost", wrongs: 2, plan: func() []fault { return []fault{ok, ok, ok, ok, {err: down, lost: true}} }, want: verify.ErrTooManyAttempts, status: verify.StatusFailed, taken: 1},
		{name: "last attempt, its end and the end's retry fail", wrongs: 2, plan: func() []fault { return []fault{ok, ok, ok, ok, {err: down}, {err: down}} }, want: verify.ErrUnavailable, status: verify.StatusPending, taken: 1, noneLeft: true},
		{name: "last attempt, canceled once it is taken", wrongs: 2, plan: func() []fault { return []fault{ok, ok, ok, {then: cancelCheck}} }, want: verify.ErrTooManyAttempts, status: verify.StatusFailed, taken: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			bg := context.Background()
			ver, err := e.p.Start(bg, verifytest.Request(verifytest.Phone))
			require.NoError(t, err)
			code := e.code(t, verifytest.Phone)
			for range tt.wrongs {
				_, err := e.p.Check(bg, ver.ID, wrong(code))
				require.ErrorIs(t, err, verify.ErrInvalidCode)
			}
			before := e.store.attemptsTaken()
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			cancelCheck = cancel
			e.store.faults(tt.plan()...)
			guess := code
			if !tt.right {
				guess = wrong(code)
			}
			got, err := e.p.Check(ctx, ver.ID, guess)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, verify.StatusVerified, got.Status)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
			assert.Equal(t, tt.taken, e.store.attemptsTaken()-before, "attempts taken")
			st, err := e.p.Status(bg, ver.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.status, st.Status)
			// Afterwards, the right code: it verifies once while the
			// verification is pending with an attempt left, and never
			// after it ended or lost its last attempt.
			_, err = e.p.Check(bg, ver.ID, code)
			switch {
			case tt.noneLeft:
				assert.ErrorIs(t, err, verify.ErrExpired, "the right code once the last attempt is lost")
			case tt.status == verify.StatusPending:
				assert.NoError(t, err, "the right code after the check")
			case tt.status == verify.StatusVerified:
				assert.ErrorIs(t, err, verify.ErrExpired, "the right code again")
			case tt.status == verify.StatusFailed:
				assert.ErrorIs(t, err, verify.ErrTooManyAttempts, "the right code after the last attempt")
			}
		})
	}
}

// TestEndRetriedAfterAnotherEnd: a check with the right code takes its
// attempt, another check or a Cancel then ends the verification, and the
// check's end fails before it takes effect. Its retry finds the
// verification ended, and no mark of the first try: the check gets how
// the verification ended, and never verifies a code used already or
// canceled.
func TestEndRetriedAfterAnotherEnd(t *testing.T) {
	ctx := context.Background()
	down := errors.New("connection reset")
	tests := []struct {
		name   string
		end    func(t *testing.T, p *otp.Provider, id, code string) // the other call, on the same store
		status verify.Status
	}{
		{"verified by another check", func(t *testing.T, p *otp.Provider, id, code string) {
			_, err := p.Check(ctx, id, code)
			require.NoError(t, err)
		}, verify.StatusVerified},
		{"canceled", func(t *testing.T, p *otp.Provider, id, _ string) { require.NoError(t, p.Cancel(ctx, id)) }, verify.StatusCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ver, code := e.started(t)
			// Another instance, whose calls take no fault of the plan.
			other, err := otp.New(fake.NewSender(), []byte(secret), otp.WithStore(e.store.MemoryLimiter), otp.WithClock(e.clock.Now))
			require.NoError(t, err)
			ok := fault{}
			e.store.faults(ok, ok, fault{then: func() { tt.end(t, other, ver.ID, code) }}, fault{err: down})
			_, err = e.p.Check(ctx, ver.ID, code)
			assert.ErrorIs(t, err, verify.ErrExpired)
			st, err := e.p.Status(ctx, ver.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.status, st.Status)
		})
	}
}

// TestLastWrongCodeAfterACancel: a check of a wrong code takes the last
// attempt, and a Cancel lands before the check ends the verification as
// failed. The verification stays canceled, and the check gets ErrExpired,
// as every check of a canceled verification does, not
// ErrTooManyAttempts, which goes with StatusFailed; also when the check's
// end is tried twice.
func TestLastWrongCodeAfterACancel(t *testing.T) {
	ctx := context.Background()
	ok := fault{}
	tests := []struct {
		name string
		end  fault // the check's end
	}{
		{"end", ok},
		{"end's first try fails", fault{err: errors.New("connection reset")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ver, code := e.started(t) // MaxAttempts 3
			for range 2 {
				_, err := e.p.Check(ctx, ver.ID, wrong(code))
				require.ErrorIs(t, err, verify.ErrInvalidCode)
			}
			// Another instance, whose calls take no fault of the plan.
			other, err := otp.New(fake.NewSender(), []byte(secret), otp.WithStore(e.store.MemoryLimiter), otp.WithClock(e.clock.Now))
			require.NoError(t, err)
			// The record, how it ended, the attempts but the last
			// (refused), the last (then the Cancel), the end.
			e.store.faults(ok, ok, ok, fault{then: func() { require.NoError(t, other.Cancel(ctx, ver.ID)) }}, tt.end)
			_, err = e.p.Check(ctx, ver.ID, wrong(code))
			assert.ErrorIs(t, err, verify.ErrExpired)
			assert.NotErrorIs(t, err, verify.ErrTooManyAttempts)
			st, err := e.p.Status(ctx, ver.ID)
			require.NoError(t, err)
			assert.Equal(t, verify.StatusCanceled, st.Status)
		})
	}
}

// TestMalformedRecord: a record that is not one otp wrote makes the
// verification unusable rather than something else.
func TestMalformedRecord(t *testing.T) {
	e := newEnv(t)
	ver, err := e.p.Start(context.Background(), verifytest.Request(verifytest.Phone))
	require.NoError(t, err)
	recKey := e.store.recordKey(t)
	rec, ok, err := e.store.Get(context.Background(), recKey)
	require.NoError(t, err)
	require.True(t, ok)
	// Another number written in: the record no longer parses... or, if
	// it did, its hash would not match. Either way no code verifies.
	for _, tampered := range []string{
		strings.Replace(rec, verifytest.Phone, "+31687654321", 1),
		strings.Replace(rec, "|3|", "|9|", 1),
		rec[:len(rec)-1],
	} {
		require.NoError(t, e.store.Put(context.Background(), recKey, tampered, time.Hour))
		_, err = e.p.Check(context.Background(), ver.ID, e.code(t, verifytest.Phone))
		assert.True(t, errors.Is(err, verify.ErrUnavailable) || errors.Is(err, verify.ErrInvalidCode), "tampered record %q: %v", tampered, err)
	}
}

// TestVerification: what Start, Check and Status return.
func TestVerification(t *testing.T) {
	e := newEnv(t)
	req := verifytest.Request(verifytest.Phone)
	req.Language = "nl-nl"
	ver, err := e.p.Start(context.Background(), req)
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Za-z0-9_-]{32}$`, ver.ID)
	want := verify.Verification{
		ID: ver.ID, Phone: verifytest.Phone, Channel: verify.Voice, Language: "nl-nl", Status: verify.StatusPending,
		CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(10 * time.Minute), Provider: "otp",
	}
	assert.True(t, ver.CreatedAt.Equal(want.CreatedAt) && ver.ExpiresAt.Equal(want.ExpiresAt), "times %v %v", ver.CreatedAt, ver.ExpiresAt)
	ver.CreatedAt, ver.ExpiresAt = want.CreatedAt, want.ExpiresAt
	assert.Equal(t, want, *ver)

	got, err := e.p.Check(context.Background(), ver.ID, e.code(t, verifytest.Phone))
	require.NoError(t, err)
	want.Status = verify.StatusVerified
	got.CreatedAt, got.ExpiresAt = want.CreatedAt, want.ExpiresAt
	assert.Equal(t, want, *got)

	// A verification answers Status for an hour after its expiry, then
	// is forgotten.
	e.clock.Advance(10*time.Minute + time.Hour - time.Second)
	st, err := e.p.Status(context.Background(), ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, st.Status)
	e.clock.Advance(time.Second)
	_, err = e.p.Status(context.Background(), ver.ID)
	assert.ErrorIs(t, err, verify.ErrNotFound)
}

// TestTimesKeepTheClocksZone: Start, Check and Status give the times in
// the zone of the Provider's clock, to the nanosecond.
func TestTimesKeepTheClocksZone(t *testing.T) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	c := verifytest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 6, zone))
	s := fake.NewSender()
	p, err := otp.New(s, []byte(secret), otp.WithClock(c.Now))
	require.NoError(t, err)
	ctx := context.Background()
	ver, err := p.Start(ctx, verifytest.Request(verifytest.Phone))
	require.NoError(t, err)
	code, _ := s.LastCode(verifytest.Phone)
	st, err := p.Status(ctx, ver.ID)
	require.NoError(t, err)
	got, err := p.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	for _, v := range []*verify.Verification{ver, st, got} {
		assert.Equal(t, c.Now(), v.CreatedAt, "%s: CreatedAt", v.Status)
		assert.Equal(t, c.Now().Add(10*time.Minute), v.ExpiresAt, "%s: ExpiresAt", v.Status)
	}
}

// TestStatusAfterEachEnd: how a verification ended stays, whatever comes
// after: a Cancel, which returns nil, changes nothing.
func TestStatusAfterEachEnd(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		end      func(e *env, id, code string)
		want     verify.Status
		checkErr error // of the right code afterwards
	}{
		{"verified", func(e *env, id, code string) { e.p.Check(ctx, id, code) }, verify.StatusVerified, verify.ErrExpired},
		{"failed", func(e *env, id, code string) {
			for range 3 {
				e.p.Check(ctx, id, wrong(code))
			}
		}, verify.StatusFailed, verify.ErrTooManyAttempts},
		{"canceled", func(e *env, id, code string) { e.p.Cancel(ctx, id) }, verify.StatusCanceled, verify.ErrExpired},
		{"expired", func(e *env, id, code string) { e.clock.Advance(10 * time.Minute) }, verify.StatusExpired, verify.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ver, code := e.started(t)
			tt.end(e, ver.ID, code)
			require.NoError(t, e.p.Cancel(ctx, ver.ID), "Cancel after the end")
			e.clock.Advance(11 * time.Minute) // past the expiry
			st, err := e.p.Status(ctx, ver.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, st.Status)
			_, err = e.p.Check(ctx, ver.ID, code)
			assert.ErrorIs(t, err, tt.checkErr)
		})
	}
}

// wrong returns a code of the same length that differs from code.
func wrong(code string) string {
	return string('0'+(code[0]-'0'+1)%10) + code[1:]
}

// TestEveryLanguageThroughAVerifier: with the built-in texts of each of
// the 19 languages, a call reads the code digit by digit, exactly twice,
// a text holds it as is, no "%token" is left, and the code checks.
func TestEveryLanguageThroughAVerifier(t *testing.T) {
	for _, lang := range verify.Languages() {
		t.Run(lang, func(t *testing.T) {
			e := newEnv(t)
			v, err := verify.New(e.p, verify.WithLimiter(newSpyStore(e.clock.Now)), verify.WithResendCooldown(0))
			require.NoError(t, err)
			for _, ch := range []verify.Channel{verify.Voice, verify.SMS} {
				ver, err := v.Start(context.Background(), "+31612345678", verify.WithLanguage(lang), verify.WithChannel(ch))
				require.NoError(t, err)
				assert.Equal(t, lang, ver.Language)
				msgs := e.sender.Messages()
				m := msgs[len(msgs)-1]
				assert.Equal(t, lang, m.Language)
				assert.NotContains(t, m.Text, "%token")
				spoken := strings.Join(strings.Split(m.Code, ""), ", ")
				if lang == "zh-cn" || lang == "ja-jp" {
					spoken = strings.Join(strings.Split(m.Code, ""), "、")
				}
				if ch == verify.Voice {
					assert.Equal(t, 2, strings.Count(m.Text, spoken), "times the call says the code: %q", m.Text)
					assert.NotContains(t, m.Text, m.Code)
				} else {
					assert.Contains(t, m.Text, m.Code)
				}
				got, err := v.Check(context.Background(), ver.ID, m.Code)
				require.NoError(t, err)
				assert.True(t, got.Verified())
			}
		})
	}
}
