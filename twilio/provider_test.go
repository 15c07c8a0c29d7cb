package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/twilio"
	"github.com/phoneverify/verify/twilio/twiliotest"
	"github.com/phoneverify/verify/verifytest"
)

const phone = "+31612345678"

func request() verify.Request {
	r := verifytest.Request(phone)
	r.MaxAttempts = 5
	return r
}

func TestNewRefusesBadConfiguration(t *testing.T) {
	good := func(opts ...twilio.Option) error {
		_, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID, opts...)
		return err
	}
	require.NoError(t, good())
	tests := []struct {
		name string
		err  error
	}{
		{"account SID", func() error { _, err := twilio.New("AC123", twiliotest.AuthToken, twiliotest.ServiceSID); return err }()},
		{"auth token", func() error {
			_, err := twilio.New(twiliotest.AccountSID, "tok:en", twiliotest.ServiceSID)
			return err
		}()},
		{"empty token", func() error { _, err := twilio.New(twiliotest.AccountSID, "", twiliotest.ServiceSID); return err }()},
		{"service SID", func() error { _, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, "VE123"); return err }()},
		{"nil option", good(nil)},
		{"nil client", good(twilio.WithHTTPClient(nil))},
		{"nil clock", good(twilio.WithClock(nil))},
		{"nil store", good(twilio.WithStore(nil))},
		{"code length", good(twilio.WithCodeLength(3))},
		{"service length", good(twilio.WithService(11, twiliotest.ServiceSID))},
		{"service SID of WithService", good(twilio.WithService(8, "VAxyz"))},
		{"validity", good(twilio.WithValidity(time.Minute))},
		{"endpoint without a host", good(twilio.WithEndpoint("http://"))},
		{"endpoint with a path", good(twilio.WithEndpoint("http://127.0.0.1:1/v2"))},
		{"endpoint of another scheme", good(twilio.WithEndpoint("ftp://127.0.0.1:1"))},
	}
	for _, tt := range tests {
		assert.ErrorIs(t, tt.err, verify.ErrInvalidOption, tt.name)
		if tt.err != nil {
			assert.NotContains(t, tt.err.Error(), twiliotest.AuthToken, tt.name)
		}
	}
}

// TestStartSendsTheRequest checks what reaches Twilio for each field of a
// Request, and the Verification that comes back.
func TestStartSendsTheRequest(t *testing.T) {
	s, p := newPair(t)
	req := request()
	req.Channel, req.Language, req.AppName, req.Reference = verify.SMS, "pt-br", "Acme", "user42"
	ver, err := p.Start(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, phone, ver.Phone)
	assert.Equal(t, verify.SMS, ver.Channel)
	assert.Equal(t, verify.StatusPending, ver.Status)
	assert.Equal(t, "twilio", ver.Provider)
	assert.Equal(t, s.Now(), ver.CreatedAt)
	assert.Equal(t, s.Now().Add(10*time.Minute), ver.ExpiresAt)

	sent := s.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, twiliotest.Sent{Kind: "verify", SID: ver.ID, To: phone, Channel: "sms", Locale: "pt-BR",
		FriendlyName: "Acme", Code: sent[0].Code, At: s.Now()}, sent[0])
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "verify.twilio.com", reqs[0].Host)
	assert.Equal(t, "/v2/Services/"+twiliotest.ServiceSID+"/Verifications", reqs[0].Path)
	assert.Equal(t, `{"reference":"user42"}`, reqs[0].Form.Get("Tags"))

	req.Channel = verify.Voice
	ver, err = p.Start(context.Background(), verifytest.Request("+447400123456"))
	require.NoError(t, err)
	assert.Equal(t, verify.Voice, ver.Channel)
	assert.Equal(t, "call", s.Sent()[1].Channel)
	assert.Equal(t, "en-GB", s.Sent()[1].Locale)
}

