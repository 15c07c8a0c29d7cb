package verify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is an Observer that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []verify.Event
}

func (r *recorder) Observe(_ context.Context, e verify.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) take() []verify.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

func TestObserverSeesEveryCallOnce(t *testing.T) {
	rec := &recorder{}
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p, verify.WithObserver(rec))
	ctx := context.Background()

	ver, err := v.Start(ctx, "+31 6 12345678", verify.WithLanguage("nl-nl"))
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, "000000")
	require.ErrorIs(t, err, verify.ErrInvalidCode, "wrong code")
	_, err = v.Check(ctx, ver.ID, "123456")
	require.NoError(t, err)
	_, err = v.Status(ctx, ver.ID)
	require.NoError(t, err)
	require.NoError(t, v.Cancel(ctx, ver.ID))
	_, err = v.Start(ctx, "+31 6")
	require.ErrorIs(t, err, verify.ErrInvalidPhone, "short number")

	ev := rec.take()
	want := []struct {
		op      verify.Op
		err     error
		id      string
		channel verify.Channel
		region  string
	}{
		{verify.OpStart, nil, ver.ID, verify.Voice, "NL"},
		{verify.OpCheck, verify.ErrInvalidCode, ver.ID, verify.Voice, "NL"},
		{verify.OpCheck, nil, ver.ID, verify.Voice, "NL"},
		{verify.OpStatus, nil, ver.ID, verify.Voice, ""},
		{verify.OpCancel, nil, ver.ID, "", ""},
		{verify.OpStart, verify.ErrInvalidPhone, "", "", ""},
	}
	require.Len(t, ev, len(want), "events")
	for i, w := range want {
		e := ev[i]
		assert.Equal(t, w.op, e.Op, "event %d", i)
		assert.Equal(t, w.id, e.ID, "event %d", i)
		assert.Equal(t, w.channel, e.Channel, "event %d", i)
		assert.Equal(t, w.region, e.Region, "event %d", i)
		if w.err == nil {
			assert.NoError(t, e.Err, "event %d", i)
		} else {
			assert.ErrorIs(t, e.Err, w.err, "event %d", i)
		}
	}
	assert.Equal(t, "nl-nl", ev[0].Language, "start event")
	assert.Equal(t, "mobile", ev[0].LineType, "start event")
	assert.Positive(t, ev[0].Duration, "duration of the start")
	assert.Zero(t, ev[5].Duration, "duration of the refused start")
}

func TestObserverIsToldWhichLimitRefused(t *testing.T) {
	rec := &recorder{}
	v, err := verify.New(fake.New(), verify.WithObserver(rec))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	_, err = v.Start(ctx, "+31612345678")
	require.ErrorIs(t, err, verify.ErrRateLimited, "second start")
	ev := rec.take()
	require.Len(t, ev, 2, "events")
	assert.Equal(t, "resend_cooldown", ev[1].Limit, "want the second refused by the resend cooldown")
	assert.Equal(t, "NL", ev[1].Region)
	assert.Empty(t, ev[1].ID)
}

type panicky struct{ calls int }

func (p *panicky) Observe(context.Context, verify.Event) { p.calls++; panic("observer bug") }

func TestPanickingObserverBreaksNothing(t *testing.T) {
	var logs bytes.Buffer
	obs := &panicky{}
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p, verify.WithObserver(obs), verify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, "123456")
	require.NoError(t, err)
	assert.Equal(t, 2, obs.calls, "Observe calls")
	assert.Equal(t, 1, strings.Count(logs.String(), "observer panicked"), "the panic was logged other than once:\n%s", logs.String())
}

// panickyTagger is a Tagger whose Tag panics.
type panickyTagger struct{ recorder }

func (*panickyTagger) Tag(context.Context, verify.Op) context.Context { panic("tagger bug") }

