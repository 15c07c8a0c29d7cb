package otp

import (
	"cmp"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/internal/random"
)

// providerName is the name of the provider in Verification.Provider and
// in a *verify.ProviderError.
const providerName = "otp"

var (
	_ verify.Provider       = (*Provider)(nil)
	_ verify.StatusProvider = (*Provider)(nil)
	_ verify.Canceler       = (*Provider)(nil)
)

// Provider makes and checks one-time codes itself and has a
// verify.Sender deliver them. It is safe for concurrent use, and keeps no
// state of its own: two Providers with the same secret and the same
// store are one. Create it with New.
type Provider struct {
	sender verify.Sender
	key    []byte // the key of the codes' HMAC, derived from the secret
	store  verify.LimitStore
	now    func() time.Time
}

// hashInfo is the purpose the key of the codes' HMAC is derived for.
const hashInfo = "phoneverify otp: code hash v1"

// New returns a Provider that delivers its codes through s and keeps
// its state in the store of WithStore (by default in memory).
//
// secret keys the hash under which codes are stored; it must have at
// least MinSecretLen (32) random bytes, kept as secret as an access key,
// and be the same for every instance that shares the store. Changing it
// makes every pending code fail. New keeps only a key derived from it.
//
// A nil s, a short secret or a bad option gives an error matching
// verify.ErrInvalidOption.
func New(s verify.Sender, secret []byte, opts ...Option) (*Provider, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: otp.New: the sender is nil", verify.ErrInvalidOption)
	}
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("%w: otp.New: the secret has %d bytes, want at least %d", verify.ErrInvalidOption, len(secret), MinSecretLen)
	}
	c := defaults()
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: otp.New: nil option", verify.ErrInvalidOption)
		}
		if err := o.apply(&c); err != nil {
			return nil, err
		}
	}
	if c.store == nil {
		c.store = &verify.MemoryLimiter{Now: c.now}
	}
	key, err := hkdf.Key(sha256.New, secret, nil, hashInfo, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("%w: otp.New: %w", verify.ErrInvalidOption, err)
	}
	return &Provider{sender: s, key: key, store: c.store, now: c.now}, nil
}

// The store holds, for each verification id, its record and the counts
// that make its state, each under "otp:<kind>:<id>". Every change of
// state is one call of AllowAll, so it is atomic in any LimitStore:
//
//   - kindTries: the attempts but the last (MaxAttempts-1 allowed);
//   - kindLast: the last attempt (1 allowed), taken once kindTries is full;
//   - kindDone: the end of the verification (1 allowed), taken together
//     with the one of kindVerified, kindCanceled or kindFailed that says
//     how it ended.
//
// An attempt is taken before the code is compared, so that no number of
// concurrent checks compares more codes than MaxAttempts.
const (
	kindRecord   = "rec"
	kindTries    = "tries"
	kindLast     = "last"
	kindDone     = "done"
	kindVerified = "verified"
	kindCanceled = "canceled"
	kindFailed   = "failed"
)

// keepAfter is how long after its expiry a verification still answers
// Status (StatusExpired, or how it ended) rather than ErrNotFound.
const keepAfter = time.Hour

func key(kind, id string) string { return "otp:" + kind + ":" + id }

// idAlphabet is that of unpadded base64url: an id of 32 characters holds
// 192 random bits.
const (
	idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	idLen      = 32
)

// validID reports whether id has the form of the Provider's ids.
func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if strings.IndexByte(idAlphabet, id[i]) < 0 {
			return false
		}
	}
	return true
}

