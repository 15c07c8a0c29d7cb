package verify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
)

// spy is a Provider that counts its calls and answers what it is told.
type spy struct {
	starts, checks atomic.Int32
	lastReq        verify.Request
	lastCode       string
	start          func(verify.Request) (*verify.Verification, error)
	check          func(id, code string) (*verify.Verification, error)
}

func (s *spy) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	s.starts.Add(1)
	s.lastReq = req
	if s.start != nil {
		return s.start(req)
	}
	return &verify.Verification{ID: "id1", Phone: req.Phone, Channel: req.Channel, Status: verify.StatusPending}, nil
}

func (s *spy) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	s.checks.Add(1)
	s.lastCode = code
	if s.check != nil {
		return s.check(id, code)
	}
	return &verify.Verification{ID: id, Phone: "+31612345678", Status: verify.StatusVerified}, nil
}

// noLimits turns off the rate limits that would get in the way of tests
// about something else.
var noLimits = []verify.Option{
	verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0), verify.WithClientLimit(0, 0),
}

func newVerifier(t *testing.T, p verify.Provider, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	v, err := verify.New(p, append(append([]verify.Option{}, noLimits...), opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func TestNewRejectsOptionsOutOfRange(t *testing.T) {
	tests := []struct {
		opt  verify.Option
		want string // in the error message
	}{
		{verify.WithChannel("pigeon"), "WithChannel"},
		{verify.WithTokenLength(5), "WithTokenLength(5): must be from 6 to 10"},
		{verify.WithTokenLength(11), "WithTokenLength(11)"},
		{verify.WithVoice("robot"), "WithVoice"},
		{verify.WithLanguage("xx-yy"), "WithLanguage"},
		{verify.WithLanguage(""), `WithLanguage(""): must be one of`},
		{verify.WithTemplate("no token here"), `must contain "%token"`},
		{verify.WithTemplate(""), `WithTemplate(""): must contain "%token"`},
		{verify.WithWebOrigin("http://example.com"), "WithWebOrigin"},
		{verify.WithTemplate("%token" + strings.Repeat("x", 500)), "at most 480"},
		{verify.WithValidity(29 * time.Second), "WithValidity"},
		{verify.WithValidity(73 * time.Hour), "WithValidity"},
		{verify.WithMaxAttempts(0), "WithMaxAttempts(0): must be from 1 to 10"},
		{verify.WithMaxAttempts(11), "WithMaxAttempts"},
		{verify.WithOriginator("TwelveChars1"), "WithOriginator"},
		{verify.WithOriginator("My App"), "WithOriginator"},
		{verify.WithOriginator("+3161234567890123"), "WithOriginator"},
		{verify.WithReference("user 42"), "WithReference"},
		{verify.WithDefaultRegion("XX"), "WithDefaultRegion"},
		{verify.WithAllowedRegions("NL", "Netherlands"), "WithAllowedRegions"},
		{verify.WithDeniedRegions("ZZ"), "WithDeniedRegions"},
		{verify.WithResendCooldown(-time.Second), "WithResendCooldown"},
		{verify.WithResendCooldown(2 * time.Hour), "WithResendCooldown"},
		{verify.WithNumberLimit(-1, time.Hour), "WithNumberLimit"},
		{verify.WithClientLimit(5, 0), "WithClientLimit"},
		{verify.WithGlobalLimit(5, 365*24*time.Hour), "WithGlobalLimit"},
		{nil, "nil option"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := verify.New(fake.New(), tt.opt)
			if !errors.Is(err, verify.ErrInvalidOption) {
				t.Fatalf("New: %v, want ErrInvalidOption", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
	if _, err := verify.New(nil); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatalf("New(nil): %v, want ErrInvalidOption", err)
	}
}

func TestNewAcceptsOptionsInRange(t *testing.T) {
	_, err := verify.New(fake.New(),
		verify.WithChannel(verify.SMS), verify.WithTokenLength(10), verify.WithVoice(verify.Male),
		verify.WithLanguage("NL-nl"), verify.WithTemplate("Code: %token"), verify.WithValidity(72*time.Hour),
		verify.WithMaxAttempts(10), verify.WithOriginator("MyApp2026"), verify.WithOriginator("+31612345678"),
		verify.WithReference("user42"), verify.WithDefaultRegion("nl"), verify.WithAllowedRegions("nl", "BE"),
		verify.WithDeniedRegions("GB"), verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0),
		verify.WithGlobalLimit(1000, 24*time.Hour), verify.WithLogger(slog.New(slog.DiscardHandler)),
		verify.WithAnyLineType(), verify.WithLimiter(&verify.MemoryLimiter{}),
	)
	if err != nil {
		t.Fatalf("New with every option in range: %v", err)
	}
}

func TestDefaultsReachTheProvider(t *testing.T) {
	s := &spy{}
	v, err := verify.New(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(context.Background(), "+447400123456"); err != nil {
		t.Fatal(err)
	}
	want := verify.Request{
		Phone: "+447400123456", Channel: verify.Voice, TokenLength: 6, Voice: verify.Female,
		Language: "en-gb", Template: "Hello. Your verification code is %token. Once again: %token. Never share this code with anyone.",
		Validity: 10 * time.Minute, MaxAttempts: 5,
	}
	if s.lastReq != want {
		t.Fatalf("request\n got %+v\nwant %+v", s.lastReq, want)
	}
}

func TestStartOverridesMessageOptionsForOneCall(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s, verify.WithLanguage("nl-nl"), verify.WithDefaultRegion("NL"))
	_, err := v.Start(context.Background(), "0612345678",
		verify.WithChannel(verify.SMS), verify.WithTokenLength(8), verify.WithVoice(verify.Male),
		verify.WithTemplate("Code %token"), verify.WithValidity(5*time.Minute), verify.WithMaxAttempts(2),
		verify.WithOriginator("Shop"), verify.WithReference("order7"))
	if err != nil {
		t.Fatal(err)
	}
	want := verify.Request{
		Phone: "+31612345678", Channel: verify.SMS, TokenLength: 8, Voice: verify.Male,
		Language: "nl-nl", Template: "Code %token", Validity: 5 * time.Minute, MaxAttempts: 2,
		Originator: "Shop", Reference: "order7", CustomTemplate: true,
	}
	if s.lastReq != want {
		t.Fatalf("request\n got %+v\nwant %+v", s.lastReq, want)
	}
	// The next call is back on the Verifier's defaults.
	if _, err := v.Start(context.Background(), "0687654321"); err != nil {
		t.Fatal(err)
	}
	if s.lastReq.Channel != verify.Voice || s.lastReq.TokenLength != 6 || s.lastReq.Language != "nl-nl" {
		t.Fatalf("a per-call option stuck: %+v", s.lastReq)
	}
	// A per-call region reads national numbers of another country.
	if _, err := v.Start(context.Background(), "0470 12 34 56", verify.WithDefaultRegion("BE")); err != nil {
		t.Fatal(err)
	}
	if s.lastReq.Phone != "+32470123456" {
		t.Fatalf("phone %q, want +32470123456", s.lastReq.Phone)
	}
	// A bad per-call value is refused before any provider call.
	before := s.starts.Load()
	if _, err := v.Start(context.Background(), "0612345678", verify.WithTokenLength(4)); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatalf("Start with WithTokenLength(4): %v, want ErrInvalidOption", err)
	}
	// Per call, attempts and validity may be lowered, not raised: the
	// Verifier's own cap on checks is built on its values.
	for _, o := range []verify.MessageOption{verify.WithMaxAttempts(6), verify.WithValidity(11 * time.Minute)} {
		_, err := v.Start(context.Background(), "0612345678", o)
		if !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), "per call, must be at most the Verifier's") {
			t.Fatalf("Start raising %T: %v, want ErrInvalidOption", o, err)
		}
	}
	if _, err := v.Start(context.Background(), "0612345678", nil); !errors.Is(err, verify.ErrInvalidOption) {
		t.Fatalf("Start with a nil option: %v, want ErrInvalidOption", err)
	}
	if s.starts.Load() != before {
		t.Fatal("a refused Start called the provider")
	}
}

func TestPhoneNumbers(t *testing.T) {
	tests := []struct {
		in, region string
		want       string // E.164, or "" for an error
		reason     string // "code:text in the Reason" of the error
	}{
		{"+31 6 12345678", "NL", "+31612345678", ""},
		{"0031612345678", "NL", "+31612345678", ""},
		{"06-12345678", "NL", "+31612345678", ""},
		{"(06) 1234 5678", "NL", "+31612345678", ""},
		{"  +31612345678\t", "", "+31612345678", ""},
		{"+44 7400 123456", "NL", "+447400123456", ""},
		{"+1 (201) 555-0123", "", "+12015550123", ""},
		{"", "NL", "", "empty:enter a phone number"},
		{"   ", "NL", "", "empty:enter a phone number"},
		{"06-CALLME", "NL", "", "characters:only contain digits"},
		{"+31 6 1234 5678 ext 9", "NL", "", "characters:only contain digits"},
		{"06+12345678", "NL", "", "characters:only contain digits"},
		{"0612345678", "", "", "country_code_missing:start the number with + and its country code"},
		{"+31 6 123", "NL", "", "too_short:too short"},
		{"+31 6 1234567890123", "NL", "", "too_long:too long"},
		{strings.Repeat("1", 41), "NL", "", "too_long:too long"},
		{"+999 12345678", "", "", "country_code:country code"},
		{"+31 69 1234567", "NL", "", "invalid:this is not a valid number in the Netherlands"},
		{"+32 9 1234567", "", "", "invalid:this is not a valid number in Belgium"},
		// 00 is the international prefix, also with no default region.
		{"0031 6 12345678", "", "+31612345678", ""},
		{"00 44 7400 123456", "", "+447400123456", ""},
		{"0049 30 123456", "", "+4930123456", ""},
		{"0031", "", "", "too_short:too short"},
		// A length no phone's number has in the country, though some
		// special numbers do.
		{"06 1234", "NL", "", "too_short:the number is too short"},
		{"020 123", "NL", "", "too_short:the number is too short"},
		{"06 123456789", "NL", "", "too_long:the number is too long"},
		{"1", "NL", "", "too_short:too short"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := verify.ParsePhone(tt.in, tt.region)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParsePhone(%q, %q) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
				}
				return
			}
			var pe *verify.PhoneError
			if !errors.As(err, &pe) || !errors.Is(err, verify.ErrInvalidPhone) {
				t.Fatalf("ParsePhone(%q) = %q, %v; want a *PhoneError", tt.in, got, err)
			}
			code, text, _ := strings.Cut(tt.reason, ":")
			if pe.Code != code || !strings.Contains(pe.Reason, text) {
				t.Fatalf("got %q: %q, want %q: ...%s...", pe.Code, pe.Reason, code, text)
			}
			if d := strings.Trim(tt.in, " \t"); len(d) > 4 && strings.Contains(err.Error(), d) {
				t.Fatalf("error %q repeats the number", err)
			}
		})
	}
}