// A Tagger whose Tag panics breaks no call: each goes on with the caller's
// context, and Observe still sees every call.
func TestPanickingTaggerBreaksNothing(t *testing.T) {
	var logs bytes.Buffer
	obs := &panickyTagger{}
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p, verify.WithObserver(obs), verify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	ver, err = v.Check(ctx, ver.ID, "123456")
	require.NoError(t, err)
	assert.True(t, ver.Verified())
	_, err = v.Status(ctx, ver.ID)
	assert.NoError(t, err)
	assert.Len(t, obs.take(), 3)
	assert.Equal(t, 1, strings.Count(logs.String(), "observer panicked"), logs.String())
}

// tagger records the context it tagged and what Observe received.
type tagger struct {
	recorder
	tagged []verify.Op
	seen   []any
}

type tagKey struct{}

func (t *tagger) Tag(ctx context.Context, op verify.Op) context.Context {
	t.tagged = append(t.tagged, op)
	return context.WithValue(ctx, tagKey{}, op)
}

func (t *tagger) Observe(ctx context.Context, e verify.Event) {
	t.seen = append(t.seen, ctx.Value(tagKey{}))
	t.recorder.Observe(ctx, e)
}

// ctxSpy is a provider that records a value of the context it is given.
type ctxSpy struct {
	spy
	got any
}

func (c *ctxSpy) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	c.got = ctx.Value(tagKey{})
	return c.spy.Start(ctx, req)
}

func TestTaggerContextReachesProviderAndObserve(t *testing.T) {
	tg := &tagger{}
	p := &ctxSpy{}
	v := newVerifier(t, p, verify.WithObserver(tg))
	_, err := v.Start(context.Background(), "+31612345678")
	require.NoError(t, err)
	assert.Equal(t, verify.OpStart, p.got, "the provider's context: want it tagged")
	require.Len(t, tg.seen, 1, "Observe calls")
	assert.Equal(t, verify.OpStart, tg.seen[0], "Observe's context: want it tagged")
}

func TestEventsCarryNoSecrets(t *testing.T) {
	rec := &recorder{}
	p := fake.New(fake.WithCode("987654"))
	v := newVerifier(t, p, verify.WithObserver(rec))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	v.Check(ctx, ver.ID, "111111")
	v.Check(ctx, ver.ID, "987654")
	noSecrets(t, rec.take(), "987654", "111111", "612345678")
}

func TestEventOutcomeRefusedReason(t *testing.T) {
	canceled := fmt.Errorf("%w: %w", context.Canceled, verify.ErrUnavailable)
	tests := []struct {
		name    string
		e       verify.Event
		outcome verify.Outcome
		refused bool
		reason  string
	}{
		{"success", verify.Event{Called: true}, verify.OutcomeOK, false, ""},
		{"wrong code", verify.Event{Err: verify.ErrInvalidCode, Called: true}, verify.OutcomeInvalidCode, false, ""},
		{"malformed code", verify.Event{Err: verify.ErrInvalidCode}, verify.OutcomeInvalidCode, true, "invalid_code"},
		{"short number", verify.Event{Err: &verify.PhoneError{Code: "too_short"}}, verify.OutcomeInvalidPhone, true, "too_short"},
		{"premium rate", verify.Event{Err: &verify.PhoneError{Code: "line_type"}}, verify.OutcomeInvalidPhone, true, "line_type"},
		{"cooldown", verify.Event{Err: &verify.RateLimitError{Limit: "resend_cooldown"}, Limit: "resend_cooldown"}, verify.OutcomeRateLimited, true, "resend_cooldown"},
		{"pumping guard", verify.Event{Err: &pumping{verify.RateLimitError{Limit: "pumping_guard"}}, Limit: "pumping_guard"}, verify.OutcomeSuspectedPumping, true, "pumping_guard"},
		{"provider's limit", verify.Event{Err: &verify.RateLimitError{Limit: "messagebird"}, Limit: "messagebird", Called: true}, verify.OutcomeRateLimited, false, ""},
		{"provider down", verify.Event{Err: verify.ErrUnavailable, Called: true}, verify.OutcomeUnavailable, false, ""},
		{"limiter down", verify.Event{Err: verify.ErrUnavailable}, verify.OutcomeUnavailable, true, "unavailable"},
		{"canceled in flight", verify.Event{Err: canceled, Called: true}, verify.OutcomeCanceled, false, ""},
		{"canceled before", verify.Event{Err: context.Canceled}, verify.OutcomeCanceled, false, ""},
		{"deadline", verify.Event{Err: context.DeadlineExceeded}, verify.OutcomeTimeout, false, ""},
		{"expired", verify.Event{Err: verify.ErrExpired, Called: true}, verify.OutcomeExpired, false, ""},
		{"attempts", verify.Event{Err: verify.ErrTooManyAttempts}, verify.OutcomeTooManyAttempts, true, "too_many_attempts"},
		{"unknown error", verify.Event{Err: errors.New("boom"), Called: true}, verify.OutcomeError, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.outcome, tt.e.Outcome(), "Outcome()")
			assert.Equal(t, tt.refused, tt.e.Refused(), "Refused()")
			assert.Equal(t, tt.reason, tt.e.Reason(), "Reason()")
		})
	}
}

