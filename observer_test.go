package verify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
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
		op      string
		err     error
		id      string
		channel verify.Channel
		region  string
	}{
		{verify.OpStart, nil, ver.ID, verify.Voice, "NL"},
		{verify.OpCheck, verify.ErrInvalidCode, ver.ID, "", ""},
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
	if len(ev) != 2 || ev[1].Limit != "resend cooldown" || ev[1].Region != "NL" || ev[1].ID != "" {
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

// tagger records the context it tagged and what Observe received.
type tagger struct {
	recorder
	tagged []string
	seen   []any
}

type tagKey struct{}

func (t *tagger) Tag(ctx context.Context, op string) context.Context {
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
	for _, e := range rec.take() {
		s := strings.Join([]string{e.Op, e.ID, string(e.Channel), e.Region, e.LineType, e.Language, e.Limit}, " ")
		if e.Err != nil {
			s += " " + e.Err.Error()
		}
		for _, secret := range []string{"987654", "111111", "612345678"} {
			if strings.Contains(s, secret) {
				t.Errorf("event %+v carries %q", e, secret)
			}
		}
	}
}