// Start makes a code of req.TokenLength random digits, stores its keyed
// hash and has the Sender deliver req.Template with the code in place of
// every "%token": as is in a text, digit by digit for a call ("1, 2, 3,
// 4, 5, 6"). A request a Verifier would never send (a number not in
// E.164 form, a token length outside 6 to 10, a template without
// %token, a language not in verify.Languages, ...) is refused. The
// Sender's errors are returned as they are when they match
// verify.ErrInvalidPhone, ErrRateLimited, ErrUnsupported, ErrUnavailable
// or ErrInvalidOption, and as ErrUnavailable otherwise; the verification
// is then forgotten.
func (p *Provider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	code := newCode(req.TokenLength)
	id := random.String(idLen, idAlphabet)
	now := time.Unix(0, p.now().UnixNano()) // as the record keeps it
	r := record{
		phone: req.Phone, channel: req.Channel, language: req.Language,
		created: now, expires: now.Add(req.Validity), maxAttempts: req.MaxAttempts,
	}
	r.mac = sum(p.key, id, &r, code)
	if err := p.store.Put(ctx, key(kindRecord, id), r.encode(), r.window()); err != nil {
		return nil, storeFailure(err)
	}
	msg := verify.Message{
		Phone:      req.Phone,
		Channel:    req.Channel,
		Text:       text(req.Template, code, req.Channel, req.Language),
		Language:   req.Language,
		Voice:      req.Voice,
		Originator: req.Originator,
		Reference:  req.Reference,
	}
	if err := p.sender.Send(ctx, msg); err != nil {
		// The code may never arrive: let no one check it. A failure
		// here leaves a record that expires unused.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		p.store.Forget(fctx, key(kindRecord, id))
		cancel()
		return nil, sendFailure(err, code, text("%token", code, req.Channel, req.Language))
	}
	ver := r.verification(id, verify.StatusPending)
	return &ver, nil
}

// newCode returns a code of n digits from crypto/rand, each uniform and
// independent: n × log2(10) bits, 19.9 for 6 digits.
func newCode(n int) string { return random.Digits(n) }

// checkRequest refuses what a Verifier never asks for.
func checkRequest(req verify.Request) error {
	if !validPhone(req.Phone) {
		return &verify.PhoneError{Code: "format", Reason: "the recipient is not in E.164 form"}
	}
	var bad string
	switch {
	case req.Channel != verify.Voice && req.Channel != verify.SMS:
		bad = fmt.Sprintf("channel %q", req.Channel)
	case req.TokenLength < 6 || req.TokenLength > 10:
		bad = fmt.Sprintf("token length %d, want 6 to 10", req.TokenLength)
	case req.Validity <= 0:
		bad = fmt.Sprintf("validity %s", req.Validity)
	case req.MaxAttempts < 1:
		bad = fmt.Sprintf("max attempts %d", req.MaxAttempts)
	case !strings.Contains(req.Template, "%token"):
		bad = "the template has no %token"
	case !slices.Contains(verify.Languages(), req.Language):
		bad = fmt.Sprintf("language %q", req.Language)
	default:
		return nil
	}
	return fmt.Errorf("%w: otp: %s", verify.ErrInvalidOption, bad)
}

// Check compares code with the verification's, in constant time, with
// the outcomes of verify.Provider: verified once, ErrInvalidCode while
// attempts remain, ErrTooManyAttempts (and StatusFailed) at the
// MaxAttempts-th wrong code, ErrExpired once expired, used or canceled,
// ErrNotFound for an unknown id. Every check of a pending verification
// uses up one attempt, the right code's included, before the code is
// compared; a check whose context ends after that has used it. A check
// that finds every attempt taken by checks still in progress gets
// ErrExpired.
func (p *Provider) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	r, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if st, err := p.ending(ctx, id, &r); err != nil || st != verify.StatusPending {
		return nil, cmp.Or(err, endedError(st))
	}
	if !p.now().Before(r.expires) {
		return nil, verify.ErrExpired
	}
	last, err := p.takeAttempt(ctx, id, &r)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sum(p.key, id, &r, code), r.mac) {
		if !last {
			return nil, verify.ErrInvalidCode
		}
		return nil, p.end(ctx, id, &r, kindFailed)
	}
	if err := p.end(ctx, id, &r, kindVerified); err != nil {
		return nil, err
	}
	ver := r.verification(id, verify.StatusVerified)
	return &ver, nil
}