func TestInvalidPhoneNeverReachesTheProvider(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s, verify.WithDefaultRegion("NL"))
	for _, in := range []string{"", "abc", "+31 6 123", "0800-1234", "+31 906 1234"} {
		if _, err := v.Start(context.Background(), in); !errors.Is(err, verify.ErrInvalidPhone) {
			t.Errorf("Start(%q): %v, want ErrInvalidPhone", in, err)
		}
	}
	if n := s.starts.Load(); n != 0 {
		t.Fatalf("provider called %d times", n)
	}
}

func TestLineTypes(t *testing.T) {
	tests := []struct {
		name, phone string
		refused     string // "" when accepted by default
		lineType    string // PhoneError.LineType when refused
	}{
		{"mobile", "+31612345678", "", ""},
		{"fixed line", "+31101234567", "", ""},
		{"fixed line or mobile", "+12015550123", "", ""},
		{"VoIP", "+31851234567", "", ""},
		{"premium rate NL", "+319061234", "premium-rate", "premium_rate"},
		{"premium rate GB", "+449012345678", "premium-rate", "premium_rate"},
		{"shared cost", "+4918012345", "shared-cost", "shared_cost"},
		{"personal number", "+447012345678", "personal", "personal"},
		{"pager", "+31662345678", "pager", "pager"},
		{"UAN", "+3114020", "universal access", "uan"},
		{"voicemail", "+49177991234567", "voicemail", "voicemail"},
		{"toll free", "+318001234", "toll-free", "toll_free"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newVerifier(t, &spy{}).Start(context.Background(), tt.phone)
			if tt.refused == "" {
				if err != nil {
					t.Fatalf("Start(%s): %v", tt.phone, err)
				}
			} else {
				var pe *verify.PhoneError
				if !errors.As(err, &pe) || pe.Code != "line_type" || !strings.Contains(pe.Reason, tt.refused) {
					t.Fatalf("Start(%s): %v, want a *PhoneError about %s numbers", tt.phone, err, tt.refused)
				}
				assert.Equal(t, tt.lineType, pe.LineType, "PhoneError.LineType of %s", tt.phone)
			}
			if _, err := newVerifier(t, &spy{}, verify.WithAnyLineType()).Start(context.Background(), tt.phone); err != nil {
				t.Fatalf("with WithAnyLineType, Start(%s): %v", tt.phone, err)
			}
		})
	}
}

