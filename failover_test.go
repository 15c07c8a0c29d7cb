package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/verifytest"
)

const failoverPhone = "+31612345678"

// newMessageBird starts an emulator and a MessageBird Provider talking to
// it, with c as its HTTP client when not nil.
func newMessageBird(t *testing.T, c *http.Client) (*mbtest.Server, *messagebird.Provider) {
	t.Helper()
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	opts := []messagebird.Option{messagebird.WithEndpoint(s.URL)}
	if c != nil {
		opts = append(opts, messagebird.WithHTTPClient(c))
	}
	p, err := messagebird.New(mbtest.AccessKey, opts...)
	require.NoError(t, err)
	t.Cleanup(p.CloseIdleConnections)
	return s, p
}

// failoverVerifier returns a Verifier on p that logs to the returned
// buffer and tells rec its events.
func failoverVerifier(t *testing.T, p verify.Provider, rec *recorder) (*verify.Verifier, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	v, err := verify.New(p, append(append([]verify.Option{}, noLimits...),
		verify.WithObserver(rec), verify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
	require.NoError(t, err)
	return v, &logs
}

// onlyEvent returns the only event rec holds, and forgets it.
func onlyEvent(t *testing.T, rec *recorder) verify.Event {
	t.Helper()
	events := rec.take()
	require.Len(t, events, 1)
	return events[0]
}

func TestFailoverFromMessageBirdToFake(t *testing.T) {
	faults := []struct {
		name   string
		client *http.Client
		fault  mbtest.Fault
	}{
		{"500", nil, mbtest.InternalError()},
		{"502 page", nil, mbtest.BadGateway()},
		{"dropped", nil, mbtest.Drop()},
		// The Provider's own timeout, far shorter than the delay: the
		// outcome does not depend on how fast the machine is.
		{"slow", &http.Client{Timeout: 50 * time.Millisecond}, mbtest.Delay(time.Hour)},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			s, mb := newMessageBird(t, tt.client)
			fk := fake.New()
			rec := &recorder{}
			v, logs := failoverVerifier(t, verify.Failover(mb, fk), rec)
			ctx := context.Background()

			s.Inject(tt.fault)
			ver, err := v.Start(ctx, failoverPhone)
			require.NoError(t, err)
			assert.Equal(t, "fake", ver.Provider)
			assert.True(t, strings.HasPrefix(ver.ID, "f1-"), "id %q routes to the second provider", ver.ID)
			assert.Empty(t, s.Messages(), "MessageBird sent nothing")
			ev := onlyEvent(t, rec)
			assert.NoError(t, ev.Err)
			assert.Equal(t, "fake", ev.Provider)
			assert.Equal(t, 1, ev.Failovers)

			log := logs.String()
			assert.Contains(t, log, "level=WARN")
			assert.Contains(t, log, "trying the next")
			assert.Contains(t, log, "provider=1 name=messagebird")
			assert.Contains(t, log, verify.MaskPhone(failoverPhone))
			assert.NotContains(t, log, failoverPhone)

			code, ok := fk.LastCode(failoverPhone)
			require.True(t, ok)
			got, err := v.Check(ctx, ver.ID, code)
			require.NoError(t, err)
			assert.Equal(t, ver.ID, got.ID)
			assert.True(t, got.Verified())
			ev = onlyEvent(t, rec)
			assert.Equal(t, "fake", ev.Provider)
			assert.Zero(t, ev.Failovers)
		})
	}
}