// takeAttempt takes one attempt of the verification id, and reports
// whether it was the last. With none left, it returns the error of how
// the verification ended; checks still in flight may hold the last
// attempts, and only they may end it.
func (p *Provider) takeAttempt(ctx context.Context, id string, r *record) (last bool, err error) {
	per := r.window()
	if r.maxAttempts > 1 {
		refused, _, err := p.store.AllowAll(ctx, []verify.Limit{{Key: key(kindTries, id), N: r.maxAttempts - 1, Per: per}})
		if err != nil {
			return false, storeFailure(err)
		}
		if refused < 0 {
			return false, nil
		}
	}
	refused, _, err := p.store.AllowAll(ctx, []verify.Limit{{Key: key(kindLast, id), N: 1, Per: per}})
	if err != nil {
		return false, storeFailure(err)
	}
	if refused < 0 {
		return true, nil
	}
	st, err := p.ending(ctx, id, r)
	return false, cmp.Or(err, endedError(st))
}

// end ends the verification id of a check as how says (kindVerified or
// kindFailed), unless it has ended already. It returns the check's
// error: nil when it verified, ErrTooManyAttempts when it failed, or
// that of how the verification had ended.
func (p *Provider) end(ctx context.Context, id string, r *record, how string) error {
	refused, _, err := p.store.AllowAll(ctx, []verify.Limit{
		{Key: key(kindDone, id), N: 1, Per: r.window()},
		{Key: key(how, id), N: 1, Per: r.window()},
	})
	switch {
	case err != nil:
		return storeFailure(err)
	case refused < 0 && how == kindFailed:
		return verify.ErrTooManyAttempts
	case refused < 0:
		return nil
	}
	st, err := p.ending(ctx, id, r)
	return cmp.Or(err, endedError(st))
}

// kindStatus returns the status of a verification that ended as kind
// says (kindVerified, kindCanceled or kindFailed).
func kindStatus(kind string) verify.Status {
	switch kind {
	case kindVerified:
		return verify.StatusVerified
	case kindCanceled:
		return verify.StatusCanceled
	}
	return verify.StatusFailed
}

// endedError returns the error of a check that came after the
// verification ended in status st, or, for StatusPending, after checks
// still in flight took every attempt.
func endedError(st verify.Status) error {
	switch st {
	case verify.StatusFailed:
		return verify.ErrTooManyAttempts
	case verify.StatusVerified:
		return errUsed
	case verify.StatusCanceled:
		return errCanceled
	}
	return errAttemptsTaken
}

var (
	errUsed          = fmt.Errorf("%w: the code was already used", verify.ErrExpired)
	errCanceled      = fmt.Errorf("%w: the verification was canceled", verify.ErrExpired)
	errAttemptsTaken = fmt.Errorf("%w: checks in progress took every attempt", verify.ErrExpired)
)

// ending returns how the verification id ended (StatusVerified,
// StatusCanceled or StatusFailed), or StatusPending when it has not: one
// read of the counts, of which only one can ever be set (see end).
func (p *Provider) ending(ctx context.Context, id string, r *record) (verify.Status, error) {
	kinds := [...]string{kindVerified, kindCanceled, kindFailed}
	keys := make([]string, len(kinds))
	for i, k := range kinds {
		keys[i] = key(k, id)
	}
	counts, err := p.store.Count(ctx, r.window(), keys...)
	if err == nil && len(counts) != len(keys) {
		err = fmt.Errorf("the store counted %d keys of %d", len(counts), len(keys))
	}
	if err != nil {
		return "", storeFailure(err)
	}
	for i, n := range counts {
		if n > 0 {
			return kindStatus(kinds[i]), nil
		}
	}
	return verify.StatusPending, nil
}