func TestChannels(t *testing.T) {
	tests := []struct {
		phone   string
		channel verify.Channel
		want    verify.Channel // "" when refused with ErrUnsupported
	}{
		{"+31612345678", verify.SMS, verify.SMS},
		{"+31101234567", verify.SMS, ""},              // fixed line: no texts
		{"+12015550123", verify.SMS, verify.SMS},      // fixed line or mobile: try
		{"+31101234567", verify.Voice, verify.Voice},  // voice reaches every line
		{"+31612345678", verify.Auto, verify.SMS},     // mobile: text
		{"+31101234567", verify.Auto, verify.Voice},   // fixed line: call
		{"+12015550123", verify.Auto, verify.Voice},   // could be either: call
		{"+31851234567", verify.Auto, verify.Voice},   // VoIP: call
		{"+447400123456", verify.Voice, verify.Voice}, // mobile by voice
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.phone, tt.channel), func(t *testing.T) {
			s := &spy{}
			ver, err := newVerifier(t, s, verify.WithChannel(tt.channel)).Start(context.Background(), tt.phone)
			if tt.want == "" {
				if !errors.Is(err, verify.ErrUnsupported) || !strings.Contains(err.Error(), "voice call works") {
					t.Fatalf("Start: %v, want ErrUnsupported suggesting voice", err)
				}
				if s.starts.Load() != 0 {
					t.Fatal("refused start reached the provider")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.lastReq.Channel != tt.want || ver.Channel != tt.want {
				t.Fatalf("channel sent %q, returned %q; want %q", s.lastReq.Channel, ver.Channel, tt.want)
			}
		})
	}
}