func TestFailoverFromFakeToMessageBird(t *testing.T) {
	s, mb := newMessageBird(t, nil)
	fk := fake.New()
	rec := &recorder{}
	v, logs := failoverVerifier(t, verify.Failover(fk, mb), rec)
	ctx := context.Background()

	fk.FailNext(verify.ErrUnavailable)
	ver, err := v.Start(ctx, failoverPhone)
	require.NoError(t, err)
	assert.Empty(t, fk.Messages(), "the fake sent nothing")
	inner, ok := strings.CutPrefix(ver.ID, "f1-")
	require.True(t, ok, "id %q routes to the second provider", ver.ID)
	assert.Equal(t, 1, onlyEvent(t, rec).Failovers)
	assert.Contains(t, logs.String(), "level=WARN msg=\"verify: provider failed; trying the next\" provider=1 error=")

	// Check, Status and Cancel reach MessageBird, under the Failover id.
	code, ok := s.Code(inner)
	require.True(t, ok)
	_, err = v.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	got, err := v.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, ver.ID, got.ID)
	st, err := v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, st.Status)
	assert.Equal(t, ver.ID, st.ID)

	other, err := v.Start(ctx, "+31612345679")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(other.ID, "f0-"), "the fake is back: id %q", other.ID)
	require.NoError(t, v.Cancel(ctx, ver.ID))
	_, err = mb.Status(ctx, inner)
	assert.ErrorIs(t, err, verify.ErrNotFound, "MessageBird deleted it")
	// Every request after the create named MessageBird's own id.
	reqs := s.Requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, "/verify", reqs[0].Path)
	for _, r := range reqs[1:] {
		assert.Equal(t, "/verify/"+inner, r.Path, r.Method)
	}
	assert.Equal(t, http.MethodDelete, reqs[len(reqs)-2].Method)
}

// TestFailoverFromMessageBirdToOTP is the setup the README suggests, in
// small: MessageBird's Verify API first, codes of the library's own
// second (over the fake Sender here), sharing the Verifier's store.
func TestFailoverFromMessageBirdToOTP(t *testing.T) {
	s, mb := newMessageBird(t, nil)
	sender := fake.NewSender()
	store := &verify.MemoryLimiter{}
	own, err := otp.New(sender, bytes.Repeat([]byte("k"), 32), otp.WithStore(store))
	require.NoError(t, err)
	rec := &recorder{}
	v, err := verify.New(verify.Failover(mb, own), verify.WithLimiter(store), verify.WithObserver(rec))
	require.NoError(t, err)
	ctx := context.Background()

	s.Inject(mbtest.InternalError())
	ver, err := v.Start(ctx, failoverPhone, verify.WithChannel(verify.SMS))
	require.NoError(t, err)
	assert.Equal(t, "otp", ver.Provider)
	ev := onlyEvent(t, rec)
	assert.Equal(t, "otp", ev.Provider)
	assert.Equal(t, 1, ev.Failovers)

	code, ok := sender.LastCode(failoverPhone)
	require.True(t, ok)
	_, err = v.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, "otp", onlyEvent(t, rec).Provider)

	// MessageBird is back: the next start is its.
	ver, err = v.Start(ctx, "+31612345679")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ver.ID, "f0-"), ver.ID)
	assert.Len(t, s.Messages(), 1)
}

// down is a Provider whose starts fail with err. It knows no
// verification.
type down struct {
	err    error
	starts atomic.Int32
}

func (d *down) Start(context.Context, verify.Request) (*verify.Verification, error) {
	d.starts.Add(1)
	return nil, d.err
}

func (d *down) Check(context.Context, string, string) (*verify.Verification, error) {
	return nil, verify.ErrNotFound
}

func (d *down) Status(context.Context, string) (*verify.Verification, error) {
	return nil, verify.ErrNotFound
}

func (d *down) Cancel(context.Context, string) error { return verify.ErrNotFound }

