package http

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	keyA = []byte("0123456789abcdef0123456789abcdef")
	keyB = []byte("fedcba9876543210fedcba9876543210")
)

// adCookie is the additional data of a state cookie of a handler mounted
// at /verify/ without a scope.
var adCookie = (&handler{}).binding("/verify/", purposeCookie, "")

// ms is t as sealed: to the millisecond.
func ms(t time.Time) unixMilli { return unixMilli{t.Truncate(time.Millisecond)} }

func testState(now time.Time) *state {
	return &state{
		ID: "15498233759288aaf929661v21936686", Phone: "+31612345678", Channel: verify.SMS, Language: "nl-nl", Sent: ms(now),
		Expires: ms(now.Add(10 * time.Minute)), Until: ms(now.Add(time.Hour)), Verified: true,
	}
}

func testFlash(now time.Time) *flash {
	return &flash{
		Channel: verify.Auto, Input: "+31 6 123", At: ms(now), Until: ms(now.Add(10 * time.Minute)),
		Failure: Failure{Code: InvalidPhone, Reason: "the number is too short", ReasonCode: "too_short", Region: "GB", Field: "phone", RetryAfter: 42},
	}
}

func mustKeys(t testing.TB, secrets ...[]byte) *keys {
	t.Helper()
	k, err := newKeys(secrets)
	require.NoError(t, err)
	return k
}

// TestSealOpens: a state and a flash come back whole, and a sealed value
// neither shows the number nor repeats itself.
func TestSealOpens(t *testing.T) {
	now := time.Now()
	k := mustKeys(t, keyA)

	want := testState(now)
	v, err := k.seal(want, adCookie)
	require.NoError(t, err)
	got := new(state)
	require.NoError(t, k.open(v, adCookie, now, got))
	assert.Equal(t, want, got)
	assert.NotContains(t, v, "31612345678", "the sealed value shows the number")
	v2, err := k.seal(want, adCookie)
	require.NoError(t, err)
	assert.NotEqual(t, v, v2, "two seals of one state are equal: the nonce is not random")

	wantFl := testFlash(now)
	v, err = k.seal(wantFl, purposeFlash)
	require.NoError(t, err)
	gotFl := new(flash)
	require.NoError(t, k.open(v, purposeFlash, now, gotFl))
	assert.Equal(t, wantFl, gotFl)
}

// TestOpenRefuses: a value sealed with another key, for another purpose,
// mount or scope, in another format, too old, or changed in any way, does
// not open.
func TestOpenRefuses(t *testing.T) {
	now := time.Now()
	a := mustKeys(t, keyA)
	v, err := a.seal(testState(now), adCookie)
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(v)
	require.NoError(t, err)
	// A value of the same fields under another format name.
	aead := a.aeads[0]
	nonce := make([]byte, aead.NonceSize())
	plain := `{"id":"1","phone":"+31612345678","channel":"sms","until":32503680000000}`
	oldFormat := base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), []byte("phoneverify/http json v2\x00"+adCookie)))
	sameFormat := base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), []byte(sealFormat+"\x00"+adCookie)))
	require.NoError(t, a.open(sameFormat, adCookie, now, new(state)), "the value written by hand does not open in its own format")

	type openCase struct {
		name  string
		k     *keys
		value string
		ad    string
		now   time.Time
		want  error
	}
	tests := []openCase{
		{"other key", mustKeys(t, keyB), v, adCookie, now, errStateInvalid},
		{"other purpose", a, v, (&handler{}).binding("/verify/", purposeToken, ""), now, errStateInvalid},
		{"other mount", a, v, (&handler{}).binding("/other/", purposeCookie, ""), now, errStateInvalid},
		{"other scope", a, v, (&handler{scope: "payout"}).binding("/verify/", purposeCookie, ""), now, errStateInvalid},
		{"other session", a, v, (&handler{}).binding("/verify/", purposeCookie, "bob"), now, errStateInvalid},
		{"other format", a, oldFormat, adCookie, now, errStateInvalid},
		{"too old", a, v, adCookie, now.Add(time.Hour), errStateExpired},
		{"empty", a, "", adCookie, now, errStateInvalid},
		{"not base64", a, v[:10] + "!" + v[11:], adCookie, now, errStateInvalid},
		{"truncated", a, v[:len(v)-4], adCookie, now, errStateInvalid},
		{"short", a, "AAAA", adCookie, now, errStateInvalid},
		{"nonce only", a, base64.RawURLEncoding.EncodeToString(raw[:aead.NonceSize()]), adCookie, now, errStateInvalid},
		{"a byte short of nonce and tag", a, base64.RawURLEncoding.EncodeToString(raw[:aead.NonceSize()+aead.Overhead()-1]), adCookie, now, errStateInvalid},
		{"nonce and tag, nothing sealed", a, base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, nil, []byte(sealFormat+"\x00"+adCookie))), adCookie, now, errStateInvalid},
		{"huge", a, strings.Repeat("A", 10000), adCookie, now, errStateInvalid},
	}
	for i := range raw {
		c := append([]byte(nil), raw...)
		c[i] ^= 0x10
		tests = append(tests, openCase{"flipped byte", a, base64.RawURLEncoding.EncodeToString(c), adCookie, now, errStateInvalid})
	}
	for _, tt := range tests {
		st := new(state)
		assert.ErrorIs(t, tt.k.open(tt.value, tt.ad, tt.now, st), tt.want, tt.name)
	}
}

