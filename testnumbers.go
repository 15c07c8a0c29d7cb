package verify

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"time"
)

// WithTestNumbers gives numbers fixed codes, for app-store review and
// staging: codes maps numbers, as a user would type them (read with
// [WithDefaultRegion]), to codes of 4 to 10 digits. A start for one of
// them sends nothing and calls no provider, and only its fixed code
// verifies it; everything else is as for any number: the number's
// policies, the rate limits, the [Observer] (with [Event].Test set),
// Status and Cancel. The [Verification] has Test set. Default: none.
// New refuses, with [ErrInvalidOption], a number that is invalid or that
// the Verifier's policies refuse, a code that is not 4 to 10 digits, and
// two spellings of one number with different codes; and with a logger
// ([WithLogger]) it logs at Warn level that test numbers are on.
//
// A fixed code is a password to the number's verification: anyone who
// knows it verifies the number. Keep test numbers out of production
// configuration, or give them numbers nobody owns (see SECURITY.md).
//
// Test verifications have ids that start with "test_" and hold 128
// random bits. Their state is kept in the Verifier's [Limiter] when it
// is a [LimitStore] (the default [MemoryLimiter] and the redislimit
// module's are), so that with a shared store they work across app
// instances that share the configuration; with a plain Limiter, in a
// MemoryLimiter of the Verifier's own. No code is stored: a check
// compares with the configured code.
func WithTestNumbers(codes map[string]string) Option {
	codes = maps.Clone(codes)
	return configOption(func(c *config) { c.testNumbers = codes })
}

// testIDPrefix starts the id of every test verification.
const testIDPrefix = "test_"

// testGrace is how long a test verification is kept after its code
// expired, so that Status and Check can say "expired" rather than "not
// found".
const testGrace = time.Hour

// The keys of a test verification's state, followed by its id.
const (
	keyTest         = "test:"         // the verification (a value; see testRecord)
	keyTestLive     = "testlive:"     // present while its code is valid (a value)
	keyTestEnded    = "testended:"    // one event once it was verified or canceled
	keyTestVerified = "testverified:" // one event once it was verified
	keyTestCanceled = "testcanceled:" // one event once it was canceled
	keyTestWrong    = "testwrong:"    // one event per wrong code
)

// testNumbers is the Verifier's stand-in for a provider for the numbers
// of WithTestNumbers. It keeps its state in store: which number a
// verification is for, whether it is still valid, verified or canceled,
// and its wrong codes; never a code.
type testNumbers struct {
	codes map[string]string // E.164 → code
	store LimitStore
}

var (
	_ Provider       = (*testNumbers)(nil)
	_ StatusProvider = (*testNumbers)(nil)
	_ Canceler       = (*testNumbers)(nil)
)

// setTestNumbers reads the numbers of WithTestNumbers, once the rest of
// the Verifier is set up, since it applies the Verifier's default region
// and policies.
func (v *Verifier) setTestNumbers() error {
	if len(v.cfg.testNumbers) == 0 {
		return nil
	}
	t := &testNumbers{codes: make(map[string]string, len(v.cfg.testNumbers)), store: v.store}
	for number, code := range v.cfg.testNumbers {
		masked := MaskPhone(number)
		p, err := parsePhone(number, v.cfg.msg.region)
		if err == nil {
			err = v.checkNumber(p)
		}
		if err != nil {
			return fmt.Errorf("%w: WithTestNumbers: number %q: %s", ErrInvalidOption, masked,
				strings.TrimPrefix(err.Error(), "verify: invalid phone number: "))
		}
		if len(code) < 4 || len(code) > 10 || !isDigits(code) {
			return fmt.Errorf("%w: WithTestNumbers: the code of number %q must be 4 to 10 digits", ErrInvalidOption, masked)
		}
		if c, dup := t.codes[p.E164]; dup && c != code {
			return fmt.Errorf("%w: WithTestNumbers: number %q is given twice, with different codes", ErrInvalidOption, MaskPhone(p.E164))
		}
		t.codes[p.E164] = code
	}
	if t.store == nil {
		t.store = new(MemoryLimiter)
	}
	v.tests = t
	if v.log != nil {
		v.log.LogAttrs(context.Background(), slog.LevelWarn,
			"verify: test numbers are on: their fixed codes verify them, and no code is sent to them",
			slog.Int("numbers", len(t.codes)))
	}
	return nil
}

// testRecord is what the store keeps of a test verification.
type testRecord struct {
	phone       string
	channel     Channel
	language    string
	maxAttempts int
	created     time.Time
	expires     time.Time
	window      time.Duration // how long the record is kept
}

func (r testRecord) String() string {
	return strings.Join([]string{r.phone, string(r.channel), r.language, strconv.Itoa(r.maxAttempts),
		strconv.FormatInt(r.created.UnixNano(), 10), strconv.FormatInt(r.expires.UnixNano(), 10),
		strconv.FormatInt(int64(r.window), 10)}, " ")
}

// parseTestRecord reads what testRecord.String wrote.
func parseTestRecord(s string) (testRecord, bool) {
	f := strings.Fields(s)
	if len(f) != 7 {
		return testRecord{}, false
	}
	var n [4]int64
	for i, s := range f[3:] {
		var err error
		if n[i], err = strconv.ParseInt(s, 10, 64); err != nil {
			return testRecord{}, false
		}
	}
	r := testRecord{phone: f[0], channel: Channel(f[1]), language: f[2], maxAttempts: int(n[0]),
		created: time.Unix(0, n[1]), expires: time.Unix(0, n[2]), window: time.Duration(n[3])}
	return r, r.maxAttempts > 0 && r.window > 0
}

