package verify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Check(ctx, ver.ID, "000000"); !errors.Is(err, verify.ErrInvalidCode) {
		t.Fatalf("wrong code: %v", err)
	}
	if _, err := v.Check(ctx, ver.ID, "123456"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Status(ctx, ver.ID); err != nil {
		t.Fatal(err)
	}
	if err := v.Cancel(ctx, ver.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(ctx, "+31 6"); !errors.Is(err, verify.ErrInvalidPhone) {
		t.Fatalf("short number: %v", err)
	}

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
	if len(ev) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(ev), len(want), ev)
	}
	for i, w := range want {
		e := ev[i]
		if e.Op != w.op || e.ID != w.id || e.Channel != w.channel || e.Region != w.region ||
			(w.err == nil) != (e.Err == nil) || w.err != nil && !errors.Is(e.Err, w.err) {
			t.Errorf("event %d = %+v; want %+v", i, e, w)
		}
	}
	if ev[0].Language != "nl-nl" || ev[0].LineType != "mobile" {
		t.Errorf("start event: language %q, line type %q; want nl-nl, mobile", ev[0].Language, ev[0].LineType)
	}
	if ev[0].Duration <= 0 || ev[5].Duration != 0 {
		t.Errorf("durations: start %v, refused start %v; want > 0 and 0", ev[0].Duration, ev[5].Duration)
	}
}

func TestObserverIsToldWhichLimitRefused(t *testing.T) {
	rec := &recorder{}
	v, err := verify.New(fake.New(), verify.WithObserver(rec))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Start(ctx, "+31612345678"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(ctx, "+31612345678"); !errors.Is(err, verify.ErrRateLimited) {
		t.Fatalf("second start: %v, want ErrRateLimited", err)
	}
	ev := rec.take()
	if len(ev) != 2 || ev[1].Limit != "resend_cooldown" || ev[1].Region != "NL" || ev[1].ID != "" {
		t.Fatalf("events %+v; want the second refused by the resend cooldown", ev)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Check(ctx, ver.ID, "123456"); err != nil {
		t.Fatal(err)
	}
	if obs.calls != 2 {
		t.Fatalf("Observe called %d times, want 2", obs.calls)
	}
	if n := strings.Count(logs.String(), "observer panicked"); n != 1 {
		t.Fatalf("the panic was logged %d times, want once:\n%s", n, logs.String())
	}
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
	if _, err := v.Start(context.Background(), "+31612345678"); err != nil {
		t.Fatal(err)
	}
	if p.got != verify.OpStart || len(tg.seen) != 1 || tg.seen[0] != verify.OpStart {
		t.Fatalf("provider saw %v, Observe saw %v; want the tagged context in both", p.got, tg.seen)
	}
}

func TestEventsCarryNoSecrets(t *testing.T) {
	rec := &recorder{}
	p := fake.New(fake.WithCode("987654"))
	v := newVerifier(t, p, verify.WithObserver(rec))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	if err != nil {
		t.Fatal(err)
	}
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
			if got := tt.e.Outcome(); got != tt.outcome {
				t.Errorf("Outcome() = %q, want %q", got, tt.outcome)
			}
			if got := tt.e.Refused(); got != tt.refused {
				t.Errorf("Refused() = %v, want %v", got, tt.refused)
			}
			if got := tt.e.Reason(); got != tt.reason {
				t.Errorf("Reason() = %q, want %q", got, tt.reason)
			}
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
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ver, err := v.Start(ctx, "06 12345678", verify.WithLanguage("nl-nl"))
	if err != nil {
		t.Fatal(err)
	}
	v.Start(ctx, "06 12345678")  // resend cooldown
	v.Start(ctx, "call me")      // not a number
	v.Start(ctx, "0900 1234567") // premium rate
	v.Check(ctx, ver.ID, wrong(h.code(ver.ID)))
	v.Check(ctx, ver.ID, "12") // malformed
	if _, err := v.Check(ctx, ver.ID, h.code(ver.ID)); err != nil {
		t.Fatalf("right code: %v", err)
	}
	v.Check(ctx, ver.ID, h.code(ver.ID)) // used
	v.Status(ctx, ver.ID)
	sms, err := v.Start(ctx, "+44 7400 123456", verify.WithChannel(verify.SMS))
	if err != nil {
		t.Fatal(err)
	}
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
	if slices.Contains(secrets, "") {
		t.Fatalf("no secret to look for in %q", secrets)
	}
	for _, e := range events {
		s := strings.Join([]string{string(e.Op), e.ID, string(e.Channel), e.Region, e.LineType, e.Language, e.Limit, string(e.Outcome()), e.Reason()}, " ")
		if e.Err != nil {
			s += " " + e.Err.Error()
		}
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("event %+v carries %q", e, secret)
			}
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
	if err != nil {
		t.Fatal(err)
	}
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
		if e.Called != (e.Duration > 0) {
			t.Errorf("%s event: Called %v but Duration %v", e.Op, e.Called, e.Duration)
		}
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
		if len(events) != len(want) {
			t.Errorf("%s: %d events, want %d: %+v", name, len(events), len(want), events)
			continue
		}
		for i, e := range events {
			if got := see(e); got != want[i] {
				t.Errorf("%s: event %d:\n got %+v\nwant %+v", name, i, got, want[i])
			}
		}
	}
}

// TestEventOfThePumpingGuard: a start the SMS-pumping guard refuses is
// told apart from the other limits' refusals.
func TestEventOfThePumpingGuard(t *testing.T) {
	v, _, c, _, rec := pumpingVerifier(t)
	if _, err := pump(t, v, c, 0, 110); err == nil {
		t.Fatal("the guard did not trip")
	}
	ev := rec.take()
	e := ev[len(ev)-1]
	if e.Outcome() != verify.OutcomeSuspectedPumping || !e.Refused() || e.Reason() != "pumping_guard" || e.Region != "NL" || e.Called {
		t.Fatalf("event %+v: outcome %q, refused %v, reason %q; want suspected_pumping, refused by the SMS pumping guard",
			e, e.Outcome(), e.Refused(), e.Reason())
	}
	if ev[0].Outcome() != verify.OutcomeOK {
		t.Fatalf("first event %+v, want a start", ev[0])
	}
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
