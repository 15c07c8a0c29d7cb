package otp_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/verifytest"
)

// encodings returns code written every way a store could hold it: as
// text (plain, spaced, spoken, UTF-16), as a number (decimal without
// leading zeros, hex, 4 and 8 bytes in either byte order), in hex and
// base64 of each, and as packed BCD.
func encodings(code string) []string {
	n, _ := strconv.ParseUint(code, 10, 64)
	digits := strings.Split(code, "")
	forms := []string{
		code, strings.Join(digits, " "), strings.Join(digits, ", "), strings.Join(digits, "、"),
		strconv.FormatUint(n, 10), strconv.FormatUint(n, 16), strings.ToUpper(strconv.FormatUint(n, 16)),
		string(binary.BigEndian.AppendUint64(nil, n)), string(binary.LittleEndian.AppendUint64(nil, n)),
	}
	if n < 1<<32 {
		forms = append(forms, string(binary.BigEndian.AppendUint32(nil, uint32(n))), string(binary.LittleEndian.AppendUint32(nil, uint32(n))))
	}
	var u16be, u16le, bcd []byte
	for _, r := range utf16.Encode([]rune(code)) {
		u16be = binary.BigEndian.AppendUint16(u16be, r)
		u16le = binary.LittleEndian.AppendUint16(u16le, r)
	}
	for i := 0; i+1 < len(code); i += 2 {
		bcd = append(bcd, (code[i]-'0')<<4|(code[i+1]-'0'))
	}
	forms = append(forms, string(u16be), string(u16le), string(bcd))
	for _, f := range slicesClone(forms) {
		forms = append(forms, hex.EncodeToString([]byte(f)), strings.ToUpper(hex.EncodeToString([]byte(f))),
			base64.StdEncoding.EncodeToString([]byte(f)), base64.RawStdEncoding.EncodeToString([]byte(f)),
			base64.URLEncoding.EncodeToString([]byte(f)), base64.RawURLEncoding.EncodeToString([]byte(f)))
	}
	return forms
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// TestEncodingsFindTheCode: the search below finds a code written in any
// of the encodings, in the middle of other bytes.
func TestEncodingsFindTheCode(t *testing.T) {
	const code = "0123456789"
	forms := encodings(code)
	assert.Len(t, forms, 98) // SECURITY.md counts them
	for _, f := range forms {
		assert.NotEmpty(t, foundIn("key:x\nvalue|"+f+"|tail", code), "%q is not found", f)
	}
	assert.Empty(t, foundIn("key:x\nvalue|0123456788|tail", code))
}

// foundIn returns the encodings of code that dump holds.
func foundIn(dump, code string) []string {
	var found []string
	for _, f := range encodings(code) {
		if strings.Contains(dump, f) {
			found = append(found, f)
		}
	}
	return found
}

// TestNoCodeInTheStore runs verifications through a Verifier that shares
// the otp Provider's store, as an app would, through every state a
// verification can reach, and then searches everything either wrote to
// the store (every key and every value) for each code in every encoding.
// The codes have 10 digits, so that none turns up by chance among the
// store's other digits (times in nanoseconds, numbers): at most about 10⁻⁶
// for the whole test.
func TestNoCodeInTheStore(t *testing.T) {
	e := newEnv(t)
	v, err := verify.New(e.p, verify.WithLimiter(e.store), verify.WithTokenLength(10),
		verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithPumpingGuard(0, 0, 0))
	require.NoError(t, err)
	ctx := context.Background()
	var codes []string
	for i := range 60 {
		phone := "+316123" + strconv.Itoa(10000+i)
		ch := verify.WithChannel([]verify.Channel{verify.Voice, verify.SMS}[i%2])
		ver, err := v.Start(ctx, phone, ch)
		require.NoError(t, err)
		code := e.code(t, phone)
		codes = append(codes, code)
		switch i % 4 {
		case 0: // verified after a wrong code
			_, err = v.Check(ctx, ver.ID, wrong(code))
			require.ErrorIs(t, err, verify.ErrInvalidCode)
			_, err = v.Check(ctx, ver.ID, code)
			require.NoError(t, err)
		case 1: // failed
			for range 5 {
				v.Check(ctx, ver.ID, wrong(code))
			}
		case 2: // canceled
			require.NoError(t, v.Cancel(ctx, ver.ID))
		} // case 3: pending
	}
	dump := e.store.dump()
	require.Contains(t, dump, "otp:rec:", "the dump holds no record")
	for _, code := range codes {
		assert.Empty(t, foundIn(dump, code), "code %s is in the store", code)
	}
}

// TestNoIDInTheStore: an id is a bearer handle (it checks codes, reads
// the status, cancels), so the store keys verifications by an HMAC of
// it: through every state a verification reaches, no key or value
// written holds an id, nor its hex or base64 (the encodings of a 32-byte
// id of TestNoCodeInTheStore). The same id through another Provider of
// the same secret and store still finds its verification.
func TestNoIDInTheStore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []string
	for i := range 8 {
		phone := "+316123" + strconv.Itoa(10000+i)
		ver, err := e.p.Start(ctx, verifytest.Request(phone))
		require.NoError(t, err)
		ids = append(ids, ver.ID)
		code := e.code(t, phone)
		switch i % 4 {
		case 0:
			_, err = e.p.Check(ctx, ver.ID, code)
			require.NoError(t, err)
		case 1:
			for range 3 {
				e.p.Check(ctx, ver.ID, wrong(code))
			}
		case 2:
			require.NoError(t, e.p.Cancel(ctx, ver.ID))
		}
		_, err = e.p.Status(ctx, ver.ID)
		require.NoError(t, err)
	}
	dump := e.store.dump()
	require.Contains(t, dump, "otp:rec:")
	for _, id := range ids {
		for _, f := range []string{id, hex.EncodeToString([]byte(id)), base64.StdEncoding.EncodeToString([]byte(id)), base64.RawURLEncoding.EncodeToString([]byte(id))} {
			assert.NotContains(t, dump, f, "id %s is in the store", id)
		}
	}
	other, err := otp.New(fake.NewSender(), []byte(secret), otp.WithStore(e.store), otp.WithClock(e.clock.Now))
	require.NoError(t, err)
	st, err := other.Status(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, st.Status)
}