// Status returns the verification as it stands: verified, canceled or
// failed once it ended so, else expired once past ExpiresAt, else
// pending. An hour after its expiry, a verification is forgotten:
// ErrNotFound.
func (p *Provider) Status(ctx context.Context, id string) (*verify.Verification, error) {
	r, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	st, err := p.ending(ctx, id, &r)
	if err != nil {
		return nil, err
	}
	if st == verify.StatusPending && !p.now().Before(r.expires) {
		st = verify.StatusExpired
	}
	ver := r.verification(id, st)
	return &ver, nil
}

// Cancel ends the verification as canceled, so that its code no longer
// works; one that had ended already stays as it ended. It returns
// ErrNotFound for an unknown id.
func (p *Provider) Cancel(ctx context.Context, id string) error {
	r, err := p.load(ctx, id)
	if err != nil {
		return err
	}
	_, _, err = p.store.AllowAll(ctx, []verify.Limit{
		{Key: key(kindDone, id), N: 1, Per: r.window()},
		{Key: key(kindCanceled, id), N: 1, Per: r.window()},
	})
	if err != nil {
		return storeFailure(err)
	}
	return nil
}

// load returns the record of the verification id, or ErrNotFound.
func (p *Provider) load(ctx context.Context, id string) (record, error) {
	if err := ctx.Err(); err != nil {
		return record{}, err
	}
	if !validID(id) {
		return record{}, verify.ErrNotFound
	}
	s, ok, err := p.store.Get(ctx, key(kindRecord, id))
	switch {
	case err != nil:
		return record{}, storeFailure(err)
	case !ok:
		return record{}, verify.ErrNotFound
	}
	r, err := decode(s)
	if err != nil {
		return record{}, &verify.ProviderError{Provider: providerName, Description: "the store holds a malformed record", Err: verify.ErrUnavailable}
	}
	return r, nil
}

// window returns how long the store keeps the record and counts of a
// verification: its validity and keepAfter.
func (r *record) window() time.Duration { return r.expires.Sub(r.created) + keepAfter }

// verification returns the verification id of r in status st.
func (r *record) verification(id string, st verify.Status) verify.Verification {
	return verify.Verification{
		ID:        id,
		Phone:     r.phone,
		Channel:   r.channel,
		Language:  r.language,
		Status:    st,
		CreatedAt: r.created,
		ExpiresAt: r.expires,
		Provider:  providerName,
	}
}

// storeFailure returns the error of a call whose store failed: the
// context's error when it ended, and otherwise ErrUnavailable.
func storeFailure(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &verify.ProviderError{Provider: providerName, Description: "the store failed", Err: fmt.Errorf("%w: %w", verify.ErrUnavailable, err)}
}

// sendErrors are the errors of a Sender that Start returns as they are.
var sendErrors = [...]error{
	verify.ErrInvalidPhone, verify.ErrRateLimited, verify.ErrUnsupported, verify.ErrUnavailable,
	verify.ErrInvalidOption, context.Canceled, context.DeadlineExceeded,
}

// sendFailure returns the error of a Start whose Sender failed with err
// while delivering code, written in the text as written. An error that
// holds the code, against the Sender's contract, is replaced by one that
// does not.
func sendFailure(err error, code, written string) error {
	var sentinel error
	for _, s := range sendErrors {
		if errors.Is(err, s) {
			sentinel = s
			break
		}
	}
	if msg := err.Error(); strings.Contains(msg, code) || strings.Contains(msg, written) {
		return &verify.ProviderError{Provider: providerName, Description: "the sender failed (its error, which held the code, is left out)",
			Err: cmp.Or(sentinel, verify.ErrUnavailable)}
	}
	if sentinel != nil {
		return err
	}
	return &verify.ProviderError{Provider: providerName, Description: "the sender failed: " + err.Error(), Err: verify.ErrUnavailable}
}
