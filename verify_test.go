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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
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
	require.NoError(t, err, "New")
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
			require.ErrorIs(t, err, verify.ErrInvalidOption, "New")
			assert.ErrorContains(t, err, tt.want)
		})
	}
	_, err := verify.New(nil)
	assert.ErrorIs(t, err, verify.ErrInvalidOption, "New(nil)")
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
	assert.NoError(t, err, "New with every option in range")
}

func TestDefaultsReachTheProvider(t *testing.T) {
	s := &spy{}
	v, err := verify.New(s)
	require.NoError(t, err)
	_, err = v.Start(context.Background(), "+447400123456")
	require.NoError(t, err)
	want := verify.Request{
		Phone: "+447400123456", Channel: verify.Voice, TokenLength: 6, Voice: verify.Female,
		Language: "en-gb", Template: "Hello. Your verification code is %token. Once again: %token. Never share this code with anyone.",
		Validity: 10 * time.Minute, MaxAttempts: 5,
	}
	assert.Equal(t, want, s.lastReq, "request")
}

func TestStartOverridesMessageOptionsForOneCall(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s, verify.WithLanguage("nl-nl"), verify.WithDefaultRegion("NL"))
	_, err := v.Start(context.Background(), "0612345678",
		verify.WithChannel(verify.SMS), verify.WithTokenLength(8), verify.WithVoice(verify.Male),
		verify.WithTemplate("Code %token"), verify.WithValidity(5*time.Minute), verify.WithMaxAttempts(2),
		verify.WithOriginator("Shop"), verify.WithReference("order7"))
	require.NoError(t, err)
	want := verify.Request{
		Phone: "+31612345678", Channel: verify.SMS, TokenLength: 8, Voice: verify.Male,
		Language: "nl-nl", Template: "Code %token", Validity: 5 * time.Minute, MaxAttempts: 2,
		Originator: "Shop", Reference: "order7", CustomTemplate: true,
	}
	require.Equal(t, want, s.lastReq, "request")
	// The next call is back on the Verifier's defaults.
	_, err = v.Start(context.Background(), "0687654321")
	require.NoError(t, err)
	require.Equal(t, verify.Voice, s.lastReq.Channel, "a per-call option stuck: %+v", s.lastReq)
	require.Equal(t, 6, s.lastReq.TokenLength, "a per-call option stuck: %+v", s.lastReq)
	require.Equal(t, "nl-nl", s.lastReq.Language, "a per-call option stuck: %+v", s.lastReq)
	// A per-call region reads national numbers of another country.
	_, err = v.Start(context.Background(), "0470 12 34 56", verify.WithDefaultRegion("BE"))
	require.NoError(t, err)
	require.Equal(t, "+32470123456", s.lastReq.Phone, "phone")
	// A bad per-call value is refused before any provider call.
	before := s.starts.Load()
	_, err = v.Start(context.Background(), "0612345678", verify.WithTokenLength(4))
	require.ErrorIs(t, err, verify.ErrInvalidOption, "Start with WithTokenLength(4)")
	// Per call, attempts and validity may be lowered, not raised: the
	// Verifier's own cap on checks is built on its values.
	for _, o := range []verify.MessageOption{verify.WithMaxAttempts(6), verify.WithValidity(11 * time.Minute)} {
		_, err := v.Start(context.Background(), "0612345678", o)
		require.ErrorIs(t, err, verify.ErrInvalidOption, "Start raising %T", o)
		require.ErrorContains(t, err, "per call, must be at most the Verifier's", "Start raising %T", o)
	}
	_, err = v.Start(context.Background(), "0612345678", nil)
	require.ErrorIs(t, err, verify.ErrInvalidOption, "Start with a nil option")
	assert.Equal(t, before, s.starts.Load(), "a refused Start called the provider")
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
				require.NoError(t, err, "ParsePhone(%q, %q)", tt.in, tt.region)
				assert.Equal(t, tt.want, got, "ParsePhone(%q, %q)", tt.in, tt.region)
				return
			}
			var pe *verify.PhoneError
			require.ErrorAs(t, err, &pe, "ParsePhone(%q) = %q: want a *PhoneError", tt.in, got)
			require.ErrorIs(t, err, verify.ErrInvalidPhone, "ParsePhone(%q) = %q", tt.in, got)
			code, text, _ := strings.Cut(tt.reason, ":")
			assert.Equal(t, code, pe.Code, "PhoneError.Code")
			assert.Contains(t, pe.Reason, text, "PhoneError.Reason")
			if d := strings.Trim(tt.in, " \t"); len(d) > 4 {
				assert.NotContains(t, err.Error(), d, "the error repeats the number")
			}
		})
	}
}