// TestEndpoint: WithEndpoint, as an app's configuration gives it, sends
// every Twilio host to the emulator.
func TestEndpoint(t *testing.T) {
	s := twiliotest.NewServer()
	defer s.Close()
	p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
		twilio.WithEndpoint(s.URL), twilio.WithClock(s.Now))
	require.NoError(t, err)
	ver, err := p.Start(context.Background(), request())
	require.NoError(t, err)
	code, ok := s.Code(ver.ID)
	require.True(t, ok, "the emulator sent no code")
	got, err := p.Check(context.Background(), ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, got.Status)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "verify.twilio.com", reqs[0].Host, "the emulator sees Twilio's host")
}

// TestEveryLanguageHasALocale starts a verification in each language the
// Verifier can choose: the emulator refuses a locale Twilio does not
// list, as Twilio does (404).
func TestEveryLanguageHasALocale(t *testing.T) {
	s, p := newPair(t)
	for i, lang := range verify.Languages() {
		req := request()
		req.Phone = "+3161234" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "00"
		req.Language = lang
		ver, err := p.Start(context.Background(), req)
		if assert.NoError(t, err, lang) && lang == "is-is" {
			assert.Equal(t, "en-gb", ver.Language, "Twilio has no Icelandic")
		}
	}
	assert.Len(t, s.Sent(), len(verify.Languages()))
}

// TestStartRefusesWhatAServiceCannotDo checks that every Request field
// Twilio fixes per Service is refused, naming the option, before any
// request, rather than silently ignored.
func TestStartRefusesWhatAServiceCannotDo(t *testing.T) {
	s, p := newPair(t)
	tests := []struct {
		option string
		change func(*verify.Request)
	}{
		{"WithTokenLength(7)", func(r *verify.Request) { r.TokenLength = 7 }},
		{"WithValidity(11m0s)", func(r *verify.Request) { r.Validity = 11 * time.Minute }},
		{"WithMaxAttempts(6)", func(r *verify.Request) { r.MaxAttempts = 6 }},
		{"WithTemplate", func(r *verify.Request) { r.Template, r.CustomTemplate = "Code %token", true }},
		{"WithVoice(Male)", func(r *verify.Request) { r.Voice = verify.Male }},
		{"WithOriginator", func(r *verify.Request) { r.Originator = "Acme" }},
	}
	for _, tt := range tests {
		req := request()
		tt.change(&req)
		_, err := p.Start(context.Background(), req)
		if assert.ErrorIs(t, err, verify.ErrUnsupported, tt.option) {
			assert.Contains(t, err.Error(), tt.option)
		}
	}
	req := request()
	req.AppName = strings.Repeat("x", 31)
	_, err := p.Start(context.Background(), req)
	assert.ErrorIs(t, err, verify.ErrInvalidOption)
	assert.Contains(t, err.Error(), "WithAppName")
	assert.Empty(t, s.Requests(), "a refused start sends nothing")

	// The Verifier's own defaults and a built-in text go through.
	v, err := verify.New(p)
	require.NoError(t, err)
	_, err = v.Start(context.Background(), phone)
	require.NoError(t, err)
	_, err = v.Start(context.Background(), "+32470123456", verify.WithTemplate("Code: %token"))
	assert.ErrorIs(t, err, verify.ErrUnsupported)
}

