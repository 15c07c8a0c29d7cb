// Package fake is an in-memory verify.Provider, and a verify.Sender, for
// tests and local development. Neither sends anything: each "call" or
// "text" is recorded, and its code can be read back with LastCode, listed
// with Messages, logged with WithLogger and browsed with Inbox. Use the
// Provider in place of a hosted Verify API, and the Sender (NewSender)
// under the otp package's Provider, which makes the codes itself.
//
// The Provider follows MessageBird's Verify semantics: a code expires after the
// validity of its request, works once, and after MaxAttempts wrong codes the
// verification fails. Where it differs from MessageBird:
//
//   - nothing is delivered and no number is checked beyond its E.164 form;
//   - ids have 32 lowercase letters and digits, like MessageBird's, but are
//     random;
//   - a canceled verification still answers Status (StatusCanceled) and
//     Check (ErrExpired); MessageBird forgets it and answers "not found";
//   - verifications are kept in memory until the Provider is dropped;
//   - errors are bare sentinels (or what FailNext injects), never a
//     *verify.ProviderError with HTTP detail.
//
// A Provider and a Sender are safe for concurrent use.
package fake

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/internal/random"
)

var (
	_ verify.Provider       = (*Provider)(nil)
	_ verify.StatusProvider = (*Provider)(nil)
	_ verify.Canceler       = (*Provider)(nil)
)

// Message is one code "sent" by the fake. A Sender knows neither the
// verification nor its code: its messages have no ID, ExpiresAt or
// MaxAttempts, and their Code is read from the text (see
// Sender.LastCode).
type Message struct {
	ID          string             // the verification id
	Phone       string             // recipient, E.164
	Channel     verify.Channel     // Voice or SMS
	Text        string             // the template with the code in place of %token
	Code        string             // the code
	Voice       verify.VoiceGender // voice of a call
	Language    string             // language of the call or text, such as "nl-nl"
	Originator  string             // sender shown to the recipient; empty for the default
	Reference   string             // the caller's reference, as given to Start
	SentAt      time.Time          // the fake's clock when it was sent
	ExpiresAt   time.Time          // when the code stops working
	MaxAttempts int                // wrong codes allowed before the verification fails
}

// Provider is the fake provider. Create it with New.
type Provider struct {
	code string
	box  outbox

	mu   sync.Mutex
	byID map[string]*entry
}

type entry struct {
	ver      verify.Verification
	code     string
	attempts int // wrong codes so far
	max      int
}

// settings are what the options set.
type settings struct {
	code   string
	now    func() time.Time
	logger *slog.Logger
}

// An Option configures a Provider (New) or a Sender (NewSender).
type Option interface{ apply(*settings) }

type codeOption string

// WithCode makes every verification of a Provider use code instead of a
// random one, for tests that type a known code. The code must be digits;
// its length wins over the request's TokenLength. A Sender ignores it:
// the otp package makes its codes.
func WithCode(code string) Option      { return codeOption(code) }
func (o codeOption) apply(s *settings) { s.code = string(o) }

type clockOption func() time.Time

// WithClock sets the clock that decides creation and expiry times, and
// the time each message is recorded as sent. Default: time.Now.
func WithClock(now func() time.Time) Option { return clockOption(now) }
func (o clockOption) apply(s *settings)     { s.now = o }

type loggerOption struct{ l *slog.Logger }

// WithLogger logs every message "sent", code first ("fake: code 123456
// sent"), so that a developer running an app on the fake can read the
// code in the terminal; the number is masked. This is the one logger of
// the project that writes codes: do not use the fake in production.
func WithLogger(l *slog.Logger) Option   { return loggerOption{l} }
func (o loggerOption) apply(s *settings) { s.logger = o.l }