func TestInvalidPhoneNeverReachesTheProvider(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s, verify.WithDefaultRegion("NL"))
	for _, in := range []string{"", "abc", "+31 6 123", "0800-1234", "+31 906 1234"} {
		_, err := v.Start(context.Background(), in)
		assert.ErrorIs(t, err, verify.ErrInvalidPhone, "Start(%q)", in)
	}
	assert.Zero(t, s.starts.Load(), "provider calls")
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
				require.NoError(t, err, "Start(%s)", tt.phone)
			} else {
				var pe *verify.PhoneError
				require.ErrorAs(t, err, &pe, "Start(%s): want a *PhoneError", tt.phone)
				require.Equal(t, "line_type", pe.Code, "Start(%s): %v", tt.phone, err)
				require.Contains(t, pe.Reason, tt.refused, "Start(%s): want a *PhoneError about %s numbers", tt.phone, tt.refused)
				assert.Equal(t, tt.lineType, pe.LineType, "PhoneError.LineType of %s", tt.phone)
			}
			_, err = newVerifier(t, &spy{}, verify.WithAnyLineType()).Start(context.Background(), tt.phone)
			assert.NoError(t, err, "with WithAnyLineType, Start(%s)", tt.phone)
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
				require.ErrorIs(t, err, verify.ErrUnsupported, "Start")
				require.ErrorContains(t, err, "voice call works", "Start: want ErrUnsupported suggesting voice")
				assert.Zero(t, s.starts.Load(), "refused start reached the provider")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.lastReq.Channel, "channel sent")
			assert.Equal(t, tt.want, ver.Channel, "channel returned")
		})
	}
}

func TestRegions(t *testing.T) {
	v := newVerifier(t, &spy{}, verify.WithAllowedRegions("NL", "BE"), verify.WithDeniedRegions("BE"))
	_, err := v.Start(context.Background(), "+31612345678")
	require.NoError(t, err, "allowed region")
	for _, tt := range []struct{ phone, region, reason string }{
		{"+32470123456", "BE", "numbers from Belgium are not accepted"},
		{"+447400123456", "GB", "numbers from the United Kingdom are not accepted"},
	} {
		var pe *verify.PhoneError
		_, err := v.Start(context.Background(), tt.phone)
		require.ErrorAs(t, err, &pe, "Start(%s): want refused by region %s", tt.phone, tt.region)
		require.Equal(t, "region", pe.Code, "Start(%s): %v", tt.phone, err)
		require.Equal(t, tt.region, pe.Region, "Start(%s): %v", tt.phone, err)
		require.Equal(t, tt.reason, pe.Reason, "Start(%s): %v", tt.phone, err)
	}
	// Users read region names, never ISO codes.
	nl := newVerifier(t, &spy{}, verify.WithDeniedRegions("NL"))
	_, err = nl.Start(context.Background(), "+31612345678")
	pe := (*verify.PhoneError)(nil)
	require.ErrorAs(t, err, &pe, "denied NL")
	require.Equal(t, "numbers from the Netherlands are not accepted", pe.Reason, "denied NL")
	w := newVerifier(t, &spy{}, verify.WithDeniedRegions("GB"))
	_, err = w.Start(context.Background(), "+447400123456")
	require.ErrorIs(t, err, verify.ErrInvalidPhone, "denied region")
	_, err = w.Start(context.Background(), "+31612345678")
	require.NoError(t, err, "region not denied")
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
				require.ErrorIs(t, err, verify.ErrInvalidCode, "Check(%q)", tt.in)
				require.Zero(t, s.checks.Load(), "Check(%q): provider calls", tt.in)
				return
			}
			require.NoError(t, err, "Check(%q)", tt.in)
			require.Equal(t, tt.sent, s.lastCode, "Check(%q): the code sent", tt.in)
		})
	}
}

