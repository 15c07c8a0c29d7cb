package http

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
)

var (
	keyA = []byte("0123456789abcdef0123456789abcdef")
	keyB = []byte("fedcba9876543210fedcba9876543210")
)

func testState(now time.Time) *state {
	return &state{
		ID: "15498233759288aaf929661v21936686", Phone: "+31612345678", Channel: verify.SMS, Language: "nl-nl", Sent: now.Truncate(time.Millisecond),
		Expires: now.Add(10 * time.Minute).Truncate(time.Millisecond), Until: now.Add(time.Hour).Truncate(time.Millisecond), Verified: true,
	}
}

func mustSealer(t *testing.T, keys ...[]byte) *sealer {
	t.Helper()
	s, err := newSealer(keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	now := time.Now()
	s := mustSealer(t, keyA)
	want := testState(now)
	v, err := s.seal(want, purposeCookie)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.open(v, purposeCookie, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Phone != want.Phone || got.Channel != want.Channel || got.Language != want.Language || !got.Sent.Equal(want.Sent) || !got.Expires.Equal(want.Expires) || !got.Until.Equal(want.Until) || got.Verified != want.Verified || got.Failed != nil {
		t.Fatalf("opened %+v, want %+v", got, want)
	}
	if strings.Contains(v, "31612345678") {
		t.Fatal("the sealed value shows the number")
	}
	if v2, _ := s.seal(want, purposeCookie); v2 == v {
		t.Fatal("two seals of one state are equal: the nonce is not random")
	}
}

func TestOpenRefuses(t *testing.T) {
	now := time.Now()
	a := mustSealer(t, keyA)
	v, _ := a.seal(testState(now), purposeCookie)
	raw, _ := base64.RawURLEncoding.DecodeString(v)

	tests := []struct {
		name    string
		s       *sealer
		value   string
		purpose string
		now     time.Time
		want    error
	}{
		{"other key", mustSealer(t, keyB), v, purposeCookie, now, errStateInvalid},
		{"other purpose", a, v, purposeToken, now, errStateInvalid},
		{"too old", a, v, purposeCookie, now.Add(time.Hour), errStateExpired},
		{"empty", a, "", purposeCookie, now, errStateInvalid},
		{"not base64", a, v[:10] + "!" + v[11:], purposeCookie, now, errStateInvalid},
		{"truncated", a, v[:len(v)-4], purposeCookie, now, errStateInvalid},
		{"short", a, "AAAA", purposeCookie, now, errStateInvalid},
		{"huge", a, strings.Repeat("A", 10000), purposeCookie, now, errStateInvalid},
	}
	// Every single flipped bit is detected.
	for i := range raw {
		c := append([]byte(nil), raw...)
		c[i] ^= 0x10
		tests = append(tests, struct {
			name    string
			s       *sealer
			value   string
			purpose string
			now     time.Time
			want    error
		}{"flipped byte", a, base64.RawURLEncoding.EncodeToString(c), purposeCookie, now, errStateInvalid})
	}
	for _, tt := range tests {
		if st, err := tt.s.open(tt.value, tt.purpose, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("%s: open = %+v, %v; want %v", tt.name, st, err, tt.want)
		}
	}
}

func TestRotation(t *testing.T) {
	now := time.Now()
	old := mustSealer(t, keyA)
	v, _ := old.seal(testState(now), purposeToken)
	rotated := mustSealer(t, keyB, keyA)
	if _, err := rotated.open(v, purposeToken, now); err != nil {
		t.Fatalf("the old key no longer opens: %v", err)
	}
	v2, _ := rotated.seal(testState(now), purposeToken)
	if _, err := old.open(v2, purposeToken, now); err == nil {
		t.Fatal("the new state was sealed with the old key")
	}
}

func TestSealRefusesOversizedState(t *testing.T) {
	s := mustSealer(t, keyA)
	st := testState(time.Now())
	st.ID = strings.Repeat("a", 300)
	if _, err := s.seal(st, purposeCookie); !errors.Is(err, errStateTooLong) {
		t.Fatalf("seal = %v, want errStateTooLong", err)
	}
}

func TestDecodeStateRefusesMalformed(t *testing.T) {
	good := testState(time.Now()).appendBinary(nil)
	bad := map[string][]byte{
		"empty":         nil,
		"wrong version": append([]byte{9}, good[1:]...),
		"bad channel":   append([]byte{1, 0, 7}, good[3:]...),
		"trailing":      append(append([]byte(nil), good...), 0),
		"cut":           good[:len(good)-1],
		"empty id":      func() []byte { st := testState(time.Now()); st.ID = ""; return st.appendBinary(nil) }(),
		"verified, no id": func() []byte {
			st := testState(time.Now())
			st.ID, st.Phone = "", ""
			return st.appendBinary(nil)
		}(),
		"bad flags": append([]byte{stateVersion, 4}, good[2:]...),
	}
	for name, b := range bad {
		if _, err := decodeState(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if _, err := decodeState(good); err != nil {
		t.Fatal(err)
	}
}

func TestMaskForDisplay(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+31612345678", "+31 6 •••• 5678"},
		{"+14155552671", "+1 4 •••• 2671"},
		{"+442071838750", "+44 2 •••• 8750"},
		{"+35312345", "+353 •••• 45"},
		{"+999", "****"},
	}
	for _, tt := range tests {
		if got := maskForDisplay(tt.in); got != tt.want {
			t.Errorf("maskForDisplay(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTimeLeft(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{{10 * time.Minute, "10:00"}, {61500 * time.Millisecond, "1:02"}, {0, "0:00"}, {-time.Minute, "0:00"}}
	for _, tt := range tests {
		if got := timeLeft(tt.d); got != tt.want {
			t.Errorf("timeLeft(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestFlashRoundTrip: the failure of a form, the number as typed and the
// time of the failure survive sealing; a start's has no verification.
func TestFlashRoundTrip(t *testing.T) {
	now := time.Now().Truncate(time.Millisecond)
	s := mustSealer(t, keyA)
	want := &state{
		Channel: verify.SMS, Input: "+31 6 123", FailedStart: true, FailedAt: now, Until: now.Add(10 * time.Minute),
		Failed: &Failure{Code: InvalidPhone, Reason: "the number is too short", ReasonCode: "too_short", Region: "GB", Field: "phone", RetryAfter: 42},
	}
	v, err := s.seal(want, purposeFlash)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.open(v, purposeFlash, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "" || got.Input != want.Input || !got.FailedStart || !got.FailedAt.Equal(now) || got.Channel != verify.SMS || got.Failed == nil || *got.Failed != *want.Failed {
		t.Fatalf("opened %+v (failure %+v), want %+v", got, got.Failed, want)
	}
	if _, err := s.open(v, purposeCookie, now); err == nil {
		t.Fatal("a flash opened as a state cookie")
	}
}