func TestRegions(t *testing.T) {
	v := newVerifier(t, &spy{}, verify.WithAllowedRegions("NL", "BE"), verify.WithDeniedRegions("BE"))
	if _, err := v.Start(context.Background(), "+31612345678"); err != nil {
		t.Fatalf("allowed region: %v", err)
	}
	for _, tt := range []struct{ phone, region, reason string }{
		{"+32470123456", "BE", "numbers from Belgium are not accepted"},
		{"+447400123456", "GB", "numbers from the United Kingdom are not accepted"},
	} {
		var pe *verify.PhoneError
		_, err := v.Start(context.Background(), tt.phone)
		if !errors.As(err, &pe) || pe.Code != "region" || pe.Region != tt.region || pe.Reason != tt.reason {
			t.Fatalf("Start(%s): %v, want refused by region %s: %q", tt.phone, err, tt.region, tt.reason)
		}
	}
	// Users read region names, never ISO codes.
	nl := newVerifier(t, &spy{}, verify.WithDeniedRegions("NL"))
	_, err := nl.Start(context.Background(), "+31612345678")
	if pe := (*verify.PhoneError)(nil); !errors.As(err, &pe) || pe.Reason != "numbers from the Netherlands are not accepted" {
		t.Fatalf("denied NL: %v", err)
	}
	w := newVerifier(t, &spy{}, verify.WithDeniedRegions("GB"))
	if _, err := w.Start(context.Background(), "+447400123456"); !errors.Is(err, verify.ErrInvalidPhone) {
		t.Fatalf("denied region: %v", err)
	}
	if _, err := w.Start(context.Background(), "+31612345678"); err != nil {
		t.Fatalf("region not denied: %v", err)
	}
}