// TestVerifierEnforcesFewerAttempts checks that a Verifier with
// WithMaxAttempts(2) over Twilio (which allows 5 checks) stops at 2.
func TestVerifierEnforcesFewerAttempts(t *testing.T) {
	s, p := newPair(t)
	v, err := verify.New(p, verify.WithMaxAttempts(2))
	require.NoError(t, err)
	ver, err := v.Start(context.Background(), phone)
	require.NoError(t, err)
	code, ok := s.Code(ver.ID)
	require.True(t, ok)
	_, err = v.Check(context.Background(), ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	_, err = v.Check(context.Background(), ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	_, err = v.Check(context.Background(), ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	_, ok = s.Code(ver.ID)
	assert.False(t, ok, "the verification is canceled at Twilio too")
}

func wrong(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// TestErrorTable plays each answer of the package doc's table and checks
// the sentinel, the HTTP status and Twilio's code.
func TestErrorTable(t *testing.T) {
	type row struct {
		name   string
		op     string // start, check, status, cancel
		fault  twiliotest.Fault
		want   []error
		status int
		code   int
	}
	rows := []row{
		{"60200 on To", "start", twiliotest.Error(400, 60200, "Invalid parameter `To`: "+phone), []error{verify.ErrInvalidPhone}, 400, 60200},
		{"60200 on To, as Twilio documents it", "start", twiliotest.Error(400, 60200, "Invalid parameter: To"), []error{verify.ErrInvalidPhone}, 400, 60200},
		{"60200 on another parameter", "start", twiliotest.Error(400, 60200, "Invalid parameter: Channel"), []error{verify.ErrInvalidOption}, 400, 60200},
		{"60200 on a check", "check", twiliotest.Error(400, 60200, "Invalid parameter: Code"), []error{verify.ErrInvalidCode}, 400, 60200},
		{"60202", "check", twiliotest.Error(429, 60202, "Max check attempts reached"), []error{verify.ErrTooManyAttempts}, 429, 60202},
		{"60203", "start", twiliotest.Error(429, 60203, "Max send attempts reached"), []error{verify.ErrRateLimited}, 429, 60203},
		{"429 with Retry-After", "start", twiliotest.RateLimited(30 * time.Second), []error{verify.ErrRateLimited}, 429, 20429},
		{"20404 on a check of an unknown id", "check-unknown", twiliotest.Error(404, 20404, "not found"), []error{verify.ErrNotFound}, 404, 20404},
		{"20404 on a check of a started id", "check", twiliotest.Error(404, 20404, "not found"), []error{verify.ErrExpired}, 404, 20404},
		{"20404 on a cancel of a started id", "cancel", twiliotest.Error(404, 20404, "not found"), []error{verify.ErrExpired}, 404, 20404},
		{"20404 on a start", "start", twiliotest.Error(404, 20404, "not found"), []error{verify.ErrUnavailable}, 404, 20404},
		{"60410 Fraud Guard", "start", twiliotest.Error(403, 60410, "Verification delivery attempt blocked"), []error{verify.ErrSuspectedPumping, verify.ErrRateLimited}, 403, 60410},
		{"60605 geo permissions", "start", twiliotest.Error(403, 60605, "Verification delivery attempt blocked"), []error{verify.ErrUnsupported}, 403, 60605},
		{"20003 auth", "start", twiliotest.Error(401, 20003, "Authenticate"), []error{verify.ErrUnavailable}, 401, 20003},
		{"500", "check", twiliotest.InternalError(), []error{verify.ErrUnavailable}, 500, 20500},
		{"502 HTML", "status", twiliotest.BadGateway(), []error{verify.ErrUnavailable}, 502, 0},
		{"malformed JSON", "start", twiliotest.MalformedJSON(), []error{verify.ErrUnavailable}, 200, 0},
		{"body over 64 KiB", "check", twiliotest.LargeBody(500, 1<<20), []error{verify.ErrUnavailable}, 500, 0},
		{"redirect", "status", twiliotest.Reply(302, "application/json", `{}`), []error{verify.ErrUnavailable}, 302, 0},
		{"other 4xx", "check", twiliotest.Error(400, 12345, "Something"), []error{verify.ErrUnavailable}, 400, 12345},
		{"connection dropped", "start", twiliotest.Drop(), []error{verify.ErrUnavailable}, 0, 0},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			s, p := newPair(t)
			ver, err := p.Start(context.Background(), request())
			require.NoError(t, err)
			code, _ := s.Code(ver.ID)
			s.Inject(r.fault)
			ctx := context.Background()
			switch r.op {
			case "start":
				_, err = p.Start(ctx, request())
			case "check":
				_, err = p.Check(ctx, ver.ID, code)
			case "check-unknown":
				_, err = p.Check(ctx, "VE0123456789abcdef0123456789abcdef", code)
			case "status":
				_, err = p.Status(ctx, ver.ID)
			case "cancel":
				err = p.Cancel(ctx, ver.ID)
			}
			for _, target := range r.want {
				assert.ErrorIs(t, err, target)
			}
			var pe *verify.ProviderError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "twilio", pe.Provider)
			assert.Equal(t, r.status, pe.HTTPStatus)
			assert.Equal(t, r.code, pe.Code)
			assert.NotContains(t, err.Error(), phone[1:])
			assert.NotContains(t, err.Error(), code)
			if rl := (*verify.RateLimitError)(nil); errors.As(err, &rl) {
				assert.Regexp(t, `^[a-z]+(_[a-z]+)*$`, rl.Limit, "limit names are snake_case")
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	s, p := newPair(t)
	s.Inject(twiliotest.RateLimited(90 * time.Second))
	_, err := p.Start(context.Background(), request())
	var rl *verify.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 90*time.Second, rl.RetryAfter)
	assert.Equal(t, "twilio", rl.Limit, "limit names are snake_case, as the Observer's attributes want them")
}

// TestWrongCredentials checks the emulator's own answer to a wrong token.
func TestWrongCredentials(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	p, err := twilio.New(twiliotest.AccountSID, "wrongtoken", twiliotest.ServiceSID, twilio.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	_, err = p.Start(context.Background(), request())
	assert.ErrorIs(t, err, verify.ErrUnavailable)
	assert.ErrorContains(t, err, "auth token")
	assert.NotContains(t, err.Error(), "wrongtoken")
}

// TestScrubsEchoedSecrets checks that Twilio's message, should it echo the
// number, the code or the token, reaches no error.
func TestScrubsEchoedSecrets(t *testing.T) {
	s, p := newPair(t)
	ver, err := p.Start(context.Background(), request())
	require.NoError(t, err)
	code, _ := s.Code(ver.ID)
	s.Inject(twiliotest.Error(400, 60200, "Invalid parameter: Code "+code+" for "+phone+" ("+phone[1:]+") token "+twiliotest.AuthToken))
	_, err = p.Check(context.Background(), ver.ID, code)
	require.Error(t, err)
	for _, secret := range []string{code, phone[1:], twiliotest.AuthToken} {
		assert.NotContains(t, err.Error(), secret)
	}
	assert.Contains(t, err.Error(), "[code]")
	assert.Contains(t, err.Error(), "[number]")
}

// TestCheckIsSentOnce drops the answer to a check on a pooled connection:
// the check took effect, and Go's transport must not send it again.
// Reads on a dropped pooled connection are resent, which shows that the
// test would see a resend.
func TestCheckIsSentOnce(t *testing.T) {
	count := func(s *twiliotest.Server, suffix string) int {
		n := 0
		for _, r := range s.Requests() {
			if strings.HasSuffix(r.Path, suffix) {
				n++
			}
		}
		return n
	}
	// After the check, Status reads a dropped check's verification as
	// pending, and one whose answer was lost as expired: Twilio forgot it.
	after := map[bool]verify.Status{false: verify.StatusPending, true: verify.StatusExpired}
	for i, fault := range []twiliotest.Fault{twiliotest.Drop(), twiliotest.DropAnswer()} {
		s, p := newPair(t)
		ver, err := p.Start(context.Background(), request()) // the connection is now pooled
		require.NoError(t, err)
		code, _ := s.Code(ver.ID)
		s.Inject(fault)
		_, err = p.Check(context.Background(), ver.ID, code)
		assert.ErrorIs(t, err, verify.ErrUnavailable)
		assert.Equal(t, 1, count(s, "/VerificationCheck"), "the check was sent once")
		assert.Equal(t, 1, s.Connections(), "the check went over the pooled connection")
		got, err := p.Status(context.Background(), ver.ID)
		require.NoError(t, err)
		assert.Equal(t, after[i == 1], got.Status)
	}

	// A transport that marks every request idempotent, as some retry
	// middleware does, makes Go's transport willing to resend a POST.
	s, _ := newPair(t)
	p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
		twilio.WithHTTPClient(&http.Client{Transport: idempotent{s.Client().Transport}}))
	require.NoError(t, err)
	ver, err := p.Start(context.Background(), request())
	require.NoError(t, err)
	code, _ := s.Code(ver.ID)
	s.Inject(twiliotest.DropAnswer())
	_, err = p.Check(context.Background(), ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrUnavailable)
	assert.Equal(t, 1, count(s, "/VerificationCheck"), "the check was sent once")

	s, p = newPair(t)
	ver, err = p.Start(context.Background(), request())
	require.NoError(t, err)
	s.Inject(twiliotest.Drop())
	got, err := p.Status(context.Background(), ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusPending, got.Status)
	assert.Equal(t, 2, count(s, "/Verifications/"+ver.ID), "a read is resent by the transport")
}

// idempotent marks every request with an Idempotency-Key.
type idempotent struct{ next http.RoundTripper }

func (t idempotent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Idempotency-Key", "k")
	return t.next.RoundTrip(r)
}

// TestContext checks the caller's deadline and the Provider's own timeout.
func TestContext(t *testing.T) {
	s, p := newPair(t)
	ver, err := p.Start(context.Background(), request())
	require.NoError(t, err)
	s.Inject(twiliotest.Delay(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = p.Status(ctx, ver.ID)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, verify.ErrUnavailable)

	short, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
		twilio.WithHTTPClient(&http.Client{Transport: s.Client().Transport, Timeout: 50 * time.Millisecond}))
	require.NoError(t, err)
	s.Inject(twiliotest.Delay(time.Hour))
	_, err = short.Start(context.Background(), request())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "no answer within 50ms")
}

// TestStatusAfterTwilioForgets checks what Status says of verifications
// Twilio no longer knows: the Provider's record tells how they ended.
func TestStatusAfterTwilioForgets(t *testing.T) {
	s, p := newPair(t)
	ctx := context.Background()
	status := func(id string) verify.Status {
		t.Helper()
		ver, err := p.Status(ctx, id)
		require.NoError(t, err)
		return ver.Status
	}
	a, err := p.Start(ctx, request())
	require.NoError(t, err)
	code, _ := s.Code(a.ID)
	_, err = p.Check(ctx, a.ID, code)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, status(a.ID))

	b, err := p.Start(ctx, verifytest.Request("+447400123456"))
	require.NoError(t, err)
	require.NoError(t, p.Cancel(ctx, b.ID))
	assert.Equal(t, verify.StatusCanceled, status(b.ID))

	c, err := p.Start(ctx, verifytest.Request("+32470123456")) // 3 attempts
	require.NoError(t, err)
	code, _ = s.Code(c.ID)
	for range 3 {
		_, err = p.Check(ctx, c.ID, wrong(code))
	}
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts)
	assert.Equal(t, verify.StatusFailed, status(c.ID))

	_, err = p.Status(ctx, "VE0123456789abcdef0123456789abcdef")
	assert.ErrorIs(t, err, verify.ErrNotFound)
	_, err = p.Status(ctx, "not-an-id")
	assert.ErrorIs(t, err, verify.ErrNotFound)
	assert.True(t, errors.Is(p.Cancel(ctx, "VE0123456789abcdef0123456789abcdef"), verify.ErrNotFound))
}

// TestRecordInStore checks the Provider's record in a store of the app's:
// a record that does not decode is the store's failure, not a verdict.
func TestRecordInStore(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	store := &verify.MemoryLimiter{Now: s.Now}
	p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
		twilio.WithHTTPClient(s.Client()), twilio.WithClock(s.Now), twilio.WithStore(store))
	require.NoError(t, err)
	ctx := context.Background()
	ver, err := p.Start(ctx, request())
	require.NoError(t, err)
	rec, ok, err := store.Get(ctx, "twilio:v:"+ver.ID)
	require.NoError(t, err)
	require.True(t, ok)
	code, _ := s.Code(ver.ID)
	assert.NotContains(t, rec, code)
	assert.Contains(t, rec, phone)

	require.NoError(t, store.Put(ctx, "twilio:v:"+ver.ID, "pending|5|x", time.Hour))
	_, err = p.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrUnavailable)
	assert.ErrorContains(t, err, "store")
}