// pumping is an error like the SMS-pumping guard's: a *RateLimitError
// that matches ErrSuspectedPumping too.
type pumping struct{ verify.RateLimitError }

func (p *pumping) Is(target error) bool {
	return target == verify.ErrSuspectedPumping || target == verify.ErrRateLimited
}

// flowHarness is what the provider-independent event test needs of a
// provider: the provider, the code it sent for a verification, and a way
// to make its next call fail as an outage would.
type flowHarness struct {
	provider verify.Provider
	code     func(id string) string
	fail     func()
}

// eventFlow runs the same flow on h and returns its events, with ids
// replaced by "id1", "id2", ... in order of appearance.
func eventFlow(t *testing.T, h flowHarness) []verify.Event {
	t.Helper()
	rec := &recorder{}
	v, err := verify.New(h.provider, verify.WithObserver(rec), verify.WithDefaultRegion("NL"))
	require.NoError(t, err)
	ctx := context.Background()
	ver, err := v.Start(ctx, "06 12345678", verify.WithLanguage("nl-nl"))
	require.NoError(t, err)
	v.Start(ctx, "06 12345678")  // resend cooldown
	v.Start(ctx, "call me")      // not a number
	v.Start(ctx, "0900 1234567") // premium rate
	v.Check(ctx, ver.ID, wrong(h.code(ver.ID)))
	v.Check(ctx, ver.ID, "12") // malformed
	_, err = v.Check(ctx, ver.ID, h.code(ver.ID))
	require.NoError(t, err, "right code")
	v.Check(ctx, ver.ID, h.code(ver.ID)) // used
	v.Status(ctx, ver.ID)
	sms, err := v.Start(ctx, "+44 7400 123456", verify.WithChannel(verify.SMS))
	require.NoError(t, err)
	codes := []string{h.code(ver.ID), wrong(h.code(ver.ID)), h.code(sms.ID)}
	v.Cancel(ctx, sms.ID)
	v.Check(ctx, "0123456789abcdef0123456789abcdef", "123456") // unknown id
	v.Check(ctx, "../admin", "123456")                         // malformed id
	h.fail()
	v.Start(ctx, "+32 470 12 34 56") // outage

	ev := rec.take()
	noSecrets(t, ev, codes...)
	ids := map[string]string{"": ""}
	for i := range ev {
		if _, ok := ids[ev[i].ID]; !ok {
			ids[ev[i].ID] = fmt.Sprintf("id%d", len(ids))
		}
		ev[i].ID = ids[ev[i].ID]
	}
	return ev
}

// noSecrets fails t when an event's text, error included, contains one of
// secrets.
func noSecrets(t *testing.T, events []verify.Event, secrets ...string) {
	t.Helper()
	require.NotContains(t, secrets, "", "no secret to look for")
	for _, e := range events {
		s := strings.Join([]string{string(e.Op), e.ID, string(e.Channel), e.Region, e.LineType, e.Language, e.Limit, string(e.Outcome()), e.Reason()}, " ")
		if e.Err != nil {
			s += " " + e.Err.Error()
		}
		for _, secret := range secrets {
			assert.NotContains(t, s, secret, "event %+v carries a secret", e)
		}
	}
}

