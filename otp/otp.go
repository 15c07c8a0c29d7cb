package otp

import (
	"cmp"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
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
	sender  verify.Sender
	codeKey []byte // the key of the codes' HMAC, derived from the secret
	idKey   []byte // the key of the ids' HMAC in store keys (see handle)
	store   verify.LimitStore
	now     func() time.Time
	langs   []string // verify.Languages, read once
}

// The purposes the keys of the Provider are derived from the secret for,
// each its own.
const (
	hashInfo   = "phoneverify otp: code hash v1"
	handleInfo = "phoneverify otp: store key v1"
)

// New returns a Provider that delivers its codes through s and keeps
// its state in the store of WithStore (by default in memory).
//
// secret keys the hash under which codes are stored; it must have at
// least MinSecretLen (32) random bytes, kept as secret as an access key,
// and be the same for every instance that shares the store. New checks
// only its length: that a store that leaks gives no code away, not even
// to guesses tested offline, holds for a random secret (from
// crypto/rand, or openssl rand -base64 32), not for a password or a
// phrase. Changing it makes every verification in progress unknown
// (ErrNotFound). New keeps only two keys derived from it.
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
	codeKey, err1 := hkdf.Key(sha256.New, secret, nil, hashInfo, sha256.Size)
	idKey, err2 := hkdf.Key(sha256.New, secret, nil, handleInfo, sha256.Size)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("%w: otp.New: %w", verify.ErrInvalidOption, err)
	}
	return &Provider{sender: s, codeKey: codeKey, idKey: idKey, store: c.store, now: c.now, langs: verify.Languages()}, nil
}

// The store holds, for each verification id, its record and the counts
// that make its state, each under "otp:<kind>:<handle>", where the
// handle stands for the id (see handle). Every change of state is one
// call of AllowAll, so it is atomic in any LimitStore:
//
//   - kindTries: the attempts but the last (MaxAttempts-1 allowed);
//   - kindLast: the last attempt (1 allowed), taken once kindTries is full;
//   - kindDone: the end of the verification (1 allowed), taken together
//     with the one of kindVerified, kindCanceled or kindFailed that says
//     how it ended, and, for the end of a check, with a mark of that
//     check's own under "otp:end:<handle>.<random>" (see end).
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
	kindMark     = "end"
)

// markLen is the length of the random part of an end's mark: 96 bits.
const markLen = 16

// keepAfter is how long after its expiry a verification still answers
// Status (StatusExpired, or how it ended) rather than ErrNotFound.
const keepAfter = time.Hour

// key returns the store key of kind for the verification whose handle
// is h.
func key(kind, h string) string { return "otp:" + kind + ":" + h }