// failingPuts is a MemoryLimiter whose Put fails once failing is set.
type failingPuts struct {
	*verify.MemoryLimiter
	failing bool
}

func (s *failingPuts) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if s.failing {
		return errors.New("store down")
	}
	return s.MemoryLimiter.Put(ctx, key, value, ttl)
}

// TestApprovalOutlivesTheStore checks that Twilio's approval decides a
// check even when the record cannot be written, and that the code still
// works once only.
func TestApprovalOutlivesTheStore(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	store := &failingPuts{MemoryLimiter: &verify.MemoryLimiter{Now: s.Now}}
	p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
		twilio.WithHTTPClient(s.Client()), twilio.WithClock(s.Now), twilio.WithStore(store))
	require.NoError(t, err)
	ctx := context.Background()
	ver, err := p.Start(ctx, request())
	require.NoError(t, err)
	code, _ := s.Code(ver.ID)
	store.failing = true
	got, err := p.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, got.Status)
	_, err = p.Check(ctx, ver.ID, code)
	assert.ErrorIs(t, err, verify.ErrExpired)

	_, err = p.Start(ctx, verifytest.Request("+447400123456"))
	assert.ErrorIs(t, err, verify.ErrUnavailable, "a start whose record cannot be written fails")
}

// TestAnotherInstanceWithItsOwnStore: a verification started by an
// instance whose store this one does not share is pending here too, and
// Twilio alone decides its checks (see the package doc).
func TestAnotherInstanceWithItsOwnStore(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	instance := func() *twilio.Provider {
		p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
			twilio.WithHTTPClient(s.Client()), twilio.WithClock(s.Now), twilio.WithStore(&verify.MemoryLimiter{Now: s.Now}))
		require.NoError(t, err)
		return p
	}
	a, b := instance(), instance()
	ctx := context.Background()
	ver, err := a.Start(ctx, request())
	require.NoError(t, err)

	got, err := b.Status(ctx, ver.ID)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusPending, got.Status, "Status on the other instance")
	assert.Equal(t, phone, got.Phone)

	code, _ := s.Code(ver.ID)
	got, err = b.Check(ctx, ver.ID, code)
	require.NoError(t, err)
	assert.Equal(t, verify.StatusVerified, got.Status, "Check on the other instance")
}

// TestStartAgainKeepsTheLimits: Twilio sends a pending verification's
// code again when its number is started again; the second start must not
// lengthen its validity or raise its cap on wrong codes.
func TestStartAgainKeepsTheLimits(t *testing.T) {
	s, p := newPair(t)
	ctx := context.Background()
	first := request()
	first.Validity, first.MaxAttempts = 3*time.Minute, 2
	ver, err := p.Start(ctx, first)
	require.NoError(t, err)
	again, err := p.Start(ctx, request()) // 10 minutes and 5 attempts
	require.NoError(t, err)
	require.Equal(t, ver.ID, again.ID, "Twilio sent the pending verification's code again")
	assert.Equal(t, ver.ExpiresAt, again.ExpiresAt, "the second start's validity")

	code, ok := s.Code(ver.ID)
	require.True(t, ok)
	_, err = p.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrInvalidCode)
	_, err = p.Check(ctx, ver.ID, wrong(code))
	assert.ErrorIs(t, err, verify.ErrTooManyAttempts, "the second wrong code of the first start's two")
}