// TestTwoProvidersShareOneStore: two app instances, each a Verifier over
// its own otp Provider and Sender, with one secret and one store, behave
// as one: a code sent by either checks on either, wrong codes on both
// count against one cap, and Cancel and Status on one see the other's
// state. With another secret, no verification is found.
func TestTwoProvidersShareOneStore(t *testing.T) {
	c := newClock()
	store := &verify.MemoryLimiter{Now: c.Now}
	instance := func(secret string) (*verify.Verifier, *fake.Sender) {
		s := fake.NewSender()
		p, err := otp.New(s, []byte(secret), otp.WithStore(store), otp.WithClock(c.Now))
		require.NoError(t, err)
		v, err := verify.New(p, verify.WithLimiter(store), verify.WithResendCooldown(0))
		require.NoError(t, err)
		return v, s
	}
	a, sa := instance(secret)
	b, sb := instance(secret)
	ctx := context.Background()
	lastCode := func(phone string) string { // sent by a or by b
		code, ok := sa.LastCode(phone)
		if !ok {
			code, ok = sb.LastCode(phone)
		}
		require.True(t, ok)
		return code
	}

	ver, err := a.Start(ctx, "+31612345678")
	require.NoError(t, err)
	code := lastCode("+31612345678")
	_, err = b.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	got, err := b.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, "otp", got.Provider)
	_, err = a.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrExpired, "a code used on b works again on a")
	st, err := a.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, st.Status)

	// The cap of 5 wrong codes, taken in turns on a and b.
	ver, err = b.Start(ctx, "+31612345679")
	require.NoError(t, err)
	code = lastCode("+31612345679")
	for i, v := range []*verify.Verifier{a, b, a, b} {
		_, err = v.Check(ctx, ver.ID, wrong(code))
		require.ErrorIs(t, err, verify.ErrInvalidCode, "wrong code %d", i+1)
	}
	_, err = a.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	st, err = b.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusFailed, st.Status)

	// Cancel on one kills the code on the other.
	ver, err = a.Start(ctx, "+31612345670")
	require.NoError(t, err)
	require.NoError(t, b.Cancel(ctx, ver.ID))
	_, err = a.Check(ctx, ver.ID, lastCode("+31612345670"))
	assert.ErrorIs(t, err, verify.ErrExpired)

	// Another secret: the same store, but no code checks; the other
	// Provider does not even find the verification.
	other, _ := instance(strings.Repeat("x", 32))
	ver, err = a.Start(ctx, "+31612345671")
	require.NoError(t, err)
	_, err = other.Check(ctx, ver.ID, lastCode("+31612345671"))
	assert.ErrorIs(t, err, verify.ErrNotFound)
}