// handle returns what stands for the verification id in the store's
// keys: HMAC-SHA-256 of the id under a key of its own derived from the
// secret, in unpadded base64url. An id is a bearer handle (whoever holds
// it can check codes, read the status and cancel), so the store does not
// hold it: someone who reads the store cannot act on its verifications.
func (p *Provider) handle(id string) string {
	m := hmac.New(sha256.New, p.idKey)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

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
// or ErrInvalidOption, or context.Canceled or DeadlineExceeded, and as
// ErrUnavailable otherwise; an error that holds the code is replaced by
// one that does not, with the same sentinel. The verification is then
// forgotten.
func (p *Provider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := p.checkRequest(req); err != nil {
		return nil, err
	}
	code := newCode(req.TokenLength)
	// An id never starts with "f" or "t", so that it cannot look like a
	// Failover's prefix ("f1-") or a test number's ("test_").
	id := random.String(idLen, idAlphabet)
	for id[0] == 'f' || id[0] == 't' {
		id = random.String(idLen, idAlphabet)
	}
	now := p.now().Round(0) // as the record keeps it: no monotonic reading
	r := record{
		phone: req.Phone, channel: req.Channel, language: req.Language,
		created: now, expires: now.Add(req.Validity), maxAttempts: req.MaxAttempts,
	}
	r.mac = sum(p.codeKey, id, &r, code)
	h := p.handle(id)
	if err := p.store.Put(ctx, key(kindRecord, h), r.encode(), r.window()); err != nil {
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
		p.store.Forget(fctx, key(kindRecord, h))
		cancel()
		return nil, sendFailure(err, code)
	}
	ver := r.verification(id, verify.StatusPending, now.Location())
	return &ver, nil
}

// newCode returns a code of n digits from crypto/rand, each uniform and
// independent: n × log2(10) bits, 19.9 for 6 digits.
func newCode(n int) string { return random.Digits(n) }

// checkRequest refuses what a Verifier never asks for.
func (p *Provider) checkRequest(req verify.Request) error {
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
	case !slices.Contains(p.langs, req.Language):
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
// compared. From then on the check runs to its end even when ctx ends
// (each store call within 5 seconds, and a failed end is tried once
// more), and returns its outcome. Only a store that fails both tries
// loses the attempt: the check gets ErrUnavailable, and were it the last
// attempt, the verification stays pending with none left, and later
// checks get ErrExpired, as do checks that find every attempt held by
// checks still in progress.
func (p *Provider) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	r, h, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if st, err := p.ending(ctx, h, &r); err != nil || st != verify.StatusPending {
		return nil, cmp.Or(err, endedError(st))
	}
	now := p.now()
	if !now.Before(r.expires) {
		return nil, verify.ErrExpired
	}
	last, err := p.takeAttempt(ctx, h, &r)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sum(p.codeKey, id, &r, code), r.mac) {
		if !last {
			return nil, verify.ErrInvalidCode
		}
		return nil, p.end(ctx, h, &r, kindFailed)
	}
	if err := p.end(ctx, h, &r, kindVerified); err != nil {
		return nil, err
	}
	if err := p.confirm(ctx, h, &r); err != nil {
		return nil, err
	}
	ver := r.verification(id, verify.StatusVerified, now.Location())
	return &ver, nil
}

// takeAttempt takes one attempt of the verification of handle h, and
// reports whether it was the last. With none left, it returns the error
// of how the verification ended; checks still in flight may hold the
// last attempts, and only they may end it (see Check).
func (p *Provider) takeAttempt(ctx context.Context, h string, r *record) (last bool, err error) {
	per := r.window()
	if r.maxAttempts > 1 {
		refused, _, err := p.store.AllowAll(ctx, []verify.Limit{{Key: key(kindTries, h), N: r.maxAttempts - 1, Per: per}})
		if err != nil {
			return false, storeFailure(err)
		}
		if refused < 0 {
			return false, nil
		}
	}
	refused, _, err := p.store.AllowAll(ctx, []verify.Limit{{Key: key(kindLast, h), N: 1, Per: per}})
	if err != nil {
		return false, storeFailure(err)
	}
	if refused < 0 {
		return true, nil
	}
	st, err := p.ending(ctx, h, r)
	return false, cmp.Or(err, endedError(st))
}

// endTimeout bounds each store call of a check's end, which runs on
// whatever the check's context does.
const endTimeout = 5 * time.Second

// end ends the verification of handle h, for a check, as how says
// (kindVerified or kindFailed), unless it has ended already. It returns
// the check's error: nil when it verified, ErrTooManyAttempts when it
// failed, or that of how the verification had ended.
//
// The check has taken an attempt: were the end dropped, that attempt
// would be lost, and with it the last one the verification had, which
// would then stay pending with no attempt left. So the end runs on when
// ctx ends (within endTimeout), and when the store fails, it is tried
// once more. The end records a mark of its own with it, in the same
// atomic call, so that a retry that finds the verification ended can
// tell its own first try, whose reply was lost, from another check's.
func (p *Provider) end(ctx context.Context, h string, r *record, how string) error {
	ctx = context.WithoutCancel(ctx)
	mark := key(kindMark, h+"."+random.String(markLen, idAlphabet))
	limits := []verify.Limit{
		{Key: key(kindDone, h), N: 1, Per: r.window()},
		{Key: key(how, h), N: 1, Per: r.window()},
		{Key: mark, N: 1, Per: r.window()},
	}
	refused, err := p.endOnce(ctx, limits)
	if err != nil {
		refused, err = p.endOnce(ctx, limits)
		if err == nil && refused >= 0 && p.marked(ctx, mark, r) {
			refused = -1 // the first try had ended it
		}
	}
	switch {
	case err != nil:
		return err
	case refused < 0 && how == kindFailed:
		return verify.ErrTooManyAttempts
	case refused < 0:
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, endTimeout)
	defer cancel()
	st, err := p.ending(ctx, h, r)
	return cmp.Or(err, endedError(st))
}