// wrong returns a code of code's length that is not code.
func wrong(code string) string {
	if strings.HasPrefix(code, "1") {
		return strings.Repeat("2", len(code))
	}
	return strings.Repeat("1", len(code))
}

// TestFakeAndMessageBirdEmitTheSameEvents runs one flow on the fake and on
// the MessageBird adapter talking to the emulator: an operator's
// dashboards must read the same whichever provider runs.
func TestFakeAndMessageBirdEmitTheSameEvents(t *testing.T) {
	fp := fake.New()
	fakeEvents := eventFlow(t, flowHarness{
		provider: fp,
		code:     func(id string) string { c, _ := fp.Code(id); return c },
		fail:     func() { fp.FailNext(verify.ErrUnavailable) },
	})

	s := mbtest.NewServer()
	defer s.Close()
	mp, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	require.NoError(t, err)
	defer mp.CloseIdleConnections()
	mbEvents := eventFlow(t, flowHarness{
		provider: mp,
		code:     func(id string) string { c, _ := s.Code(id); return c },
		fail:     func() { s.Inject(mbtest.InternalError()) },
	})

	// What an operator reads of an event, and the expected flow.
	type view struct {
		Op                          verify.Op
		ID                          string
		Outcome                     verify.Outcome
		Reason                      string
		Refused, Called             bool
		Channel                     verify.Channel
		Region, LineType, Lang, Lim string
	}
	see := func(e verify.Event) view {
		assert.Equal(t, e.Called, e.Duration > 0, "%s event: Called %v but Duration %v", e.Op, e.Called, e.Duration)
		return view{e.Op, e.ID, e.Outcome(), e.Reason(), e.Refused(), e.Called,
			e.Channel, e.Region, e.LineType, e.Language, e.Limit}
	}
	const (
		start, check, status, cancel = verify.OpStart, verify.OpCheck, verify.OpStatus, verify.OpCancel
		mobile                       = "mobile"
	)
	want := []view{
		{start, "id1", "ok", "", false, true, verify.Voice, "NL", mobile, "nl-nl", ""},
		{start, "", "rate_limited", "resend_cooldown", true, false, verify.Voice, "NL", mobile, "nl-nl", "resend_cooldown"},
		{start, "", "invalid_phone", "characters", true, false, "", "", "", "", ""},
		{start, "", "invalid_phone", "line_type", true, false, verify.Voice, "NL", "premium_rate", "nl-nl", ""},
		{check, "id1", "invalid_code", "", false, true, verify.Voice, "NL", mobile, "", ""},
		{check, "id1", "invalid_code", "invalid_code", true, false, "", "", "", "", ""},
		{check, "id1", "ok", "", false, true, verify.Voice, "NL", mobile, "", ""},
		{check, "id1", "expired", "", false, true, verify.Voice, "NL", mobile, "", ""},
		{status, "id1", "ok", "", false, true, verify.Voice, "", "", "", ""},
		{start, "id2", "ok", "", false, true, verify.SMS, "GB", mobile, "en-gb", ""},
		{cancel, "id2", "ok", "", false, true, "", "", "", "", ""},
		{check, "id3", "not_found", "", false, true, "", "", "", "", ""}, // a number the Verifier does not know
		{check, "", "not_found", "not_found", true, false, "", "", "", "", ""},
		{start, "", "unavailable", "", false, true, verify.Voice, "BE", mobile, "nl-nl", ""},
	}
	for name, events := range map[string][]verify.Event{"fake": fakeEvents, "messagebird": mbEvents} {
		noSecrets(t, events, "612345678", "7400123456", "470123456")
		if !assert.Len(t, events, len(want), "%s: events", name) {
			continue
		}
		for i, e := range events {
			assert.Equal(t, want[i], see(e), "%s: event %d", name, i)
		}
	}
}