func TestMalformedIDsNeverReachTheProvider(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s)
	for _, id := range []string{"", "../x", "a/b", "1&token=2", "a#b", "a b", "a?b", strings.Repeat("a", 65)} {
		_, err := v.Check(context.Background(), id, "123456")
		assert.ErrorIs(t, err, verify.ErrNotFound, "Check(%q)", id)
	}
	assert.Zero(t, s.checks.Load(), "a malformed id reached the provider")
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
				require.NoError(t, err, "Check")
				assert.True(t, ver.Verified(), "Check: %+v; want verified", ver)
				return
			}
			require.ErrorIs(t, err, tt.want, "Check")
			require.Nil(t, ver, "Check: want no Verification with the error")
			if tt.err == someErr {
				assert.ErrorIs(t, err, someErr, "the provider's error is not reachable")
			}
		})
	}
	other := &spy{check: func(id, code string) (*verify.Verification, error) {
		return &verify.Verification{ID: "someone-else", Phone: "+31687654321", Status: verify.StatusVerified}, nil
	}}
	ver, err := newVerifier(t, other).Check(context.Background(), "abc", "123456")
	assert.ErrorIs(t, err, verify.ErrUnavailable, "provider answering for another id")
	assert.Nil(t, ver, "provider answering for another id")
	nilVer := &spy{check: func(id, code string) (*verify.Verification, error) { return nil, nil }}
	_, err = newVerifier(t, nilVer).Check(context.Background(), "abc", "123456")
	assert.ErrorIs(t, err, verify.ErrUnavailable, "provider answering nil, nil")
}

func TestStartNeedsAVerificationFromTheProvider(t *testing.T) {
	for name, answer := range map[string]*verify.Verification{"nil": nil, "no id": {Status: verify.StatusPending}} {
		s := &spy{start: func(verify.Request) (*verify.Verification, error) { return answer, nil }}
		_, err := newVerifier(t, s).Start(context.Background(), "+31612345678")
		assert.ErrorIs(t, err, verify.ErrUnavailable, name)
	}
}

func TestContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := &spy{}
	v := newVerifier(t, s)
	_, err := v.Start(ctx, "+31612345678")
	require.ErrorIs(t, err, context.Canceled, "Start")
	_, err = v.Check(ctx, "abc", "123456")
	require.ErrorIs(t, err, context.Canceled, "Check")
	require.Zero(t, s.starts.Load()+s.checks.Load(), "a canceled context reached the provider")
	// A provider whose call fails because the context ended: the error
	// matches the context's.
	ctx2, cancel2 := context.WithCancel(context.Background())
	slow := &spy{start: func(verify.Request) (*verify.Verification, error) {
		cancel2()
		return nil, errors.New("request aborted")
	}}
	_, err = newVerifier(t, slow).Start(ctx2, "+31612345678")
	assert.ErrorIs(t, err, context.Canceled, "Start canceled mid-call")
	assert.ErrorIs(t, err, verify.ErrUnavailable, "Start canceled mid-call")
}

func TestStatusAndCancel(t *testing.T) {
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p)
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	got, err := v.Status(ctx, ver.ID)
	require.NoError(t, err, "Status")
	require.Equal(t, verify.StatusPending, got.Status, "Status")
	require.NoError(t, v.Cancel(ctx, ver.ID))
	_, err = v.Check(ctx, ver.ID, "123456")
	require.ErrorIs(t, err, verify.ErrExpired, "Check after Cancel")
	got, _ = v.Status(ctx, ver.ID)
	require.NotNil(t, got, "Status after Cancel")
	require.Equal(t, verify.StatusCanceled, got.Status, "Status after Cancel")
	_, err = v.Status(ctx, "unknown")
	require.ErrorIs(t, err, verify.ErrNotFound, "Status of an unknown id")
	require.ErrorIs(t, v.Cancel(ctx, "../x"), verify.ErrNotFound, "Cancel of a malformed id")

	// A provider with neither ability.
	w := newVerifier(t, &spy{})
	_, err = w.Status(ctx, "abc")
	assert.ErrorIs(t, err, verify.ErrUnsupported, "Status on a plain Provider")
	assert.ErrorIs(t, w.Cancel(ctx, "abc"), verify.ErrUnsupported, "Cancel on a plain Provider")
}

func TestWholeFlowOnTheFake(t *testing.T) {
	p := fake.New()
	v := newVerifier(t, p, verify.WithDefaultRegion("NL"), verify.WithMaxAttempts(3))
	ctx := context.Background()
	ver, err := v.Start(ctx, "06 12345678")
	require.NoError(t, err)
	code, _ := p.LastCode("+31612345678")
	_, err = v.Check(ctx, ver.ID, "000000")
	if code != "000000" {
		require.ErrorIs(t, err, verify.ErrInvalidCode, "wrong code")
	}
	got, err := v.Check(ctx, ver.ID, code[:3]+" "+code[3:])
	require.NoError(t, err, "right code")
	require.True(t, got.Verified(), "right code: %+v", got)
	require.Equal(t, "+31612345678", got.Phone, "right code")
	_, err = v.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrExpired, "code used twice")
}