func TestCodes(t *testing.T) {
	tests := []struct {
		in, sent string // sent is "" when refused locally
	}{
		{"123456", "123456"},
		{"123 456", "123456"},
		{"123-456", "123456"},
		{" 12 34-56 ", "123456"},
		{"1234", "1234"},
		{"1234567890", "1234567890"},
		{"", ""},
		{"123", ""},
		{"12345678901", ""},
		{"12a456", ""},
		{"1&token=2", ""},
		{"123456#", ""},
		{"１２３４５６", "123456"}, // full-width digits (more in TestCodesAsTyped)
		{"123.456", ""},
		{strings.Repeat("1", 100), ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s := &spy{}
			_, err := newVerifier(t, s).Check(context.Background(), "abc123", tt.in)
			if tt.sent == "" {
				if !errors.Is(err, verify.ErrInvalidCode) || s.checks.Load() != 0 {
					t.Fatalf("Check(%q): %v after %d provider calls; want ErrInvalidCode and none", tt.in, err, s.checks.Load())
				}
				return
			}
			if err != nil || s.lastCode != tt.sent {
				t.Fatalf("Check(%q): %v, sent %q; want %q", tt.in, err, s.lastCode, tt.sent)
			}
		})
	}
}

func TestMalformedIDsNeverReachTheProvider(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s)
	for _, id := range []string{"", "../x", "a/b", "1&token=2", "a#b", "a b", "a?b", strings.Repeat("a", 65)} {
		if _, err := v.Check(context.Background(), id, "123456"); !errors.Is(err, verify.ErrNotFound) {
			t.Errorf("Check(%q): %v, want ErrNotFound", id, err)
		}
	}
	if s.checks.Load() != 0 {
		t.Fatal("a malformed id reached the provider")
	}
}

func TestCheckSucceedsOnlyOnVerified(t *testing.T) {
	someErr := errors.New("connection reset")
	tests := []struct {
		status verify.Status
		err    error
		want   error // nil for success
	}{
		{verify.StatusVerified, nil, nil},
		{verify.StatusPending, nil, verify.ErrInvalidCode},
		{verify.StatusFailed, nil, verify.ErrTooManyAttempts},
		{verify.StatusExpired, nil, verify.ErrExpired},
		{verify.StatusCanceled, nil, verify.ErrExpired},
		{"", nil, verify.ErrUnavailable},
		{"weird", nil, verify.ErrUnavailable},
		{verify.StatusVerified, verify.ErrInvalidCode, verify.ErrInvalidCode},
		{verify.StatusVerified, someErr, verify.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, tt.err), func(t *testing.T) {
			s := &spy{check: func(id, code string) (*verify.Verification, error) {
				if tt.err != nil {
					return nil, tt.err
				}
				return &verify.Verification{ID: id, Phone: "+31612345678", Status: tt.status}, nil
			}}
			ver, err := newVerifier(t, s).Check(context.Background(), "abc", "123456")
			if tt.want == nil {
				if err != nil || !ver.Verified() {
					t.Fatalf("Check: %+v, %v; want verified", ver, err)
				}
				return
			}
			if !errors.Is(err, tt.want) || ver != nil {
				t.Fatalf("Check: %+v, %v; want nil, %v", ver, err, tt.want)
			}
			if tt.err == someErr && !errors.Is(err, someErr) {
				t.Fatalf("the provider's error %v is not reachable in %v", someErr, err)
			}
		})
	}
	other := &spy{check: func(id, code string) (*verify.Verification, error) {
		return &verify.Verification{ID: "someone-else", Phone: "+31687654321", Status: verify.StatusVerified}, nil
	}}
	if ver, err := newVerifier(t, other).Check(context.Background(), "abc", "123456"); !errors.Is(err, verify.ErrUnavailable) || ver != nil {
		t.Fatalf("provider answering for another id: %+v, %v; want ErrUnavailable", ver, err)
	}
	nilVer := &spy{check: func(id, code string) (*verify.Verification, error) { return nil, nil }}
	if _, err := newVerifier(t, nilVer).Check(context.Background(), "abc", "123456"); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("provider answering nil, nil: %v", err)
	}
}

func TestStartNeedsAVerificationFromTheProvider(t *testing.T) {
	for name, answer := range map[string]*verify.Verification{"nil": nil, "no id": {Status: verify.StatusPending}} {
		s := &spy{start: func(verify.Request) (*verify.Verification, error) { return answer, nil }}
		if _, err := newVerifier(t, s).Start(context.Background(), "+31612345678"); !errors.Is(err, verify.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", name, err)
		}
	}
}

func TestContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := &spy{}
	v := newVerifier(t, s)
	if _, err := v.Start(ctx, "+31612345678"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Start: %v", err)
	}
	if _, err := v.Check(ctx, "abc", "123456"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Check: %v", err)
	}
	if s.starts.Load()+s.checks.Load() != 0 {
		t.Fatal("a canceled context reached the provider")
	}
	// A provider whose call fails because the context ended: the error
	// matches the context's.
	ctx2, cancel2 := context.WithCancel(context.Background())
	slow := &spy{start: func(verify.Request) (*verify.Verification, error) {
		cancel2()
		return nil, errors.New("request aborted")
	}}
	_, err := newVerifier(t, slow).Start(ctx2, "+31612345678")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Start canceled mid-call: %v, want context.Canceled and ErrUnavailable", err)
	}
}

func TestStatusAndCancel(t *testing.T) {
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p)
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Status(ctx, ver.ID)
	if err != nil || got.Status != verify.StatusPending {
		t.Fatalf("Status: %+v, %v", got, err)
	}
	if err := v.Cancel(ctx, ver.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Check(ctx, ver.ID, "123456"); !errors.Is(err, verify.ErrExpired) {
		t.Fatalf("Check after Cancel: %v", err)
	}
	if got, _ := v.Status(ctx, ver.ID); got.Status != verify.StatusCanceled {
		t.Fatalf("Status after Cancel: %v", got.Status)
	}
	if _, err := v.Status(ctx, "unknown"); !errors.Is(err, verify.ErrNotFound) {
		t.Fatalf("Status of an unknown id: %v", err)
	}
	if err := v.Cancel(ctx, "../x"); !errors.Is(err, verify.ErrNotFound) {
		t.Fatalf("Cancel of a malformed id: %v", err)
	}

	// A provider with neither ability.
	w := newVerifier(t, &spy{})
	if _, err := w.Status(ctx, "abc"); !errors.Is(err, verify.ErrUnsupported) {
		t.Fatalf("Status on a plain Provider: %v", err)
	}
	if err := w.Cancel(ctx, "abc"); !errors.Is(err, verify.ErrUnsupported) {
		t.Fatalf("Cancel on a plain Provider: %v", err)
	}
}

func TestWholeFlowOnTheFake(t *testing.T) {
	p := fake.New()
	v := newVerifier(t, p, verify.WithDefaultRegion("NL"), verify.WithMaxAttempts(3))
	ctx := context.Background()
	ver, err := v.Start(ctx, "06 12345678")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := p.LastCode("+31612345678")
	if _, err := v.Check(ctx, ver.ID, "000000"); code != "000000" && !errors.Is(err, verify.ErrInvalidCode) {
		t.Fatalf("wrong code: %v", err)
	}
	got, err := v.Check(ctx, ver.ID, code[:3]+" "+code[3:])
	if err != nil || !got.Verified() || got.Phone != "+31612345678" {
		t.Fatalf("right code: %+v, %v", got, err)
	}
	if _, err := v.Check(ctx, ver.ID, code); !errors.Is(err, verify.ErrExpired) {
		t.Fatalf("code used twice: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	p := fake.New()
	v := newVerifier(t, p)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			phone := fmt.Sprintf("+316123456%02d", i)
			ver, err := v.Start(context.Background(), phone)
			if err != nil {
				t.Error(err)
				return
			}
			code, _ := p.Code(ver.ID)
			if got, err := v.Check(context.Background(), ver.ID, code); err != nil || got.Phone != phone {
				t.Errorf("Check %s: %+v, %v", phone, got, err)
			}
		})
	}
	wg.Wait()
}