// TestConcurrentGuessesAreCapped: however many checks arrive at once,
// the store hands out MaxAttempts attempts, and only a check that holds
// one compares its code: 64 concurrent guesses, the right code among
// them, give at most one success, at most MaxAttempts-1 ErrInvalidCode,
// and at most MaxAttempts attempts taken (fewer when the right code
// ended the verification before the others took theirs).
func TestConcurrentGuessesAreCapped(t *testing.T) {
	for round := range 20 {
		e := newEnv(t)
		ver, err := e.p.Start(context.Background(), verifytest.Request(verifytest.Phone)) // MaxAttempts 3
		require.NoError(t, err)
		code := e.code(t, verifytest.Phone)
		const n = 64
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			guess := strconv.Itoa(1000000 + i)[1:]
			if i == n/2 {
				guess = code
			} else if guess == code {
				guess = wrong(code)
			}
			wg.Go(func() { _, errs[i] = e.p.Check(context.Background(), ver.ID, guess) })
		}
		wg.Wait()
		var ok, invalid int
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, verify.ErrInvalidCode):
				invalid++
			case errors.Is(err, verify.ErrExpired), errors.Is(err, verify.ErrTooManyAttempts):
			default:
				require.FailNow(t, "unexpected error", "round %d: %v", round, err)
			}
		}
		assert.LessOrEqual(t, ok, 1, "round %d", round)
		assert.LessOrEqual(t, invalid, 2, "round %d", round)
		assert.LessOrEqual(t, e.store.attemptsTaken(), 3, "round %d: attempts taken", round)
		assert.GreaterOrEqual(t, e.store.attemptsTaken(), ok+invalid, "round %d: attempts taken", round)
		st, err := e.p.Status(context.Background(), ver.ID)
		require.NoError(t, err)
		if ok == 1 {
			assert.Equal(t, verify.StatusVerified, st.Status, "round %d", round)
		} else {
			assert.Equal(t, verify.StatusFailed, st.Status, "round %d", round)
			assert.Equal(t, 3, e.store.attemptsTaken(), "round %d: attempts taken", round)
		}
	}
}

// TestMadeUpIDsStoreNothing: checks, status reads and cancels of ids
// that were never started write nothing to the store.
func TestMadeUpIDsStoreNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, id := range []string{"0123456789abcdef0123456789abcdef", "short", "", strings.Repeat("a", 33), "../../etc/passwd________________"} {
		_, err := e.p.Check(ctx, id, "123456")
		assert.ErrorIs(t, err, verify.ErrNotFound, id)
		_, err = e.p.Status(ctx, id)
		assert.ErrorIs(t, err, verify.ErrNotFound, id)
		assert.ErrorIs(t, e.p.Cancel(ctx, id), verify.ErrNotFound, id)
	}
	assert.Zero(t, e.store.Len())
	assert.Empty(t, e.store.dump())
}

// TestIDsOfAnotherAlphabetNeverReachTheStore: an id of the right length
// with a byte that no id holds (outside unpadded base64url) is unknown
// without a call to the store: Check, Status and Cancel give
// ErrNotFound even while the store is down.
func TestIDsOfAnotherAlphabetNeverReachTheStore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	down := errors.New("connection refused")
	a31 := strings.Repeat("A", 31)
	for _, id := range []string{
		a31 + "+", a31 + "/", a31 + "=", a31 + " ", a31 + ".", a31 + "\x00", a31 + "\xff",
		"é" + a31[:30], "../../etc/passwd________________",
	} {
		require.Len(t, id, 32)
		calls := map[string]func() error{
			"Check":  func() error { _, err := e.p.Check(ctx, id, "123456"); return err },
			"Status": func() error { _, err := e.p.Status(ctx, id); return err },
			"Cancel": func() error { return e.p.Cancel(ctx, id) },
		}
		for name, call := range calls {
			e.store.failNext(down)
			assert.ErrorIs(t, call(), verify.ErrNotFound, "%s(%q)", name, id)
		}
	}
}