// TestEventOfThePumpingGuard: a start the SMS-pumping guard refuses is
// told apart from the other limits' refusals.
func TestEventOfThePumpingGuard(t *testing.T) {
	v, _, c, _, rec := pumpingVerifier(t)
	_, err := pump(t, v, c, 0, 110)
	require.Error(t, err, "the guard did not trip")
	ev := rec.take()
	require.NotEmpty(t, ev, "events")
	e := ev[len(ev)-1]
	assert.Equal(t, verify.OutcomeSuspectedPumping, e.Outcome(), "want the last start refused by the SMS pumping guard")
	assert.True(t, e.Refused(), "event %+v: want refused", e)
	assert.Equal(t, "pumping_guard", e.Reason())
	assert.Equal(t, "NL", e.Region)
	assert.False(t, e.Called, "event %+v: want the provider not called", e)
	assert.Equal(t, verify.OutcomeOK, ev[0].Outcome(), "first event %+v, want a start", ev[0])
}

// TestFailedChecksCarryChannelAndRegion: a check that fails, whether the
// provider or a limit of the Verifier says no, counts under the channel
// and region of its verification, as a verified one does, so that
// dashboards can set failures against successes per region.
func TestFailedChecksCarryChannelAndRegion(t *testing.T) {
	tests := []struct {
		name  string
		opt   verify.Option
		limit string // the limit that refuses the sixth check
		err   error
	}{
		{"attempts", verify.WithMaxAttempts(3), "attempts", verify.ErrTooManyAttempts},
		{"failure throttle", verify.WithFailureThrottle(2, time.Minute), "failure_throttle", verify.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			v := newVerifier(t, fake.New(fake.WithCode("123456")), verify.WithObserver(rec), tt.opt)
			ctx := context.Background()
			ver, err := v.Start(ctx, "+44 7400 123456", verify.WithChannel(verify.SMS))
			require.NoError(t, err)
			_, err = v.Check(ctx, ver.ID, "000000")
			require.ErrorIs(t, err, verify.ErrInvalidCode)
			for range 5 {
				_, err = v.Check(ctx, ver.ID, "000000")
			}
			require.ErrorIs(t, err, tt.err)

			ev := rec.take()
			require.Len(t, ev, 7)
			for i, e := range ev[1:] {
				assert.Equal(t, verify.OpCheck, e.Op, "event %d", i+1)
				assert.Equal(t, verify.SMS, e.Channel, "event %d", i+1)
				assert.Equal(t, "GB", e.Region, "event %d", i+1)
				assert.Equal(t, "mobile", e.LineType, "event %d", i+1)
			}
			assert.Equal(t, verify.OutcomeInvalidCode, ev[1].Outcome())
			assert.True(t, ev[1].Called)
			assert.Equal(t, "fake", ev[1].Provider, "the provider that started the verification, though its error did not say")
			last := ev[len(ev)-1]
			assert.Equal(t, tt.limit, last.Limit)
			assert.True(t, last.Refused())
		})
	}
}

// TestRefusedVerifiedNumberCountsUnderItsChannel: a check whose provider
// reports a verified number the policy refuses, in an answer that names
// no channel, still counts under its verification's channel.
func TestRefusedVerifiedNumberCountsUnderItsChannel(t *testing.T) {
	s := &spy{check: func(id, _ string) (*verify.Verification, error) {
		return &verify.Verification{ID: id, Phone: "+447400123456", Status: verify.StatusVerified}, nil
	}}
	rec := &recorder{}
	v := newVerifier(t, s, verify.WithAllowedRegions("NL"), verify.WithObserver(rec))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS))
	require.NoError(t, err)
	_, err = v.Check(ctx, ver.ID, "123456")
	require.ErrorIs(t, err, verify.ErrInvalidPhone)

	ev := rec.take()
	require.Len(t, ev, 2)
	assert.Equal(t, verify.OpCheck, ev[1].Op)
	assert.Equal(t, verify.SMS, ev[1].Channel, "the channel of the verification")
	assert.Equal(t, "GB", ev[1].Region, "the region of the number reported")
}