// newSettings returns the settings opts make; nil options are skipped.
func newSettings(opts []Option) settings {
	var s settings
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// New returns an empty fake provider.
func New(opts ...Option) *Provider {
	s := newSettings(opts)
	return &Provider{code: s.code, box: outbox{now: s.now, logger: s.logger}, byID: make(map[string]*entry)}
}

// FailNext makes the next call of Start, Check, Status or Cancel return err
// without doing anything. Use it to test how your code handles provider
// failures, for example FailNext(verify.ErrUnavailable).
func (p *Provider) FailNext(err error) { p.box.failNext(err) }

// StallNext makes the next call of Start, Check, Status or Cancel wait,
// without doing anything, until its context ends, and then return the
// context's error: a provider that does not answer. Use it to test
// timeouts and cancellation; give that call a context that ends.
func (p *Provider) StallNext() { p.box.stallNext() }

// Start records a verification and the message that would carry its code.
func (p *Provider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	if err := p.box.intercept(ctx); err != nil {
		return nil, err
	}
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	code := p.code
	if code == "" {
		code = random.Digits(req.TokenLength)
	}
	now := p.box.now()
	p.mu.Lock()
	id := newID()
	for p.byID[id] != nil {
		id = newID()
	}
	e := &entry{
		ver: verify.Verification{
			ID:        id,
			Phone:     req.Phone,
			Channel:   req.Channel,
			Status:    verify.StatusPending,
			CreatedAt: now,
			ExpiresAt: now.Add(req.Validity),
			Provider:  "fake",
		},
		code: code,
		max:  req.MaxAttempts,
	}
	p.byID[id] = e
	ver := e.ver
	p.mu.Unlock()
	p.box.record(ctx, Message{
		ID:          id,
		Phone:       req.Phone,
		Channel:     req.Channel,
		Text:        strings.ReplaceAll(req.Template, "%token", code),
		Code:        code,
		Voice:       req.Voice,
		Language:    req.Language,
		Originator:  req.Originator,
		Reference:   req.Reference,
		SentAt:      now,
		ExpiresAt:   e.ver.ExpiresAt,
		MaxAttempts: req.MaxAttempts,
	})
	return &ver, nil
}

// checkRequest refuses what a real provider would refuse. A Verifier never
// sends such a request; a test calling the fake directly might.
func checkRequest(req verify.Request) error {
	if err := checkRecipient(req.Phone, req.Channel); err != nil {
		return err
	}
	switch {
	case req.Validity <= 0:
		return fmt.Errorf("%w: validity %s", verify.ErrInvalidOption, req.Validity)
	case req.MaxAttempts < 1:
		return fmt.Errorf("%w: max attempts %d", verify.ErrInvalidOption, req.MaxAttempts)
	case req.TokenLength < 1 || req.TokenLength > 32:
		return fmt.Errorf("%w: token length %d", verify.ErrInvalidOption, req.TokenLength)
	}
	return nil
}

// lookup returns the verification id, brought up to date with the clock,
// or ErrNotFound; p.mu must be held.
func (p *Provider) lookup(id string) (*entry, error) {
	e := p.byID[id]
	if e == nil {
		return nil, verify.ErrNotFound
	}
	p.refresh(e)
	return e, nil
}

// refresh moves a pending verification past its expiry to StatusExpired;
// p.mu must be held.
func (p *Provider) refresh(e *entry) {
	if e.ver.Status == verify.StatusPending && !p.box.now().Before(e.ver.ExpiresAt) {
		e.ver.Status = verify.StatusExpired
	}
}

// Check compares code with the verification's code, with MessageBird's
// outcomes: verified once, ErrInvalidCode while attempts remain,
// ErrTooManyAttempts (and StatusFailed) when they run out, ErrExpired when
// expired, already verified or canceled, ErrNotFound for an unknown id.
func (p *Provider) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	if err := p.box.intercept(ctx); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e, err := p.lookup(id)
	if err != nil {
		return nil, err
	}
	switch e.ver.Status {
	case verify.StatusExpired, verify.StatusCanceled:
		return nil, verify.ErrExpired
	case verify.StatusVerified:
		return nil, fmt.Errorf("%w: the code was already used", verify.ErrExpired)
	case verify.StatusFailed:
		return nil, verify.ErrTooManyAttempts
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(e.code)) != 1 {
		e.attempts++
		if e.attempts >= e.max {
			e.ver.Status = verify.StatusFailed
			return nil, verify.ErrTooManyAttempts
		}
		return nil, verify.ErrInvalidCode
	}
	e.ver.Status = verify.StatusVerified
	ver := e.ver
	return &ver, nil
}

// Status returns the verification as it stands.
func (p *Provider) Status(ctx context.Context, id string) (*verify.Verification, error) {
	if err := p.box.intercept(ctx); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e, err := p.lookup(id)
	if err != nil {
		return nil, err
	}
	ver := e.ver
	return &ver, nil
}

// Cancel cancels the verification: its code stops working.
func (p *Provider) Cancel(ctx context.Context, id string) error {
	if err := p.box.intercept(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.byID[id]
	if e == nil {
		return verify.ErrNotFound
	}
	e.ver.Status = verify.StatusCanceled
	return nil
}

// LastCode returns the code of the newest message sent to phone (E.164,
// such as "+31612345678").
func (p *Provider) LastCode(phone string) (string, bool) { return p.box.lastCode(phone) }

// Code returns the code of the verification id.
func (p *Provider) Code(id string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.byID[id]; e != nil {
		return e.code, true
	}
	return "", false
}

// Messages returns a copy of every message sent, oldest first.
func (p *Provider) Messages() []Message { return p.box.list() }

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns 32 random lowercase letters and digits.
func newID() string { return random.String(32, idAlphabet) }