func TestConcurrentUse(t *testing.T) {
	p := fake.New()
	v := newVerifier(t, p)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			phone := fmt.Sprintf("+316123456%02d", i)
			// assert, not require: this is not the test's goroutine.
			ver, err := v.Start(context.Background(), phone)
			if !assert.NoError(t, err) {
				return
			}
			code, _ := p.Code(ver.ID)
			got, err := v.Check(context.Background(), ver.ID, code)
			if assert.NoError(t, err, "Check %s", phone) {
				assert.Equal(t, phone, got.Phone, "Check %s", phone)
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
	require.NoError(t, err)
	v.Check(ctx, ver.ID, "111111")
	v.Check(ctx, ver.ID, "918273")
	v.Start(ctx, "+31 6 12")
	out := buf.String()
	for _, secret := range []string{"918273", "111111", "612345678", "+31 6 12"} {
		assert.NotContains(t, out, secret, "the log shows a secret")
	}
	for _, want := range []string{`"phone":"+31******678"`, `"msg":"verify: verified"`, `"msg":"verify: check failed"`, `"msg":"verify: start refused"`} {
		assert.Contains(t, out, want, "the log lacks a line")
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
		assert.Equal(t, want, verify.MaskPhone(in), "MaskPhone(%q)", in)
	}
}

func TestErrorMessages(t *testing.T) {
	rl := &verify.RateLimitError{RetryAfter: 1500 * time.Millisecond, Limit: "resend_cooldown"}
	assert.Equal(t, "verify: rate limited (resend_cooldown): retry after 2s", rl.Error(), "RateLimitError")
	assert.Equal(t, "verify: rate limited: retry after 1s", (&verify.RateLimitError{RetryAfter: 400 * time.Millisecond}).Error(),
		"RateLimitError under a second: want it rounded up")
	assert.ErrorIs(t, rl, verify.ErrRateLimited, "RateLimitError does not match ErrRateLimited")
	pe := &verify.ProviderError{Provider: "messagebird", HTTPStatus: 422, Code: 10, Description: "The token is invalid.", Parameter: "token", Err: verify.ErrInvalidCode}
	assert.Equal(t, `verify: messagebird: invalid code (HTTP 422, code 10, "The token is invalid.", parameter token)`, pe.Error(), "ProviderError")
	assert.ErrorIs(t, pe, verify.ErrInvalidCode, "ProviderError does not match its Err")
	assert.NotErrorIs(t, pe, verify.ErrExpired, "ProviderError matches more than its Err")
	assert.Equal(t, "verify: provider error", (&verify.ProviderError{}).Error(), "empty ProviderError")
}

func TestNewRefusesPerCallOptions(t *testing.T) {
	for name, o := range map[string]verify.Option{
		"WithClientKey":    verify.WithClientKey("app"),
		"WithUserLanguage": verify.WithUserLanguage("de"),
	} {
		_, err := verify.New(fake.New(), o)
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "New(%s)", name)
		assert.ErrorContains(t, err, name, "New(%s): want the error naming it", name)
	}
}

func TestStartFillsPhoneChannelAndLanguage(t *testing.T) {
	s := &spy{start: func(verify.Request) (*verify.Verification, error) {
		return &verify.Verification{ID: "id1", Status: verify.StatusPending}, nil
	}}
	ver, err := newVerifier(t, s).Start(context.Background(), "+31612345678", verify.WithChannel(verify.SMS), verify.WithLanguage("nl-nl"))
	require.NoError(t, err)
	assert.Equal(t, "+31612345678", ver.Phone, "Start fills the number asked for")
	assert.Equal(t, verify.SMS, ver.Channel, "Start fills the channel asked for")
	assert.Equal(t, "nl-nl", ver.Language, "Start fills the language asked for")
}

func TestStartRefusesAnswerForAnotherNumber(t *testing.T) {
	s := &spy{start: func(req verify.Request) (*verify.Verification, error) {
		return &verify.Verification{ID: "id1", Phone: "+441234567890", Channel: req.Channel}, nil
	}}
	_, err := newVerifier(t, s).Start(context.Background(), "+31612345678")
	assert.ErrorIs(t, err, verify.ErrUnavailable, "Start")
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
			if assert.NoError(t, err, "%q", tt.phone) {
				assert.True(t, ver.Verified(), "%q: %+v; want verified", tt.phone, ver)
			}
			continue
		}
		assert.ErrorIs(t, err, tt.want, "%q", tt.phone)
		assert.Nil(t, ver, "%q: want no Verification with the error", tt.phone)
	}
}