// TestDefaultStore: without WithStore, a Provider keeps its state in a
// MemoryLimiter of its own, on its clock.
func TestDefaultStore(t *testing.T) {
	c := newClock()
	s := fake.NewSender()
	p, err := otp.New(s, []byte(secret), otp.WithClock(c.Now))
	require.NoError(t, err)
	ver, err := p.Start(context.Background(), verifytest.Request(verifytest.Phone))
	require.NoError(t, err)
	c.Advance(10*time.Minute + time.Hour) // the clock the store reads, too
	_, err = p.Status(context.Background(), ver.ID)
	assert.ErrorIs(t, err, verify.ErrNotFound)
}

// TestEvictionNeverRevivesACode: a full MemoryLimiter evicts keys, and
// must never evict its way back to a code that works again. A record is
// written before the counts of its verification and is the older key,
// so it goes first, and the verification is then unknown. Verified,
// failed and canceled verifications are checked with their right code
// after each of 200 further starts into a limiter of 40 keys.
func TestEvictionNeverRevivesACode(t *testing.T) {
	c := newClock()
	store := &verify.MemoryLimiter{Now: c.Now, MaxKeys: 40}
	s := fake.NewSender()
	p, err := otp.New(s, []byte(secret), otp.WithStore(store), otp.WithClock(c.Now))
	require.NoError(t, err)
	ctx := context.Background()
	type ended struct{ id, code string }
	var done []ended
	for i := range 200 {
		phone := "+316123" + strconv.Itoa(10000+i)
		ver, err := p.Start(ctx, verifytest.Request(phone))
		require.NoError(t, err)
		code, _ := s.LastCode(phone)
		switch i % 3 {
		case 0:
			_, err = p.Check(ctx, ver.ID, code)
			require.NoError(t, err)
		case 1:
			for range 3 {
				p.Check(ctx, ver.ID, wrong(code))
			}
		case 2:
			require.NoError(t, p.Cancel(ctx, ver.ID))
		}
		done = append(done, ended{ver.ID, code})
		for _, d := range done {
			_, err := p.Check(ctx, d.id, d.code)
			require.Error(t, err, "after %d starts, the code of %s works again", i+1, d.id)
		}
	}
	assert.LessOrEqual(t, store.Len(), 40)
}

// TestEvictionDuringACheck: a check loads the record, and then, before
// it takes its attempt, another check ends the verification and a flood
// of keys evicts the record and every count of the verification from a
// full MemoryLimiter. The check then counts on fresh keys: its attempt
// is the first again, and its end too. It must not verify all the same:
// neither a code used already, nor one whose verification failed at
// MaxAttempts wrong codes. Nor may a later check start counting again.
func TestEvictionDuringACheck(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		end  func(p *otp.Provider, id, code string) // the other check(s)
	}{
		{"verified", func(p *otp.Provider, id, code string) {
			_, err := p.Check(ctx, id, code)
			require.NoError(t, err)
		}},
		{"failed", func(p *otp.Provider, id, code string) {
			for range 2 {
				_, err := p.Check(ctx, id, wrong(code))
				require.ErrorIs(t, err, verify.ErrInvalidCode)
			}
			_, err := p.Check(ctx, id, wrong(code))
			require.ErrorIs(t, err, verify.ErrTooManyAttempts)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const maxKeys = 20
			e.store.MaxKeys = maxKeys
			ver, code := e.started(t) // MaxAttempts 3
			flood := func() {
				for i := range 2 * maxKeys {
					_, _, err := e.store.MemoryLimiter.AllowAll(ctx, []verify.Limit{{Key: "flood:" + strconv.Itoa(i), N: 1, Per: time.Hour}})
					require.NoError(t, err)
				}
			}
			e.store.faults(fault{then: func() { tt.end(e.p, ver.ID, code); flood() }})
			_, err := e.p.Check(ctx, ver.ID, code)
			assert.ErrorIs(t, err, verify.ErrNotFound, "the check that loaded the record before the flood")
			for range 4 {
				_, err = e.p.Check(ctx, ver.ID, code)
				assert.ErrorIs(t, err, verify.ErrNotFound, "a check after the flood")
			}
		})
	}
}