func TestFailoverRoutesEachIDToItsProvider(t *testing.T) {
	a, b := fake.New(), fake.New()
	p := verify.Failover(a, b)
	ctx := context.Background()
	req := verifytest.Request(failoverPhone)

	fromA, err := p.Start(ctx, req)
	require.NoError(t, err)
	a.FailNext(verify.ErrUnsupported)
	fromB, err := p.Start(ctx, req)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(fromA.ID, "f0-"), fromA.ID)
	require.True(t, strings.HasPrefix(fromB.ID, "f1-"), fromB.ID)

	codeA, _ := a.Code(strings.TrimPrefix(fromA.ID, "f0-"))
	codeB, _ := b.Code(strings.TrimPrefix(fromB.ID, "f1-"))
	require.NotEmpty(t, codeA)
	require.NotEmpty(t, codeB)

	// Each code works only under its own id: the other provider does not
	// know the verification.
	_, err = p.Check(ctx, "f1-"+strings.TrimPrefix(fromA.ID, "f0-"), codeA)
	assert.ErrorIs(t, err, verify.ErrNotFound)
	got, err := p.Check(ctx, fromA.ID, codeA)
	require.NoError(t, err)
	assert.Equal(t, fromA.ID, got.ID)
	assert.Equal(t, "fake", got.Provider)

	sp := p.(verify.StatusProvider)
	st, err := sp.Status(ctx, fromB.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusPending, st.Status)
	require.NoError(t, p.(verify.Canceler).Cancel(ctx, fromB.ID))
	inB, err := b.Status(ctx, strings.TrimPrefix(fromB.ID, "f1-"))
	require.NoError(t, err)
	assert.Equal(t, verify.StatusCanceled, inB.Status, "the cancel reached b")
	inA, err := a.Status(ctx, strings.TrimPrefix(fromA.ID, "f0-"))
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, inA.Status)

	// An id without a prefix is primary's own (from before Failover).
	plain, err := a.Start(ctx, req)
	require.NoError(t, err)
	plainCode, _ := a.Code(plain.ID)
	got, err = p.Check(ctx, plain.ID, plainCode)
	require.NoError(t, err)
	assert.Equal(t, plain.ID, got.ID)

	for _, id := range []string{"f2-" + strings.TrimPrefix(fromA.ID, "f0-"), "f9999-x"} {
		_, err = p.Check(ctx, id, codeA)
		assert.ErrorIs(t, err, verify.ErrNotFound, id)
		_, err = sp.Status(ctx, id)
		assert.ErrorIs(t, err, verify.ErrNotFound, id)
		assert.ErrorIs(t, p.(verify.Canceler).Cancel(ctx, id), verify.ErrNotFound, id)
	}
}

func TestFailoverStatusAndCancelNeedThatProvidersSupport(t *testing.T) {
	fk := fake.New()
	noStatus := &spy{}
	p := verify.Failover(noStatus, fk)
	v := newVerifier(t, p)
	ctx := context.Background()

	ver, err := v.Start(ctx, failoverPhone)
	require.NoError(t, err)
	require.Equal(t, "f0-id1", ver.ID)
	_, err = v.Status(ctx, ver.ID)
	assert.ErrorIs(t, err, verify.ErrUnsupported)
	assert.ErrorIs(t, v.Cancel(ctx, ver.ID), verify.ErrUnsupported)

	// The fake's verifications have both.
	noStatus.start = func(verify.Request) (*verify.Verification, error) { return nil, verify.ErrUnavailable }
	ver, err = v.Start(ctx, failoverPhone)
	require.NoError(t, err)
	st, err := v.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusPending, st.Status)
	assert.NoError(t, v.Cancel(ctx, ver.ID))
}

func TestFailoverReturnsOtherErrorsAtOnce(t *testing.T) {
	for _, sentinel := range []error{
		verify.ErrInvalidPhone, verify.ErrRateLimited, verify.ErrInvalidOption,
		&verify.PhoneError{Code: "refused", Reason: "the provider refused the number"},
		&verify.ProviderError{Provider: "messagebird", HTTPStatus: 422, Code: 10, Err: verify.ErrInvalidPhone},
	} {
		t.Run(sentinel.Error(), func(t *testing.T) {
			primary := fake.New()
			second := &down{err: verify.ErrUnavailable}
			rec := &recorder{}
			v, logs := failoverVerifier(t, verify.Failover(primary, second), rec)

			primary.FailNext(sentinel)
			_, err := v.Start(context.Background(), failoverPhone)
			assert.ErrorIs(t, err, sentinel)
			assert.Zero(t, second.starts.Load(), "the second provider was not tried")
			ev := onlyEvent(t, rec)
			assert.Zero(t, ev.Failovers)
			assert.NotContains(t, logs.String(), "trying the next")
		})
	}
}