// endOnce makes one try of a check's end, the AllowAll of limits,
// within endTimeout. A failure is ErrUnavailable: ctx has no end of its
// own.
func (p *Provider) endOnce(ctx context.Context, limits []verify.Limit) (refused int, err error) {
	ctx, cancel := context.WithTimeout(ctx, endTimeout)
	defer cancel()
	refused, _, err = p.store.AllowAll(ctx, limits)
	if err != nil {
		return -1, unavailable(err)
	}
	return refused, nil
}

// marked reports whether the store holds the mark of an end, within
// endTimeout; false when it cannot tell.
func (p *Provider) marked(ctx context.Context, mark string, r *record) bool {
	ctx, cancel := context.WithTimeout(ctx, endTimeout)
	defer cancel()
	n, err := p.store.Count(ctx, r.window(), mark)
	return err == nil && len(n) == 1 && n[0] > 0
}

// confirm makes sure that the record of the verification of handle h,
// which a check has just ended as verified, is still the one it loaded:
// that is what makes the counts it read and wrote the verification's
// own. A store that evicts keys (a full MemoryLimiter) drops a record
// before any of its counts, the record being the older key and never
// touched again; once the record is gone, a check that had loaded it
// may have counted on fresh keys (and so verified a used code, or one
// whose verification failed), and gets ErrNotFound, as any later check
// does. A Redis that evicts keys gives no such order: see SECURITY.md.
func (p *Provider) confirm(ctx context.Context, h string, r *record) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	s, ok, err := p.store.Get(ctx, key(kindRecord, h))
	switch {
	case err != nil:
		return unavailable(err)
	case !ok || s != r.encode():
		return verify.ErrNotFound
	}
	return nil
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
// verification ended in status st, or, for StatusPending, after every
// attempt was taken by checks still in flight (or lost; see Check).
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
	errAttemptsTaken = fmt.Errorf("%w: every attempt is taken", verify.ErrExpired)
)

