package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/phoneverify/verify/internal/digits"
	"github.com/phoneverify/verify/internal/phone"
)

// Channel is how a code reaches the user.
type Channel string

const (
	// Voice calls the number and speaks the code (text-to-speech). It
	// works for every number, landlines included. The default.
	Voice Channel = "voice"
	// SMS texts the code. It only works for numbers that receive texts.
	SMS Channel = "sms"
	// Auto texts mobile numbers and calls every other number (fixed
	// lines, and numbers that may be either). A Provider never sees Auto:
	// the Verifier resolves it before calling Start.
	Auto Channel = "auto"
)

// VoiceGender is the voice that speaks the code on a call.
type VoiceGender string

const (
	Female VoiceGender = "female" // a female voice; the default
	Male   VoiceGender = "male"   // a male voice
)

// Status is the state of a verification.
type Status string

const (
	// StatusPending: the code was sent and has not been entered correctly yet.
	StatusPending Status = "pending"
	// StatusVerified: the right code was entered; the number is verified.
	StatusVerified Status = "verified"
	// StatusExpired: the code's validity passed before it was entered.
	StatusExpired Status = "expired"
	// StatusFailed: sending failed, or too many wrong codes were entered.
	StatusFailed Status = "failed"
	// StatusCanceled: the verification was canceled.
	StatusCanceled Status = "canceled"
)

// Verification is one attempt to verify one phone number.
type Verification struct {
	ID        string    // the provider's id, to pass to Check, Status and Cancel
	Phone     string    // the number in E.164, as the provider reported it
	Channel   Channel   // how the code was sent
	Language  string    // the language of the call or text, such as "nl-nl" (set by Start)
	Status    Status    // state when this value was returned
	CreatedAt time.Time // when the verification was started
	ExpiresAt time.Time // when the code stops working; always set by Start
	Provider  string    // the provider that serves it, such as "messagebird"; "" when the provider does not say
	Test      bool      // a test number's verification (WithTestNumbers): no provider was called
}

// Verified reports whether the number was verified.
func (v *Verification) Verified() bool { return v != nil && v.Status == StatusVerified }

// Verifier verifies phone numbers through a Provider. It parses and checks
// numbers and codes before any provider call, applies the configured
// defaults and policies, and decides success on the provider's answer
// alone. A Verifier is safe for concurrent use; create one with New and
// share it.
type Verifier struct {
	provider Provider
	cfg      config
	log      *slog.Logger // nil when no logger was given
	tagger   Tagger       // the Observer, when it is also a Tagger
	store    LimitStore   // the Limiter, when it is also a LimitStore
	langs    *languageMatcher

	tests *testNumbers // the stand-in for test numbers; nil without WithTestNumbers

	observerPanicked atomic.Bool // the first panic of the Observer was logged
}

// New returns a Verifier that sends codes through p. Options set the
// defaults of every verification; message options may be overridden per
// call in Start. A value out of range gives an error matching
// ErrInvalidOption that names the option and its range.
func New(p Provider, opts ...Option) (*Verifier, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: provider is nil", ErrInvalidOption)
	}
	cfg := defaults()
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		o.applyOption(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.warnGuardsOff()
	if cfg.limiter == nil {
		cfg.limiter = new(MemoryLimiter)
	}
	v := &Verifier{provider: p, cfg: cfg, log: cfg.logger, langs: newLanguageMatcher()}
	v.tagger, _ = cfg.observer.(Tagger)
	v.store, _ = cfg.limiter.(LimitStore)
	if err := v.setTestNumbers(); err != nil {
		return nil, err
	}
	return v, nil
}