func TestLogsMaskNumbersAndNeverShowCodes(t *testing.T) {
	var buf bytes.Buffer
	p := fake.New(fake.WithCode("918273"))
	v := newVerifier(t, p, verify.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	if err != nil {
		t.Fatal(err)
	}
	v.Check(ctx, ver.ID, "111111")
	v.Check(ctx, ver.ID, "918273")
	v.Start(ctx, "+31 6 12")
	out := buf.String()
	for _, secret := range []string{"918273", "111111", "612345678", "+31 6 12"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{`"phone":"+31******678"`, `"msg":"verify: verified"`, `"msg":"verify: check failed"`, `"msg":"verify: start refused"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("log lacks %s:\n%s", want, out)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+31612345678":  "+31******678",
		"+447400123456": "+44*******456",
		"+3114020":      "+31**020",
		"+12345":        "******",
		"":              "",
	} {
		if got := verify.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	rl := &verify.RateLimitError{RetryAfter: 1500 * time.Millisecond, Limit: "resend_cooldown"}
	if got := rl.Error(); got != "verify: rate limited (resend_cooldown): retry after 2s" {
		t.Errorf("RateLimitError: %q", got)
	}
	if got := (&verify.RateLimitError{RetryAfter: 400 * time.Millisecond}).Error(); got != "verify: rate limited: retry after 1s" {
		t.Errorf("RateLimitError under a second: %q, want it rounded up", got)
	}
	if !errors.Is(rl, verify.ErrRateLimited) {
		t.Error("RateLimitError does not match ErrRateLimited")
	}
	pe := &verify.ProviderError{Provider: "messagebird", HTTPStatus: 422, Code: 10, Description: "The token is invalid.", Parameter: "token", Err: verify.ErrInvalidCode}
	if got := pe.Error(); got != `verify: messagebird: invalid code (HTTP 422, code 10, "The token is invalid.", parameter token)` {
		t.Errorf("ProviderError: %q", got)
	}
	if !errors.Is(pe, verify.ErrInvalidCode) || errors.Is(pe, verify.ErrExpired) {
		t.Error("ProviderError does not match exactly its Err")
	}
	if got := (&verify.ProviderError{}).Error(); got != "verify: provider error" {
		t.Errorf("empty ProviderError: %q", got)
	}
}

func TestNewRefusesPerCallOptions(t *testing.T) {
	for name, o := range map[string]verify.Option{
		"WithClientKey":    verify.WithClientKey("app"),
		"WithUserLanguage": verify.WithUserLanguage("de"),
	} {
		_, err := verify.New(fake.New(), o)
		if !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), name) {
			t.Errorf("New(%s): %v; want ErrInvalidOption naming it", name, err)
		}
	}
}

func TestStartFillsPhoneChannelAndLanguage(t *testing.T) {
	s := &spy{start: func(verify.Request) (*verify.Verification, error) {
		return &verify.Verification{ID: "id1", Status: verify.StatusPending}, nil
	}}
	ver, err := newVerifier(t, s).Start(context.Background(), "+31612345678", verify.WithChannel(verify.SMS), verify.WithLanguage("nl-nl"))
	if err != nil {
		t.Fatal(err)
	}
	if ver.Phone != "+31612345678" || ver.Channel != verify.SMS || ver.Language != "nl-nl" {
		t.Fatalf("Start returned %+v; want the number, channel and language asked for", ver)
	}
}

func TestStartRefusesAnswerForAnotherNumber(t *testing.T) {
	s := &spy{start: func(req verify.Request) (*verify.Verification, error) {
		return &verify.Verification{ID: "id1", Phone: "+441234567890", Channel: req.Channel}, nil
	}}
	if _, err := newVerifier(t, s).Start(context.Background(), "+31612345678"); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Start: %v; want ErrUnavailable", err)
	}
}

func TestCheckAppliesPolicyToTheVerifiedNumber(t *testing.T) {
	tests := []struct {
		phone string
		want  error
	}{
		{"+31612345678", nil},
		{"+447400123456", verify.ErrInvalidPhone}, // not in the allowed regions
		{"+319001234567", verify.ErrInvalidPhone}, // premium rate
		{"", verify.ErrUnavailable},
		{"0612345678", verify.ErrUnavailable},
	}
	for _, tt := range tests {
		s := &spy{check: func(id, _ string) (*verify.Verification, error) {
			return &verify.Verification{ID: id, Phone: tt.phone, Status: verify.StatusVerified}, nil
		}}
		ver, err := newVerifier(t, s, verify.WithAllowedRegions("NL")).Check(context.Background(), "abc", "123456")
		if tt.want == nil {
			if err != nil || !ver.Verified() {
				t.Errorf("%q: %+v, %v; want verified", tt.phone, ver, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || ver != nil {
			t.Errorf("%q: %+v, %v; want %v", tt.phone, ver, err, tt.want)
		}
	}
}