// ending returns how the verification of handle h ended (StatusVerified,
// StatusCanceled or StatusFailed), or StatusPending when it has not: one
// read of the counts, of which only one can ever be set (see end).
func (p *Provider) ending(ctx context.Context, h string, r *record) (verify.Status, error) {
	kinds := [...]string{kindVerified, kindCanceled, kindFailed}
	keys := make([]string, len(kinds))
	for i, k := range kinds {
		keys[i] = key(k, h)
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
	r, h, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	st, err := p.ending(ctx, h, &r)
	if err != nil {
		return nil, err
	}
	now := p.now()
	if st == verify.StatusPending && !now.Before(r.expires) {
		st = verify.StatusExpired
	}
	ver := r.verification(id, st, now.Location())
	return &ver, nil
}

// Cancel ends the verification as canceled, so that its code no longer
// works. One that had ended already stays as it ended, and one past its
// expiry stays expired; Cancel returns nil for them, as the fake
// Provider does. It returns ErrNotFound for an unknown id.
func (p *Provider) Cancel(ctx context.Context, id string) error {
	r, h, err := p.load(ctx, id)
	if err != nil {
		return err
	}
	if !p.now().Before(r.expires) {
		return nil // its code works no longer already
	}
	_, _, err = p.store.AllowAll(ctx, []verify.Limit{
		{Key: key(kindDone, h), N: 1, Per: r.window()},
		{Key: key(kindCanceled, h), N: 1, Per: r.window()},
	})
	if err != nil {
		return storeFailure(err)
	}
	return nil
}

// load returns the record of the verification id and its handle in the
// store, or ErrNotFound.
func (p *Provider) load(ctx context.Context, id string) (record, string, error) {
	if err := ctx.Err(); err != nil {
		return record{}, "", err
	}
	if !validID(id) {
		return record{}, "", verify.ErrNotFound
	}
	h := p.handle(id)
	s, ok, err := p.store.Get(ctx, key(kindRecord, h))
	switch {
	case err != nil:
		return record{}, "", storeFailure(err)
	case !ok:
		return record{}, "", verify.ErrNotFound
	}
	r, err := decode(s, p.langs)
	if err != nil {
		return record{}, "", &verify.ProviderError{Provider: providerName, Description: "the store holds a malformed record", Err: verify.ErrUnavailable}
	}
	return r, h, nil
}

// window returns how long the store keeps the record and counts of a
// verification: its validity and keepAfter.
func (r *record) window() time.Duration { return r.expires.Sub(r.created) + keepAfter }

// verification returns the verification id of r in status st, with its
// times in loc, the zone of the Provider's clock (the record keeps none).
func (r *record) verification(id string, st verify.Status, loc *time.Location) verify.Verification {
	return verify.Verification{
		ID:        id,
		Phone:     r.phone,
		Channel:   r.channel,
		Language:  r.language,
		Status:    st,
		CreatedAt: r.created.In(loc),
		ExpiresAt: r.expires.In(loc),
		Provider:  providerName,
	}
}

// storeFailure returns the error of a call whose store failed: the
// context's error when it ended, and otherwise ErrUnavailable.
func storeFailure(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return unavailable(err)
}

// unavailable returns the error of a store that failed with err.
func unavailable(err error) error {
	return &verify.ProviderError{Provider: providerName, Description: "the store failed", Err: fmt.Errorf("%w: %w", verify.ErrUnavailable, err)}
}

// sendErrors are the errors of a Sender that Start returns as they are.
var sendErrors = [...]error{
	verify.ErrInvalidPhone, verify.ErrRateLimited, verify.ErrUnsupported, verify.ErrUnavailable,
	verify.ErrInvalidOption, context.Canceled, context.DeadlineExceeded,
}

// sendFailure returns the error of a Start whose Sender failed with err
// while delivering code. An error that holds the code, against the
// Sender's contract, however written (see holdsCode), is replaced by one
// that does not.
func sendFailure(err error, code string) error {
	var sentinel error
	for _, s := range sendErrors {
		if errors.Is(err, s) {
			sentinel = s
			break
		}
	}
	if holdsCode(err.Error(), code) {
		return &verify.ProviderError{Provider: providerName, Description: "the sender failed (its error, which held the code, is left out)",
			Err: cmp.Or(sentinel, verify.ErrUnavailable)}
	}
	if sentinel != nil {
		return err
	}
	return &verify.ProviderError{Provider: providerName, Description: "the sender failed: " + err.Error(), Err: verify.ErrUnavailable}
}

// leakRun is the fewest digits of a code in a row that holdsCode counts
// as giving the code away: 4, so that a partial echo (a text cut short, a
// masked tail) counts too.
const leakRun = 4

var (
	// percentEscape, unicodeEscape and markup are what an error may wrap
	// the digits of a text in: URL encoding ("1%2C+2"), JSON's \u escapes,
	// and SSML or HTML tags (<break time="300ms"/>, whose own digits
	// would split the code's).
	percentEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	unicodeEscape = regexp.MustCompile(`\\u[0-9A-Fa-f]{4}`)
	markup        = regexp.MustCompile(`<[^<>]*>`)
)

// holdsCode reports whether msg, the text of a Sender's error, holds
// leakRun or more digits of code in a row, once everything but digits is
// dropped: as written, and with URL, JSON and HTML escapes undone and
// markup removed. A run of 4 digits in an unrelated error (a status, a
// time) may match by chance; the error then loses its detail, never
// its sentinel.
func holdsCode(msg, code string) bool {
	decoded := percentEscape.ReplaceAllStringFunc(msg, func(e string) string {
		b, _ := strconv.ParseUint(e[1:], 16, 8)
		return string([]byte{byte(b)})
	})
	decoded = unicodeEscape.ReplaceAllStringFunc(decoded, func(e string) string {
		r, _ := strconv.ParseUint(e[2:], 16, 16)
		return string(rune(r))
	})
	decoded = html.UnescapeString(decoded)
	for _, form := range [...]string{msg, decoded, markup.ReplaceAllString(decoded, "")} {
		digits := strings.Map(func(r rune) rune {
			if r < '0' || r > '9' {
				return -1
			}
			return r
		}, form)
		for i := 0; i+leakRun <= len(code); i++ {
			if strings.Contains(digits, code[i:i+leakRun]) {
				return true
			}
		}
	}
	return false
}
