// Package fake is an in-memory verify.Provider for tests and local
// development. It sends nothing: each "call" or "text" is recorded, and its
// code can be read back with LastCode, listed with Messages, logged with
// WithLogger and browsed with Inbox.
//
// It follows MessageBird's Verify semantics: a code expires after the
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
// A Provider is safe for concurrent use.
package fake

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/phoneverify/verify"
)

var (
	_ verify.Provider       = (*Provider)(nil)
	_ verify.StatusProvider = (*Provider)(nil)
	_ verify.Canceler       = (*Provider)(nil)
)

// Message is one code "sent" by the fake.
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
	code   string
	now    func() time.Time
	logger *slog.Logger

	mu        sync.Mutex
	byID      map[string]*entry
	messages  []Message
	failNext  error
	stallNext bool
}

type entry struct {
	ver      verify.Verification
	code     string
	attempts int // wrong codes so far
	max      int
}

// An Option configures a Provider.
type Option interface{ apply(*Provider) }

type codeOption string

// WithCode makes every verification use code instead of a random one, for
// tests that type a known code. The code must be digits; its length wins
// over the request's TokenLength.
func WithCode(code string) Option      { return codeOption(code) }
func (o codeOption) apply(p *Provider) { p.code = string(o) }

type clockOption func() time.Time

// WithClock sets the clock that decides creation and expiry times.
// Default: time.Now.
func WithClock(now func() time.Time) Option { return clockOption(now) }
func (o clockOption) apply(p *Provider)     { p.now = o }

type loggerOption struct{ l *slog.Logger }

// WithLogger logs every message "sent", code first ("fake: code 123456
// sent"), so that a developer running an app on the fake can read the
// code in the terminal; the number is masked. This is the one logger of
// the project that writes codes: do not use the fake in production.
func WithLogger(l *slog.Logger) Option   { return loggerOption{l} }
func (o loggerOption) apply(p *Provider) { p.logger = o.l }

// New returns an empty fake provider.
func New(opts ...Option) *Provider {
	p := &Provider{now: time.Now, byID: make(map[string]*entry)}
	for _, o := range opts {
		if o != nil {
			o.apply(p)
		}
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p
}

// FailNext makes the next call of Start, Check, Status or Cancel return err
// without doing anything. Use it to test how your code handles provider
// failures, for example FailNext(verify.ErrUnavailable).
func (p *Provider) FailNext(err error) {
	p.mu.Lock()
	p.failNext = err
	p.mu.Unlock()
}

// StallNext makes the next call of Start, Check, Status or Cancel wait,
// without doing anything, until its context ends, and then return the
// context's error: a provider that does not answer. Use it to test
// timeouts and cancellation; give that call a context that ends.
func (p *Provider) StallNext() {
	p.mu.Lock()
	p.stallNext = true
	p.mu.Unlock()
}

// intercept runs first in every call: it returns ctx's error, or the
// failure injected with FailNext, or stalls as StallNext asked.
func (p *Provider) intercept(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	err, stall := p.failNext, p.stallNext
	p.failNext, p.stallNext = nil, false
	p.mu.Unlock()
	if stall {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

// Start records a verification and the message that would carry its code.
func (p *Provider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	if err := p.intercept(ctx); err != nil {
		return nil, err
	}
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	code := p.code
	if code == "" {
		code = randomDigits(req.TokenLength)
	}
	now := p.now()
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
		},
		code: code,
		max:  req.MaxAttempts,
	}
	p.byID[id] = e
	msg := Message{
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
	}
	p.messages = append(p.messages, msg)
	ver := e.ver
	p.mu.Unlock()

	if p.logger != nil {
		// The code leads the message, where a developer looks first; the
		// number is masked, as in every other log of the library.
		p.logger.LogAttrs(ctx, slog.LevelInfo, "fake: code "+code+" sent",
			slog.String("id", id), slog.String("phone", verify.MaskPhone(req.Phone)),
			slog.String("channel", string(req.Channel)), slog.String("code", code),
			slog.String("text", msg.Text))
	}
	return &ver, nil
}

// checkRequest refuses what a real provider would refuse. A Verifier never
// sends such a request; a test calling the fake directly might.
func checkRequest(req verify.Request) error {
	if len(req.Phone) < 3 || req.Phone[0] != '+' || strings.Trim(req.Phone[1:], "0123456789") != "" {
		return &verify.PhoneError{Code: "format", Reason: "the recipient is not in E.164 form"}
	}
	switch {
	case req.Channel != verify.Voice && req.Channel != verify.SMS:
		return fmt.Errorf("%w: channel %q", verify.ErrInvalidOption, req.Channel)
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
	if e.ver.Status == verify.StatusPending && !p.now().Before(e.ver.ExpiresAt) {
		e.ver.Status = verify.StatusExpired
	}
}

// Check compares code with the verification's code, with MessageBird's
// outcomes: verified once, ErrInvalidCode while attempts remain,
// ErrTooManyAttempts (and StatusFailed) when they run out, ErrExpired when
// expired, already verified or canceled, ErrNotFound for an unknown id.
func (p *Provider) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	if err := p.intercept(ctx); err != nil {
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
	if err := p.intercept(ctx); err != nil {
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
	if err := p.intercept(ctx); err != nil {
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
func (p *Provider) LastCode(phone string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.messages) - 1; i >= 0; i-- {
		if p.messages[i].Phone == phone {
			return p.messages[i].Code, true
		}
	}
	return "", false
}

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
func (p *Provider) Messages() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.messages)
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns 32 random lowercase letters and digits.
func newID() string {
	var b [32]byte
	randomFrom(b[:], idAlphabet)
	return string(b[:])
}

// randomDigits returns n uniformly random decimal digits.
func randomDigits(n int) string {
	b := make([]byte, n)
	randomFrom(b, "0123456789")
	return string(b)
}

// randomFrom fills b with characters drawn uniformly from alphabet, which
// must be shorter than 256 characters, using crypto/rand.
func randomFrom(b []byte, alphabet string) {
	limit := 256 - 256%len(alphabet) // reject bytes from it on: no modulo bias
	var buf [64]byte
	for i := 0; i < len(b); {
		rand.Read(buf[:]) // never returns an error (Go 1.24+)
		for _, c := range buf {
			if int(c) < limit && i < len(b) {
				b[i] = alphabet[int(c)%len(alphabet)]
				i++
			}
		}
	}
}