// verification returns the Verification of r with the status s.
func (r testRecord) verification(id string, s Status) *Verification {
	return &Verification{ID: id, Phone: r.phone, Channel: r.channel, Language: r.language, Status: s,
		CreatedAt: r.created, ExpiresAt: r.expires, Test: true}
}

// has reports whether e164 is a test number.
func (t *testNumbers) has(e164 string) bool {
	_, ok := t.codes[e164]
	return ok
}

// isTestID reports whether id names a test verification.
func isTestID(id string) bool { return strings.HasPrefix(id, testIDPrefix) && validID(id) }

// Start records a test verification; it sends nothing.
func (t *testNumbers) Start(ctx context.Context, req Request) (*Verification, error) {
	now := time.Now()
	id := testIDPrefix + rand.Text() // 128 random bits
	r := testRecord{phone: req.Phone, channel: req.Channel, language: req.Language, maxAttempts: req.MaxAttempts,
		created: now, expires: now.Add(req.Validity), window: req.Validity + testGrace}
	if err := t.store.Put(ctx, keyTest+id, r.String(), r.window); err != nil {
		return nil, limiterFailure(ctx, err)
	}
	if err := t.store.Put(ctx, keyTestLive+id, "1", req.Validity); err != nil {
		return nil, limiterFailure(ctx, err)
	}
	return r.verification(id, StatusPending), nil
}

// state reads the test verification id and its status.
func (t *testNumbers) state(ctx context.Context, id string) (testRecord, Status, error) {
	value, ok, err := t.store.Get(ctx, keyTest+id)
	if err != nil {
		return testRecord{}, "", limiterFailure(ctx, err)
	}
	r, valid := parseTestRecord(value)
	if !ok || !valid || !t.has(r.phone) {
		return testRecord{}, "", ErrNotFound
	}
	counts, err := t.store.Count(ctx, r.window, keyTestVerified+id, keyTestCanceled+id, keyTestWrong+id)
	if err != nil || len(counts) != 3 {
		return testRecord{}, "", limiterFailure(ctx, fmt.Errorf("count of a test verification: %v", err))
	}
	switch {
	case counts[0] > 0:
		return r, StatusVerified, nil
	case counts[1] > 0:
		return r, StatusCanceled, nil
	case counts[2] >= r.maxAttempts:
		return r, StatusFailed, nil
	}
	_, live, err := t.store.Get(ctx, keyTestLive+id)
	switch {
	case err != nil:
		return testRecord{}, "", limiterFailure(ctx, err)
	case !live:
		return r, StatusExpired, nil
	}
	return r, StatusPending, nil
}

// Check compares code with the number's fixed code, with the outcomes of
// a provider: verified once, ErrInvalidCode while attempts remain,
// ErrTooManyAttempts when they run out, ErrExpired when expired, already
// verified or canceled.
func (t *testNumbers) Check(ctx context.Context, id, code string) (*Verification, error) {
	r, s, err := t.state(ctx, id)
	if err != nil {
		return nil, err
	}
	switch s {
	case StatusVerified:
		return nil, fmt.Errorf("%w: the code was already used", ErrExpired)
	case StatusExpired, StatusCanceled:
		return nil, ErrExpired
	case StatusFailed:
		return nil, ErrTooManyAttempts
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(t.codes[r.phone])) != 1 {
		return nil, t.wrongCode(ctx, id, r)
	}
	// Taking the one event of testended: makes the code work once, also
	// when checks race on several app instances.
	ended, _, err := t.store.AllowAll(ctx, []Limit{
		{Key: keyTestEnded + id, N: 1, Per: r.window},
		{Key: keyTestVerified + id, N: 1, Per: r.window},
	})
	switch {
	case err != nil:
		return nil, limiterFailure(ctx, err)
	case ended >= 0:
		return nil, fmt.Errorf("%w: the code was already used", ErrExpired)
	}
	return r.verification(id, StatusVerified), nil
}

// wrongCode counts a wrong code and returns the error it gives: the one
// that uses up the attempts fails the verification.
func (t *testNumbers) wrongCode(ctx context.Context, id string, r testRecord) error {
	key := keyTestWrong + id
	if r.maxAttempts > 1 {
		ok, _, err := t.store.Allow(ctx, key, r.maxAttempts-1, r.window)
		if err != nil {
			return limiterFailure(ctx, err)
		}
		if ok {
			return ErrInvalidCode
		}
	}
	// The last attempt: record it, so that the verification reads as
	// failed from now on.
	if _, _, err := t.store.Allow(ctx, key, r.maxAttempts, r.window); err != nil {
		return limiterFailure(ctx, err)
	}
	return ErrTooManyAttempts
}

// Status returns the test verification as it stands.
func (t *testNumbers) Status(ctx context.Context, id string) (*Verification, error) {
	r, s, err := t.state(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.verification(id, s), nil
}

// Cancel makes the test verification's code stop working. Canceling one
// that was already verified or canceled changes nothing.
func (t *testNumbers) Cancel(ctx context.Context, id string) error {
	r, _, err := t.state(ctx, id)
	if err != nil {
		return err
	}
	_, _, err = t.store.AllowAll(ctx, []Limit{
		{Key: keyTestEnded + id, N: 1, Per: r.window},
		{Key: keyTestCanceled + id, N: 1, Per: r.window},
	})
	if err != nil {
		return limiterFailure(ctx, err)
	}
	return nil
}