func TestFailoverWhenAllAreDown(t *testing.T) {
	s, mb := newMessageBird(t, nil)
	fk := fake.New()
	rec := &recorder{}
	v, logs := failoverVerifier(t, verify.Failover(fk, mb), rec)

	fk.FailNext(verify.ErrUnavailable)
	s.Inject(mbtest.InternalError())
	_, err := v.Start(context.Background(), failoverPhone)
	require.Error(t, err)
	assert.ErrorIs(t, err, verify.ErrUnavailable)
	assert.NotErrorIs(t, err, verify.ErrUnsupported)
	assert.Contains(t, err.Error(), "all 2 providers failed")
	assert.Contains(t, err.Error(), "provider 2: messagebird: provider unavailable")
	assert.Contains(t, err.Error(), "(HTTP 500)")
	ev := onlyEvent(t, rec)
	assert.Equal(t, 1, ev.Failovers)
	assert.Equal(t, verify.OutcomeUnavailable, ev.Outcome())
	assert.Equal(t, 1, strings.Count(logs.String(), "trying the next"), "the last failure is no failover")
	assert.Contains(t, logs.String(), "verify: start failed")
}

func TestFailoverErrorOfAllFailures(t *testing.T) {
	ctx := context.Background()
	req := verifytest.Request(failoverPhone)
	unsupported := &down{err: verify.ErrUnsupported}
	unavailable := &down{err: verify.ErrUnavailable}

	_, err := verify.Failover(unsupported, unsupported).Start(ctx, req)
	assert.ErrorIs(t, err, verify.ErrUnsupported, "no provider can serve the request")
	assert.NotErrorIs(t, err, verify.ErrUnavailable)

	_, err = verify.Failover(unsupported, unavailable).Start(ctx, req)
	assert.ErrorIs(t, err, verify.ErrUnavailable, "one that could is down")
	assert.NotErrorIs(t, err, verify.ErrUnsupported)

	// An error that matches no sentinel is a provider down, as for a
	// Verifier.
	odd := &down{err: errOdd}
	fk := fake.New()
	ver, err := verify.Failover(odd, fk).Start(ctx, req)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ver.ID, "f1-"))
}

type oddError struct{}

func (oddError) Error() string { return "something odd" }

var errOdd = oddError{}

func TestFailoverStopsWhenTheContextEnds(t *testing.T) {
	primary := fake.New()
	second := &down{err: verify.ErrUnavailable}
	p := verify.Failover(primary, second)

	ctx, cancel := context.WithCancel(context.Background())
	primary.StallNext()
	time.AfterFunc(10*time.Millisecond, cancel)
	_, err := p.Start(ctx, verifytest.Request(failoverPhone))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, second.starts.Load())
}

func TestFailoverNilProvider(t *testing.T) {
	p := verify.Failover(fake.New(), nil)
	ctx := context.Background()
	a := p.(verify.StatusProvider)
	_, err := a.Status(ctx, "f1-abc")
	assert.ErrorIs(t, err, verify.ErrInvalidOption)
	assert.Contains(t, err.Error(), "provider 2 is nil")

	p = verify.Failover(&down{err: verify.ErrUnavailable}, nil)
	_, err = p.Start(ctx, verifytest.Request(failoverPhone))
	assert.ErrorIs(t, err, verify.ErrInvalidOption)
	assert.Contains(t, err.Error(), "provider 2 is nil")
}

// TestFailoverIDPrefix pins which ids carry a provider's prefix: "f", an
// index as failoverPrefix writes it (no leading zero, at most four
// digits) and "-". An id with such a prefix that names no provider is
// refused without asking any; any other id is primary's own, passed on
// whole.
func TestFailoverIDPrefix(t *testing.T) {
	tests := []struct {
		id        string
		toPrimary string // the id primary gets; "" when refused as ErrNotFound
	}{
		{"f0-abc", "abc"},
		{"f2-abc", ""},
		{"f12-abc", ""},
		{"f1000-abc", ""},
		{"f9999-abc", ""},
		{"f10000-abc", "f10000-abc"}, // five digits: no prefix
		{"f01-abc", "f01-abc"},       // a leading zero: no prefix
		{"f00-abc", "f00-abc"},
		{"f-abc", "f-abc"},
		{"f1-", "f1-"},
		{"fabc", "fabc"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var got []string
			primary := &spy{check: func(id, code string) (*verify.Verification, error) {
				got = append(got, id)
				return &verify.Verification{ID: id, Status: verify.StatusVerified}, nil
			}}
			p := verify.Failover(primary, fake.New())
			_, err := p.Check(context.Background(), tt.id, "123456")
			if tt.toPrimary == "" {
				assert.ErrorIs(t, err, verify.ErrNotFound)
				assert.Empty(t, got, "no provider is asked")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{tt.toPrimary}, got)
		})
	}
}