// TestOpenRefusesTheOtherType: a flash does not open as a state, nor a
// state as a flash, even under the same additional data.
func TestOpenRefusesTheOtherType(t *testing.T) {
	now := time.Now()
	k := mustKeys(t, keyA)
	v, err := k.seal(testFlash(now), adCookie)
	require.NoError(t, err)
	assert.ErrorIs(t, k.open(v, adCookie, now, new(state)), errStateInvalid)
	st := testState(now)
	st.Verified = false
	v, err = k.seal(st, adCookie)
	require.NoError(t, err)
	assert.ErrorIs(t, k.open(v, adCookie, now, new(flash)), errStateInvalid)
}

// TestKeyRotation: the keys after the first open what they sealed; only
// the first seals.
func TestKeyRotation(t *testing.T) {
	now := time.Now()
	old := mustKeys(t, keyA)
	v, err := old.seal(testState(now), adCookie)
	require.NoError(t, err)
	rotated := mustKeys(t, keyB, keyA)
	assert.NoError(t, rotated.open(v, adCookie, now, new(state)), "the old key no longer opens")
	v2, err := rotated.seal(testState(now), adCookie)
	require.NoError(t, err)
	assert.Error(t, old.open(v2, adCookie, now, new(state)), "the new state was sealed with the old key")
}

// TestSealBounds: a state whose id, number and input have the most bytes
// a state keeps (128, 32, 64) seals and opens whole, and fits a cookie; a
// byte more in any, or a missing id or number, is refused by seal.
func TestSealBounds(t *testing.T) {
	now := time.Now()
	k := mustKeys(t, keyA)
	longest := testState(now)
	longest.ID, longest.Phone = strings.Repeat("a", maxID), "+"+strings.Repeat("1", maxPhone-1)
	v, err := k.seal(longest, adCookie)
	require.NoError(t, err)
	assert.Less(t, len(v), maxSealed)
	got := new(state)
	require.NoError(t, k.open(v, adCookie, now, got))
	assert.Equal(t, longest.ID, got.ID)
	assert.Equal(t, longest.Phone, got.Phone)

	longFlash := testFlash(now)
	longFlash.ID, longFlash.Input = strings.Repeat("a", maxID), strings.Repeat("9", maxInput)
	longFlash.Failure.Reason = strings.Repeat("r", 200)
	v, err = k.seal(longFlash, purposeFlash)
	require.NoError(t, err)
	assert.Less(t, len(v), maxSealed)
	require.NoError(t, k.open(v, purposeFlash, now, new(flash)))

	for name, change := range map[string]func(st *state, fl *flash){
		"id":       func(st *state, fl *flash) { st.ID += "a" },
		"phone":    func(st *state, fl *flash) { st.Phone += "1" },
		"no id":    func(st *state, fl *flash) { st.ID = "" },
		"no phone": func(st *state, fl *flash) { st.Phone = "" },
		"channel":  func(st *state, fl *flash) { st.Channel = verify.Auto },
	} {
		st := *longest
		change(&st, nil)
		_, err := k.seal(&st, adCookie)
		assert.ErrorIs(t, err, errStateTooLong, name)
	}
	for name, change := range map[string]func(fl *flash){
		"flash id":    func(fl *flash) { fl.ID += "a" },
		"input":       func(fl *flash) { fl.Input += "9" },
		"no failure":  func(fl *flash) { fl.Failure.Code = "" },
		"bad channel": func(fl *flash) { fl.Channel = "fax" },
	} {
		fl := *longFlash
		change(&fl)
		_, err := k.seal(&fl, purposeFlash)
		assert.ErrorIs(t, err, errStateTooLong, name)
	}
}

// TestOpenBound: open decodes a value of up to maxSealed characters; a
// value sealed a byte longer, under the right key, is refused as invalid
// before it is decoded.
func TestOpenBound(t *testing.T) {
	now := time.Now()
	k := mustKeys(t, keyA)
	st := testState(now)
	st.Language = "x"
	plain, err := json.Marshal(st)
	require.NoError(t, err)
	// A sealed value is the nonce, the JSON and the tag, in base64: the
	// language fills the JSON to the length that seals to maxSealed.
	aead := k.aeads[0]
	st.Language = strings.Repeat("x", base64.RawURLEncoding.DecodedLen(maxSealed)-aead.NonceSize()-aead.Overhead()-len(plain)+1)
	v, err := k.seal(st, adCookie)
	require.NoError(t, err)
	require.Len(t, v, maxSealed)
	got := new(state)
	require.NoError(t, k.open(v, adCookie, now, got))
	assert.Equal(t, st, got)

	st.Language += "x"
	v, err = k.seal(st, adCookie)
	require.NoError(t, err)
	require.Greater(t, len(v), maxSealed)
	assert.ErrorIs(t, k.open(v, adCookie, now, new(state)), errStateInvalid)
}

// FuzzOpen: no value, however made, panics open, and whatever opens is a
// state seal accepts again.
func FuzzOpen(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	k := mustKeys(f, keyA)
	v, err := k.seal(testState(now), adCookie)
	require.NoError(f, err)
	f.Add(v)
	f.Add(v[:len(v)/2])
	f.Add("")
	f.Add("not base64!")
	f.Fuzz(func(t *testing.T, value string) {
		st := new(state)
		if k.open(value, adCookie, now, st) != nil {
			return
		}
		_, err := k.seal(st, adCookie)
		assert.NoError(t, err, "an opened state does not seal again: %+v", st)
	})
}