// Start parses phone as a user typed it (see ParsePhone), checks it against the
// Verifier's policies and has the provider send a code to it, by voice
// call unless the channel says otherwise. opts override the Verifier's
// message options for this call only. The Verification it returns always
// has its Phone (E.164), Channel (Voice or SMS), Language and ExpiresAt
// set.
//
// Errors: ErrInvalidPhone (a *PhoneError with a reason for the user),
// ErrUnsupported (SMS to a fixed-line number: Voice works), ErrInvalidOption,
// ErrRateLimited (ErrSuspectedPumping too, when the SMS-pumping guard
// refused), ErrUnavailable. A start refused by one limit uses up none of
// the others (with a LimitStore; see Limiter).
func (v *Verifier) Start(ctx context.Context, phone string, opts ...MessageOption) (*Verification, error) {
	ctx = v.begin(ctx, OpStart)
	ev := Event{Op: OpStart}
	ver, err := v.start(ctx, phone, opts, &ev)
	v.end(ctx, &ev, err)
	return ver, err
}

// start does the work of Start, filling in ev as it learns.
func (v *Verifier) start(ctx context.Context, phone string, opts []MessageOption, ev *Event) (*Verification, error) {
	msg, err := v.message(opts)
	if err != nil {
		return nil, err
	}
	p, err := parsePhone(phone, msg.region)
	if err != nil {
		v.logStart(ctx, slog.LevelInfo, "verify: start refused", "", err)
		return nil, err
	}
	channel := resolveChannel(msg.channel, p)
	lang := v.langs.choose(&msg, p.Region)
	ev.Channel, ev.Region, ev.LineType, ev.Language = channel, p.Region, p.LineType.Code(), lang
	if err := v.checkPolicy(p, channel); err != nil {
		v.logStart(ctx, slog.LevelInfo, "verify: start refused", p.E164, err)
		return nil, err
	}
	client, network := clientKeys(msg.clientKey)
	if err := v.allowStart(ctx, p, channel, client, network); err != nil {
		v.logStart(ctx, slog.LevelInfo, "verify: start refused", p.E164, err)
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := Request{
		Phone:       p.E164,
		Channel:     channel,
		TokenLength: msg.tokenLength,
		Voice:       msg.voice,
		Language:    lang,
		Template:    msg.text(lang, channel),
		Validity:    msg.validity,
		MaxAttempts: msg.maxAttempts,
		Originator:  msg.originator,
		Reference:   msg.reference,
		AppName:     msg.appName,
	}
	req.CustomTemplate = msg.customTemplate
	asked := time.Now()
	ver, err := v.callStart(ctx, v.startWith(p.E164, ev), req, ev)
	if err == nil {
		err = completeStarted(ver, req, asked)
	}
	if err != nil {
		err = providerFailure(ctx, err)
		v.logStart(ctx, slog.LevelWarn, "verify: start failed", p.E164, err)
		return nil, err
	}
	ev.ID = ver.ID
	v.started(ctx, ver, p, client, network)
	if v.log != nil {
		v.log.LogAttrs(ctx, slog.LevelInfo, "verify: started", slog.String("id", ver.ID),
			slog.String("phone", MaskPhone(ver.Phone)), slog.String("channel", string(ver.Channel)))
	}
	return ver, nil
}

// message returns the Verifier's message options overridden by opts, for
// one call of Start.
func (v *Verifier) message(opts []MessageOption) (message, error) {
	msg := v.cfg.msg
	if len(opts) == 0 {
		return msg, nil
	}
	for _, o := range opts {
		if o == nil {
			return msg, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		o.applyMessage(&msg)
	}
	if err := msg.validate(); err != nil {
		return msg, err
	}
	if msg.maxAttempts > v.cfg.msg.maxAttempts {
		return msg, optionError("WithMaxAttempts", msg.maxAttempts, fmt.Sprintf("per call, must be at most the Verifier's %d", v.cfg.msg.maxAttempts))
	}
	if msg.validity > v.cfg.msg.validity {
		return msg, optionError("WithValidity", msg.validity.String(), "per call, must be at most the Verifier's "+v.cfg.msg.validity.String())
	}
	return msg, nil
}

// completeStarted checks a provider's answer to Start for req, asked at
// t0, and fills in what the provider left out, so that callers can rely
// on ID, Phone, Channel, Language and ExpiresAt. A missing ExpiresAt is
// the validity after the verification's CreatedAt, or after t0 when the
// provider gave neither.
func completeStarted(ver *Verification, req Request, t0 time.Time) error {
	switch {
	case ver == nil || ver.ID == "":
		return fmt.Errorf("%w: provider returned no verification", ErrUnavailable)
	case ver.Phone != "" && ver.Phone != req.Phone:
		return fmt.Errorf("%w: provider started a verification of another number", ErrUnavailable)
	case ver.Channel != "" && ver.Channel != req.Channel:
		return fmt.Errorf("%w: provider started a verification on another channel", ErrUnavailable)
	}
	ver.Phone, ver.Channel = req.Phone, req.Channel
	if ver.Language == "" {
		ver.Language = req.Language
	}
	if ver.ExpiresAt.IsZero() {
		from := ver.CreatedAt
		if from.IsZero() {
			from = t0
		}
		ver.ExpiresAt = from.Add(req.Validity)
	}
	return nil
}

// allowStart asks the limiter whether a start to p on ch by client (of
// network; see clientKeys) may go ahead, taking every limit at once (see
// startLimits and takeAll).
func (v *Verifier) allowStart(ctx context.Context, p phone.Number, ch Channel, client, network string) error {
	l, err := v.takeAll(ctx, v.startLimits(p, ch, client, network, v.store != nil))
	var rl *RateLimitError
	if l != nil && l.name == limitPumping && errors.As(err, &rl) {
		return v.pumpingTripped(ctx, p, l, rl)
	}
	return err
}

// allow asks the limiter for one event under key.
func (v *Verifier) allow(ctx context.Context, key string, r rate, name string) error {
	ok, retry, err := v.cfg.limiter.Allow(ctx, key, r.n, r.per)
	switch {
	case err != nil:
		return limiterFailure(ctx, err)
	case !ok:
		return &RateLimitError{RetryAfter: max(retry, 0), Limit: name}
	}
	return nil
}

// Check submits a code the user typed for the verification id. Spaces and
// dashes in code are ignored, and digits of any script (full-width, Arabic-Indic,
// Persian, ...) are read as ASCII digits. It returns the verification and a nil error
// only when the provider reports it verified, for a number that the
// Verifier's region and line-type policies accept.
//
// Errors: ErrInvalidCode (wrong or malformed code; the user may try
// again), ErrTooManyAttempts, ErrExpired (expired, already used or
// canceled), ErrNotFound, ErrRateLimited (the failed-check throttle:
// the number has failed too many checks in a row, see
// WithFailureThrottle; RetryAfter says when the next check may be
// made), ErrInvalidPhone (the provider verified a number this
// Verifier's policies refuse), ErrUnavailable.
//
// Every well-formed call counts against id's attempts in the Limiter
// before the provider is asked, so that the cap holds; that count lives
// for the Verifier's validity. It also counts, atomically with the cap,
// as a failed check of the number by the client network that started
// the verification (see WithFailureThrottle), until it succeeds: Check
// needs no client key of its own. Take id from your own state (the http
// package seals it in a cookie), not from a form field: checks of
// made-up ids would each hold a key in the Limiter, and share the
// throttle of a number the Verifier does not know.
func (v *Verifier) Check(ctx context.Context, id, code string) (*Verification, error) {
	ctx = v.begin(ctx, OpCheck)
	ev := Event{Op: OpCheck}
	ver, err := v.check(ctx, id, code, &ev)
	v.end(ctx, &ev, err)
	return ver, err
}

// check does the work of Check, filling in ev as it learns.
func (v *Verifier) check(ctx context.Context, id, code string, ev *Event) (*Verification, error) {
	if !validID(id) {
		return nil, errBadID
	}
	ev.ID = id
	code, err := normalizeCode(code)
	if err != nil {
		v.logID(ctx, "verify: check refused", id, err)
		return nil, err
	}
	// The library caps checks per verification itself, so that the cap
	// holds whatever the provider does, and throttles a number's failed
	// checks in a row (see checkLimits).
	limits, starter, err := v.checkLimits(ctx, id)
	if err == nil {
		_, err = v.takeAll(ctx, limits)
	}
	if err != nil {
		var rl *RateLimitError
		if errors.As(err, &rl) && rl.Limit == "attempts" {
			ev.Limit, err = rl.Limit, ErrTooManyAttempts
		}
		v.describe(ev, starter)
		v.logID(ctx, "verify: check refused", id, err)
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		v.describe(ev, starter)
		return nil, err
	}
	t0 := time.Now()
	ver, err := v.serving(id, ev).Check(ctx, id, code)
	ev.reached(t0, ver, err)
	if err == nil {
		err = mustBeVerified(ver)
	}
	if err == nil && ver.ID != id {
		err = fmt.Errorf("%w: provider answered for another verification", ErrUnavailable)
	}
	if err == nil {
		ev.Channel = ver.Channel
		err = v.checkVerifiedNumber(ctx, ver.Phone, starter, ev)
	}
	if err != nil {
		v.describe(ev, starter)
		err = providerFailure(ctx, err)
		v.logID(ctx, "verify: check failed", id, err)
		return nil, err
	}
	if v.log != nil {
		v.log.LogAttrs(ctx, slog.LevelInfo, "verify: verified", slog.String("id", id), slog.String("phone", MaskPhone(ver.Phone)))
	}
	return ver, nil
}

// checkVerifiedNumber applies the Verifier's number policy to the number
// a provider reports as verified: whatever state a caller kept, and
// whichever Verifier started the verification, this Verifier only calls
// verified a number it would have sent a code to. The number s's start
// parsed comes with its region and line type; any other is parsed here.
func (v *Verifier) checkVerifiedNumber(ctx context.Context, e164 string, s starter, ev *Event) error {
	p := s.parsed
	if p.E164 == "" || p.E164 != e164 {
		var err error
		if p, err = phone.Parse(e164, ""); err != nil || p.E164 != e164 {
			return fmt.Errorf("%w: provider reported a verified number that is not a valid number in E.164 form", ErrUnavailable)
		}
	}
	ev.Region, ev.LineType = p.Region, p.LineType.Code()
	if err := v.checkNumber(p); err != nil {
		return err
	}
	v.verified(ctx, p, s)
	return nil
}

// normalizeCode reads the digits of any script as ASCII and removes the
// spaces and dashes a user may type in a code (digits.Code), and checks
// that 4 to 10 ASCII digits remain.
func normalizeCode(code string) (string, error) {
	if len(code) > 64 {
		return "", errMalformedCode
	}
	d, ok := digits.Code(code)
	if !ok || len(d) < 4 || len(d) > 10 {
		return "", errMalformedCode
	}
	return d, nil
}

var errMalformedCode = fmt.Errorf("%w: a code is 4 to 10 digits", ErrInvalidCode)

// mustBeVerified turns a provider's error-free answer that is not a
// success into the error it stands for.
func mustBeVerified(ver *Verification) error {
	if ver == nil {
		return fmt.Errorf("%w: provider returned no verification", ErrUnavailable)
	}
	switch ver.Status {
	case StatusVerified:
		return nil
	case StatusPending:
		return ErrInvalidCode
	case StatusFailed:
		return ErrTooManyAttempts
	case StatusExpired, StatusCanceled:
		return ErrExpired
	}
	return fmt.Errorf("%w: unknown status %q", ErrUnavailable, ver.Status)
}

// Status returns the current state of a verification. It returns
// ErrUnsupported when the provider is not a StatusProvider.
func (v *Verifier) Status(ctx context.Context, id string) (*Verification, error) {
	ctx = v.begin(ctx, OpStatus)
	ev := Event{Op: OpStatus}
	ver, err := v.status(ctx, id, &ev)
	v.end(ctx, &ev, err)
	return ver, err
}

func (v *Verifier) status(ctx context.Context, id string, ev *Event) (*Verification, error) {
	sp, ok := v.serving(id, ev).(StatusProvider)
	if !ok {
		return nil, fmt.Errorf("%w: the provider cannot read a verification", ErrUnsupported)
	}
	if !validID(id) {
		return nil, errBadID
	}
	ev.ID = id
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	ver, err := sp.Status(ctx, id)
	ev.reached(t0, ver, err)
	if err == nil && ver == nil {
		err = fmt.Errorf("%w: provider returned no verification", ErrUnavailable)
	}
	if err != nil {
		return nil, providerFailure(ctx, err)
	}
	ev.Channel = ver.Channel
	return ver, nil
}

// Cancel cancels a verification so that its code no longer works. It
// returns ErrUnsupported when the provider is not a Canceler.
func (v *Verifier) Cancel(ctx context.Context, id string) error {
	ctx = v.begin(ctx, OpCancel)
	ev := Event{Op: OpCancel}
	err := v.cancel(ctx, id, &ev)
	v.end(ctx, &ev, err)
	return err
}

func (v *Verifier) cancel(ctx context.Context, id string, ev *Event) error {
	c, ok := v.serving(id, ev).(Canceler)
	if !ok {
		return fmt.Errorf("%w: the provider cannot cancel a verification", ErrUnsupported)
	}
	if !validID(id) {
		return errBadID
	}
	ev.ID = id
	if err := ctx.Err(); err != nil {
		return err
	}
	t0 := time.Now()
	err := c.Cancel(ctx, id)
	ev.reached(t0, nil, err)
	if err != nil {
		err = providerFailure(ctx, err)
		v.logID(ctx, "verify: cancel failed", id, err)
		return err
	}
	v.logID(ctx, "verify: canceled", id, nil)
	return nil
}

// maxID bounds verification ids; MessageBird's have 32 characters.
const maxID = 64

var errBadID = fmt.Errorf("%w: malformed id", ErrNotFound)

// validID reports whether id may be passed to a provider: 1 to 64 ASCII
// letters, digits, '-' or '_'. Anything else cannot name a verification,
// and could corrupt a request URL.
func validID(id string) bool {
	if id == "" || len(id) > maxID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// sentinels are the errors a Verifier's errors match.
var sentinels = [...]error{
	ErrInvalidPhone, ErrInvalidCode, ErrExpired, ErrNotFound, ErrTooManyAttempts,
	ErrRateLimited, ErrUnavailable, ErrInvalidOption, ErrUnsupported,
	context.Canceled, context.DeadlineExceeded,
}

// providerFailure makes sure an error from a provider matches a sentinel:
// one that matches none is treated as the provider being unavailable.
// When ctx has ended, the error also matches ctx.Err().
func providerFailure(ctx context.Context, err error) error {
	if !matchesSentinel(err) {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

func matchesSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// logStart logs the outcome of a Start that returned err, with the number
// masked. Nothing is computed when no logger was given.
func (v *Verifier) logStart(ctx context.Context, level slog.Level, msg, phone string, err error) {
	if v.log == nil {
		return
	}
	attrs := []slog.Attr{slog.String("error", err.Error())}
	if phone != "" {
		attrs = append(attrs, slog.String("phone", MaskPhone(phone)))
	}
	v.log.LogAttrs(ctx, level, msg, attrs...)
}

// logID logs an event about the verification id, with err if not nil.
func (v *Verifier) logID(ctx context.Context, msg, id string, err error) {
	if v.log == nil {
		return
	}
	if err != nil {
		v.log.LogAttrs(ctx, slog.LevelInfo, msg, slog.String("id", id), slog.String("error", err.Error()))
		return
	}
	v.log.LogAttrs(ctx, slog.LevelInfo, msg, slog.String("id", id))
}