func TestFailoverNests(t *testing.T) {
	a, b, c := &down{err: verify.ErrUnavailable}, &down{err: verify.ErrUnavailable}, fake.New()
	rec := &recorder{}
	v, _ := failoverVerifier(t, verify.Failover(verify.Failover(a, b), c), rec)
	ctx := context.Background()
	ver, err := v.Start(ctx, failoverPhone)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ver.ID, "f1-"), ver.ID)
	assert.Equal(t, 2, onlyEvent(t, rec).Failovers, "a within the inner Failover, then the inner one")
	code, _ := c.LastCode(failoverPhone)
	_, err = v.Check(ctx, ver.ID, code)
	assert.NoError(t, err)
}

func TestFailoverConformance(t *testing.T) {
	t.Run("FakeThenFake", func(t *testing.T) {
		verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
			clock := verifytest.NewClock(time.Now())
			a, b := fake.New(fake.WithClock(clock.Now)), fake.New(fake.WithClock(clock.Now))
			return verifytest.Harness{
				Provider: verify.Failover(a, b),
				Code: func(ver *verify.Verification) string {
					code, _ := a.Code(strings.TrimPrefix(ver.ID, "f0-"))
					return code
				},
				Advance: clock.Advance,
				Stall:   a.StallNext,
			}
		})
	})
	t.Run("DownThenFake", func(t *testing.T) {
		verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
			clock := verifytest.NewClock(time.Now())
			b := fake.New(fake.WithClock(clock.Now))
			return verifytest.Harness{
				Provider: verify.Failover(&down{err: verify.ErrUnavailable}, b),
				Code: func(ver *verify.Verification) string {
					code, _ := b.Code(strings.TrimPrefix(ver.ID, "f1-"))
					return code
				},
				Advance: clock.Advance,
				Stall:   b.StallNext,
			}
		})
	})
}

func TestEventNamesTheProvider(t *testing.T) {
	ctx := context.Background()
	t.Run("FromTheVerification", func(t *testing.T) {
		rec := &recorder{}
		fk := fake.New(fake.WithCode("123456"))
		v, _ := failoverVerifier(t, fk, rec)
		ver, err := v.Start(ctx, failoverPhone)
		require.NoError(t, err)
		_, err = v.Check(ctx, ver.ID, "123456")
		require.NoError(t, err)
		_, err = v.Status(ctx, ver.ID)
		require.NoError(t, err)
		for _, e := range rec.take() {
			assert.Equal(t, "fake", e.Provider, e.Op)
		}
	})
	t.Run("FromTheProviderError", func(t *testing.T) {
		rec := &recorder{}
		s, mb := newMessageBird(t, nil)
		v, _ := failoverVerifier(t, mb, rec)
		s.Inject(mbtest.InternalError())
		_, err := v.Start(ctx, failoverPhone)
		require.ErrorIs(t, err, verify.ErrUnavailable)
		assert.Equal(t, "messagebird", onlyEvent(t, rec).Provider)
	})
	t.Run("NoneWhenRefused", func(t *testing.T) {
		rec := &recorder{}
		v, _ := failoverVerifier(t, fake.New(), rec)
		_, err := v.Start(ctx, "12")
		require.ErrorIs(t, err, verify.ErrInvalidPhone)
		assert.Empty(t, onlyEvent(t, rec).Provider)
	})
}

func ExampleFailover() {
	ctx := context.Background()
	primary, second := fake.New(), fake.New(fake.WithCode("123456"))
	v, _ := verify.New(verify.Failover(primary, second))

	primary.FailNext(verify.ErrUnavailable) // the primary is down
	ver, err := v.Start(ctx, "+31612345678")
	fmt.Println(ver.ID[:3], err)

	// The check goes to the provider that sent the code.
	ver, err = v.Check(ctx, ver.ID, "123456")
	fmt.Println(ver.Status, err)
	// Output:
	// f1- <nil>
	// verified <nil>
}
