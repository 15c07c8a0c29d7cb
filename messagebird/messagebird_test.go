package messagebird_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/verifytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	phone = "+31612345678"
	id32  = "0123456789abcdef0123456789abcdef"
)

func bg() context.Context { return context.Background() }

func TestNewRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opts []messagebird.Option
	}{
		{"empty key", "", nil},
		{"key with a space", "live_ab cd", nil},
		{"key with a newline", "live_abcd\n", nil},
		{"key with DEL", "live_abcd\x7f", nil},
		{"key with a non-ASCII byte", "live_abcd\x80", nil},
		{"nil option", "k", []messagebird.Option{nil}},
		{"nil HTTP client", "k", []messagebird.Option{messagebird.WithHTTPClient(nil)}},
		{"relative endpoint", "k", []messagebird.Option{messagebird.WithEndpoint("/verify")}},
		{"ftp endpoint", "k", []messagebird.Option{messagebird.WithEndpoint("ftp://127.0.0.1")}},
		{"plain http to a remote host", "k", []messagebird.Option{messagebird.WithEndpoint("http://example.com")}},
		{"endpoint with a query", "k", []messagebird.Option{messagebird.WithEndpoint("https://example.com/?a=b")}},
		{"endpoint with credentials", "k", []messagebird.Option{messagebird.WithEndpoint("https://u:p@example.com")}},
		{"endpoint without a host", "k", []messagebird.Option{messagebird.WithEndpoint("https:///verify")}},
		{"opaque endpoint", "k", []messagebird.Option{messagebird.WithEndpoint("https:rest.example.com")}},
		{"endpoint with an empty query", "k", []messagebird.Option{messagebird.WithEndpoint("https://example.com/?")}},
		{"endpoint with a fragment", "k", []messagebird.Option{messagebird.WithEndpoint("https://example.com/#x")}},
		{"plain http to a remote IPv4 address", "k", []messagebird.Option{messagebird.WithEndpoint("http://192.0.2.1:8080")}},
		{"plain http to a remote IPv6 address", "k", []messagebird.Option{messagebird.WithEndpoint("http://[2001:db8::1]")}},
		{"plain http to an unspecified address", "k", []messagebird.Option{messagebird.WithEndpoint("http://0.0.0.0:8080")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := messagebird.New(tt.key, tt.opts...)
			require.Nil(t, p)
			require.ErrorIs(t, err, verify.ErrInvalidOption)
			if tt.key != "" && len(tt.key) > 1 {
				assert.NotContains(t, err.Error(), strings.TrimSpace(tt.key), "the error shows the key")
			}
		})
	}
	for _, key := range []string{"!", "~", "test_AZaz09"} { // the edges of printable ASCII
		_, err := messagebird.New(key)
		assert.NoError(t, err, "New(%q)", key)
	}
	for _, ep := range []string{"https://example.com", "https://example.com/base/", "http://127.0.0.1:8080", "http://[::1]:1", "http://localhost:9"} {
		_, err := messagebird.New("k", messagebird.WithEndpoint(ep))
		assert.NoError(t, err, "WithEndpoint(%q)", ep)
	}
}

// body decodes the JSON body of the only POST the emulator received.
func body(t *testing.T, s *mbtest.Server) map[string]any {
	t.Helper()
	var posts []mbtest.Request
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost {
			posts = append(posts, r)
		}
	}
	require.Len(t, posts, 1, "POSTs the emulator received")
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(posts[0].Body)))
	d.UseNumber()
	require.NoError(t, d.Decode(&m))
	return m
}

// TestStartMapping checks each row of the request mapping on the wire.
func TestStartMapping(t *testing.T) {
	base := verifytest.Request(phone)
	tests := []struct {
		name   string
		edit   func(r *verify.Request)
		want   map[string]any // fields that must be sent as given
		absent []string       // fields that must not be sent
	}{
		{"voice is tts", nil, map[string]any{"type": "tts", "voice": "female", "language": "en-gb"}, nil},
		{"voice leaves datacoding out", nil, nil, []string{"datacoding"}},
		{"sms", func(r *verify.Request) { r.Channel = verify.SMS }, map[string]any{"type": "sms", "datacoding": "auto"}, []string{"voice", "language", "dataCoding"}},
		{"sms in Cyrillic", func(r *verify.Request) { r.Channel, r.Template = verify.SMS, "Ваш код: %token" },
			map[string]any{"template": "Ваш код: %token", "datacoding": "auto"}, nil},
		{"recipient as E.164 digits", nil, map[string]any{"recipient": "31612345678"}, nil},
		{"template", func(r *verify.Request) { r.Template = "Uw code: %token" }, map[string]any{"template": "Uw code: %token"}, nil},
		{"male voice", func(r *verify.Request) { r.Voice = verify.Male }, map[string]any{"voice": "male"}, nil},
		{"language", func(r *verify.Request) { r.Language = "nl-nl" }, map[string]any{"language": "nl-nl"}, nil},
		{"tokenLength", func(r *verify.Request) { r.TokenLength = 8 }, map[string]any{"tokenLength": json.Number("8")}, nil},
		{"timeout in seconds", nil, map[string]any{"timeout": json.Number("600")}, nil},
		{"timeout rounded up", func(r *verify.Request) { r.Validity = 90*time.Second + time.Millisecond }, map[string]any{"timeout": json.Number("91")}, nil},
		{"maxAttempts", nil, map[string]any{"maxAttempts": json.Number("3")}, nil},
		{"originator", func(r *verify.Request) { r.Originator = "MyApp" }, map[string]any{"originator": "MyApp"}, nil},
		{"reference", func(r *verify.Request) { r.Reference = "user42" }, map[string]any{"reference": "user42"}, nil},
		{"empty originator and reference are left out", nil, nil, []string{"originator", "reference"}},
		{"no voice leaves MessageBird's default", func(r *verify.Request) { r.Voice = "" }, map[string]any{"type": "tts"}, []string{"voice"}},
		{"token length and attempts at their lowest", func(r *verify.Request) { r.TokenLength, r.MaxAttempts = 6, 1 },
			map[string]any{"tokenLength": json.Number("6"), "maxAttempts": json.Number("1")}, nil},
		{"token length and attempts at their highest", func(r *verify.Request) { r.TokenLength, r.MaxAttempts = 10, 10 },
			map[string]any{"tokenLength": json.Number("10"), "maxAttempts": json.Number("10")}, nil},
		{"zero values leave MessageBird's defaults", func(r *verify.Request) {
			r.TokenLength, r.Validity, r.MaxAttempts, r.Template = 0, 0, 0, ""
		}, nil, []string{"tokenLength", "timeout", "maxAttempts", "template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t)
			req := base
			if tt.edit != nil {
				tt.edit(&req)
			}
			_, err := p.Start(bg(), req)
			require.NoError(t, err)
			got := body(t, s)
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], k)
			}
			for _, k := range tt.absent {
				assert.NotContains(t, got, k, "%s was sent, want it left out", k)
			}
		})
	}
}

func TestStartResult(t *testing.T) {
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	s, p := newPair(t, mbtest.WithClock(func() time.Time { return start }))
	req := verifytest.Request(phone)
	req.Channel = verify.SMS
	ver, err := p.Start(bg(), req)
	require.NoError(t, err)
	want := verify.Verification{
		ID: ver.ID, Phone: phone, Channel: verify.SMS, Status: verify.StatusPending, Provider: "messagebird",
		CreatedAt: start, ExpiresAt: start.Add(10 * time.Minute),
	}
	assert.True(t, ver.CreatedAt.Equal(want.CreatedAt), "CreatedAt = %v, want %v", ver.CreatedAt, want.CreatedAt)
	assert.True(t, ver.ExpiresAt.Equal(want.ExpiresAt), "ExpiresAt = %v, want %v", ver.ExpiresAt, want.ExpiresAt)
	ver.CreatedAt, ver.ExpiresAt = want.CreatedAt, want.ExpiresAt
	assert.Equal(t, want, *ver)
	r := s.Requests()[0]
	assert.Equal(t, "AccessKey "+mbtest.AccessKey, r.Header.Get("Authorization"), "go-rest-api's Authorization")
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "MessageBird/ApiClient/"), "User-Agent %q, want go-rest-api's", r.Header.Get("User-Agent"))
}

// object is a Verify object as MessageBird sends it, for injected replies.
func object(recipient, typ, status string) string {
	return `{"id":"` + id32 + `","href":"x","recipient":` + recipient + `,"reference":null,"originator":"Code","type":"` + typ +
		`","status":"` + status + `","messages":{"href":"x"},"createdDatetime":"2026-01-02T03:04:05+00:00","validUntilDatetime":"2026-01-02T03:14:05+00:00"}`
}

// TestResponseMapping checks each row of the response mapping with
// answers injected on the wire.
func TestResponseMapping(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name           string
		recipient, typ string
		status         string
		wantPhone      string
		wantChannel    verify.Channel
		wantStatus     verify.Status
	}{
		{"numeric recipient", "31612345678", "sms", "sent", phone, verify.SMS, verify.StatusPending},
		{"string recipient", `"31612345678"`, "sms", "sent", phone, verify.SMS, verify.StatusPending},
		{"string recipient with plus", `"+31612345678"`, "sms", "sent", phone, verify.SMS, verify.StatusPending},
		{"tts is voice", "31612345678", "tts", "sent", phone, verify.Voice, verify.StatusPending},
		{"flash is sms", "31612345678", "flash", "sent", phone, verify.SMS, verify.StatusPending},
		{"verified", "31612345678", "tts", "verified", phone, verify.Voice, verify.StatusVerified},
		{"expired", "31612345678", "tts", "expired", phone, verify.Voice, verify.StatusExpired},
		{"failed", "31612345678", "tts", "failed", phone, verify.Voice, verify.StatusFailed},
		{"deleted is canceled", "31612345678", "tts", "deleted", phone, verify.Voice, verify.StatusCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t)
			s.Inject(mbtest.Reply(200, "application/json", object(tt.recipient, tt.typ, tt.status)))
			ver, err := p.Status(bg(), id32)
			require.NoError(t, err)
			want := verify.Verification{ID: id32, Phone: tt.wantPhone, Channel: tt.wantChannel, Status: tt.wantStatus,
				CreatedAt: created, ExpiresAt: created.Add(10 * time.Minute)}
			assert.Equal(t, want.ID, ver.ID, "ID")
			assert.Equal(t, want.Phone, ver.Phone, "Phone")
			assert.Equal(t, want.Channel, ver.Channel, "Channel")
			assert.Equal(t, want.Status, ver.Status, "Status")
			assert.Equal(t, "messagebird", ver.Provider, "Provider")
			assert.True(t, ver.CreatedAt.Equal(want.CreatedAt), "CreatedAt = %v, want %v", ver.CreatedAt, want.CreatedAt)
			assert.True(t, ver.ExpiresAt.Equal(want.ExpiresAt), "ExpiresAt = %v, want %v", ver.ExpiresAt, want.ExpiresAt)
		})
	}
}

// wantProviderError checks that err matches target and carries the
// upstream detail.
func wantProviderError(t *testing.T, err, target error, httpStatus, code int) *verify.ProviderError {
	t.Helper()
	require.ErrorIs(t, err, target)
	var pe *verify.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "messagebird", pe.Provider, "ProviderError.Provider")
	assert.Equal(t, httpStatus, pe.HTTPStatus, "ProviderError.HTTPStatus")
	assert.Equal(t, code, pe.Code, "ProviderError.Code")
	return pe
}

func errorBody(code int, desc, param string) string {
	p := "null"
	if param != "" {
		p = `"` + param + `"`
	}
	return `{"errors":[{"code":` + itoa(code) + `,"description":"` + desc + `","parameter":` + p + `}]}`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestErrorMapping checks each row of the error mapping against answers
// injected on the wire, and that the detail is kept.
func TestErrorMapping(t *testing.T) {
	type callFn func(p *messagebird.Provider) error
	start := func(p *messagebird.Provider) error { _, err := p.Start(bg(), verifytest.Request(phone)); return err }
	check := func(p *messagebird.Provider) error { _, err := p.Check(bg(), id32, "123456"); return err }
	status := func(p *messagebird.Provider) error { _, err := p.Status(bg(), id32); return err }
	cancel := func(p *messagebird.Provider) error { return p.Cancel(bg(), id32) }
	tests := []struct {
		name   string
		call   callFn
		faults []mbtest.Fault
		target error
		http   int
		code   int
		param  string
	}{
		{"wrong code", check, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "The token is invalid.", "token")),
			mbtest.Reply(200, "application/json", object("31612345678", "tts", "sent"))}, verify.ErrInvalidCode, 422, 10, "token"},
		{"wrong code that used up the attempts", check, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "The token is invalid.", "token")),
			mbtest.Reply(200, "application/json", object("31612345678", "tts", "failed"))}, verify.ErrTooManyAttempts, 422, 10, "token"},
		{"wrong code, status unreadable", check, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "The token is invalid.", "token")),
			mbtest.InternalError()}, verify.ErrInvalidCode, 422, 10, "token"},
		{"expired", check, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "The token has expired.", "token"))}, verify.ErrExpired, 422, 10, "token"},
		{"already processed", check, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "The token has already been processed.", "token")),
			mbtest.Reply(200, "application/json", object("31612345678", "tts", "verified"))}, verify.ErrExpired, 422, 10, "token"},
		{"already processed, failed", check, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "The token has already been processed.", "token")),
			mbtest.Reply(200, "application/json", object("31612345678", "tts", "failed"))}, verify.ErrTooManyAttempts, 422, 10, "token"},
		{"status failed after a check", check, []mbtest.Fault{mbtest.Reply(200, "application/json", object("31612345678", "tts", "failed"))}, verify.ErrTooManyAttempts, 200, 0, ""},
		{"status sent after a check", check, []mbtest.Fault{mbtest.Reply(200, "application/json", object("31612345678", "tts", "sent"))}, verify.ErrInvalidCode, 200, 0, ""},
		{"status expired after a check", check, []mbtest.Fault{mbtest.Reply(200, "application/json", object("31612345678", "tts", "expired"))}, verify.ErrExpired, 200, 0, ""},
		{"not found on check", check, nil, verify.ErrNotFound, 404, 20, ""},
		{"not found on status", status, nil, verify.ErrNotFound, 404, 20, ""},
		{"not found on cancel", cancel, nil, verify.ErrNotFound, 404, 20, ""},
		{"404 without a code", status, []mbtest.Fault{mbtest.Reply(404, "application/json", `{"errors":[]}`)}, verify.ErrNotFound, 404, 0, ""},
		{"recipient refused", start, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "recipient is invalid", "recipient"))}, verify.ErrInvalidPhone, 422, 10, "recipient"},
		{"recipient missing", start, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(9, "recipient is required", "recipient"))}, verify.ErrInvalidPhone, 422, 9, "recipient"},
		{"other parameter refused", start, []mbtest.Fault{mbtest.Reply(422, "application/json", errorBody(10, "originator is invalid", "originator"))}, verify.ErrInvalidOption, 422, 10, "originator"},
		{"bad key", start, []mbtest.Fault{mbtest.Reply(401, "application/json", errorBody(2, "Request not allowed (incorrect access_key)", "access_key"))}, verify.ErrUnavailable, 401, 2, "access_key"},
		{"no balance", start, []mbtest.Fault{mbtest.Reply(402, "application/json", errorBody(25, "Not enough balance", ""))}, verify.ErrUnavailable, 402, 25, ""},
		{"API not found", start, []mbtest.Fault{mbtest.Reply(404, "application/json", errorBody(98, "API not found", ""))}, verify.ErrUnavailable, 404, 98, ""},
		{"404 on create", start, []mbtest.Fault{mbtest.Reply(404, "application/json", `{"errors":[]}`)}, verify.ErrUnavailable, 404, 0, ""},
		{"500", start, []mbtest.Fault{mbtest.InternalError()}, verify.ErrUnavailable, 500, 0, ""},
		{"503 with a JSON error", check, []mbtest.Fault{mbtest.Reply(503, "application/json", errorBody(99, "Internal error", ""))}, verify.ErrUnavailable, 503, 99, ""},
		{"HTML 502", start, []mbtest.Fault{mbtest.BadGateway()}, verify.ErrUnavailable, 502, 0, ""},
		{"HTML 502 on check", check, []mbtest.Fault{mbtest.BadGateway()}, verify.ErrUnavailable, 502, 0, ""},
		{"malformed JSON", start, []mbtest.Fault{mbtest.MalformedJSON()}, verify.ErrUnavailable, 200, 0, ""},
		{"malformed JSON on check", check, []mbtest.Fault{mbtest.MalformedJSON()}, verify.ErrUnavailable, 200, 0, ""},
		{"null recipient", status, []mbtest.Fault{mbtest.Reply(200, "application/json", object("null", "sms", "sent"))}, verify.ErrUnavailable, 200, 0, ""},
		{"recipient not a number", status, []mbtest.Fault{mbtest.Reply(200, "application/json", object(`"x@y.z"`, "email", "sent"))}, verify.ErrUnavailable, 200, 0, ""},
		{"unknown status", status, []mbtest.Fault{mbtest.Reply(200, "application/json", object("31612345678", "sms", "lost"))}, verify.ErrUnavailable, 200, 0, ""},
		{"answer about another id", status, []mbtest.Fault{mbtest.Reply(200, "application/json", strings.Replace(object("31612345678", "sms", "sent"), id32, "ffffffffffffffffffffffffffffffff", 1))}, verify.ErrUnavailable, 200, 0, ""},
		{"check answer about another id", check, []mbtest.Fault{mbtest.Reply(200, "application/json", strings.Replace(object("31612345678", "sms", "verified"), id32, "ffffffffffffffffffffffffffffffff", 1))}, verify.ErrUnavailable, 200, 0, ""},
		{"empty 200", start, []mbtest.Fault{mbtest.Reply(200, "application/json", `{}`)}, verify.ErrUnavailable, 200, 0, ""},
		{"unexpected 4xx", start, []mbtest.Fault{mbtest.Reply(400, "application/json", errorBody(21, "Bad request", ""))}, verify.ErrUnavailable, 400, 21, ""},
		{"dropped connection", start, []mbtest.Fault{mbtest.Drop()}, verify.ErrUnavailable, 0, 0, ""},
		{"dropped connection on check", check, []mbtest.Fault{mbtest.Drop()}, verify.ErrUnavailable, 0, 0, ""},
		{"body too large", check, []mbtest.Fault{mbtest.LargeBody(422, 1<<20)}, verify.ErrUnavailable, 422, 0, ""},
		{"body one byte too large", check, []mbtest.Fault{mbtest.LargeBody(422, maxBody+1-int64(len(largeBodyJSON)))}, verify.ErrUnavailable, 422, 0, ""},
		{"body of the largest size", check, []mbtest.Fault{mbtest.LargeBody(422, maxBody-int64(len(largeBodyJSON)))}, verify.ErrInvalidCode, 422, 10, "token"},
		{"body too large on 200", start, []mbtest.Fault{mbtest.Reply(200, "application/json", object("31612345678", "sms", "sent")+strings.Repeat(" ", maxBody))}, verify.ErrUnavailable, 200, 0, ""},
		{"body too large on 429", start, []mbtest.Fault{mbtest.LargeBody(429, 1<<20)}, verify.ErrUnavailable, 429, 0, ""},
		{"rate limited", start, []mbtest.Fault{mbtest.Reply(429, "application/json", errorBody(21, "Too many requests", ""))}, verify.ErrRateLimited, 429, 21, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t)
			s.Inject(tt.faults...)
			err := tt.call(p)
			pe := wantProviderError(t, err, tt.target, tt.http, tt.code)
			assert.Equal(t, tt.param, pe.Parameter, "Parameter")
			msg := err.Error()
			assert.NotContains(t, msg, "123456", "the error message shows a code")
			assert.NotContains(t, msg, "31612345678", "the error message shows the number")
			assert.NotContains(t, msg, mbtest.AccessKey, "the error message shows the key")
			assert.NotContains(t, msg, "<html", "the error message shows a body")
		})
	}
}

// maxBody is the documented limit of a response body, and largeBodyJSON
// the body mbtest.LargeBody ends with.
const (
	maxBody       = 64 << 10
	largeBodyJSON = `{"errors":[{"code":10,"description":"The token is invalid.","parameter":"token"}]}`
)

// TestLargeBodyBoundedMemory checks that a huge answer is refused after
// its first 64 KiB, and so costs little memory: go-rest-api alone reads it
// whole, allocating several times its size.
func TestLargeBodyBoundedMemory(t *testing.T) {
	s, p := newPair(t)
	s.Inject(mbtest.LargeBody(422, 64<<20))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := p.Check(bg(), id32, "123456")
	runtime.ReadMemStats(&after)
	// Generous: the emulator's allocations count too, and the race
	// detector adds its own; reading the body whole costs over 64 MiB.
	grew := after.TotalAlloc - before.TotalAlloc
	assert.LessOrEqual(t, grew, uint64(8<<20), "Check allocated %d MiB for a 64 MiB answer, want at most 8", grew>>20)
	wantProviderError(t, err, verify.ErrUnavailable, 422, 0)
	assert.Contains(t, err.Error(), "larger than 64 KiB", "the error does not say the body was too large")
}

func TestRateLimitRetryAfter(t *testing.T) {
	// Reply sets no Retry-After header: answer with a plain handler.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(srv.URL))
	require.NoError(t, err)
	_, err = p.Start(bg(), verifytest.Request(phone))
	var rl *verify.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 7*time.Second, rl.RetryAfter)
}

// TestEmulatorErrors runs the error paths against the emulator's own
// behaviour, without injected answers.
func TestEmulatorErrors(t *testing.T) {
	t.Run("wrong, then expired", func(t *testing.T) {
		s, p := newPair(t, mbtest.WithCode("123456"))
		ver, err := p.Start(bg(), verifytest.Request(phone))
		require.NoError(t, err)
		_, err = p.Check(bg(), ver.ID, "654321")
		wantProviderError(t, err, verify.ErrInvalidCode, 422, 10)
		s.Advance(10 * time.Minute)
		_, err = p.Check(bg(), ver.ID, "123456")
		wantProviderError(t, err, verify.ErrExpired, 422, 10)
	})
	t.Run("max attempts then failed", func(t *testing.T) {
		_, p := newPair(t, mbtest.WithCode("123456"))
		req := verifytest.Request(phone)
		req.MaxAttempts = 2
		ver, _ := p.Start(bg(), req)
		_, err := p.Check(bg(), ver.ID, "000000")
		wantProviderError(t, err, verify.ErrInvalidCode, 422, 10)
		_, err = p.Check(bg(), ver.ID, "000000")
		wantProviderError(t, err, verify.ErrTooManyAttempts, 422, 10)
		_, err = p.Check(bg(), ver.ID, "123456")
		wantProviderError(t, err, verify.ErrTooManyAttempts, 422, 10)
		got, err := p.Status(bg(), ver.ID)
		require.NoError(t, err)
		require.Equal(t, verify.StatusFailed, got.Status)
	})
	t.Run("used code", func(t *testing.T) {
		_, p := newPair(t, mbtest.WithCode("123456"))
		ver, _ := p.Start(bg(), verifytest.Request(phone))
		_, err := p.Check(bg(), ver.ID, "123456")
		require.NoError(t, err)
		_, err = p.Check(bg(), ver.ID, "123456")
		wantProviderError(t, err, verify.ErrExpired, 422, 10)
	})
	t.Run("cancel then not found", func(t *testing.T) {
		_, p := newPair(t)
		ver, _ := p.Start(bg(), verifytest.Request(phone))
		require.NoError(t, p.Cancel(bg(), ver.ID))
		wantProviderError(t, p.Cancel(bg(), ver.ID), verify.ErrNotFound, 404, 20)
		_, err := p.Status(bg(), ver.ID)
		wantProviderError(t, err, verify.ErrNotFound, 404, 20)
	})
	t.Run("bad key", func(t *testing.T) {
		s := mbtest.NewServer(mbtest.WithAccessKey("live_other"))
		t.Cleanup(s.Close)
		p, _ := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
		_, err := p.Start(bg(), verifytest.Request(phone))
		pe := wantProviderError(t, err, verify.ErrUnavailable, 401, 2)
		assert.Equal(t, "access_key", pe.Parameter)
		assert.NotContains(t, err.Error(), mbtest.AccessKey)
	})
	t.Run("recipient refused", func(t *testing.T) {
		s, p := newPair(t)
		_, err := p.Start(bg(), verifytest.Request("+1234567"))
		pe := wantProviderError(t, err, verify.ErrInvalidPhone, 422, 10)
		var phoneErr *verify.PhoneError
		assert.Equal(t, "recipient", pe.Parameter)
		if assert.ErrorAs(t, err, &phoneErr) {
			assert.Equal(t, "refused", phoneErr.Code)
		}
		assert.Len(t, s.Requests(), 1)
	})
	t.Run("language refused", func(t *testing.T) {
		_, p := newPair(t)
		req := verifytest.Request(phone)
		req.Language = "xx-yy"
		_, err := p.Start(bg(), req)
		wantProviderError(t, err, verify.ErrInvalidOption, 422, 10)
	})
	t.Run("connection refused", func(t *testing.T) {
		s := mbtest.NewServer()
		url := s.URL
		s.Close()
		p, _ := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(url))
		_, err := p.Check(bg(), id32, "123456")
		wantProviderError(t, err, verify.ErrUnavailable, 0, 0)
		assert.NotContains(t, err.Error(), "123456", "the error shows the request URL")
		assert.NotContains(t, err.Error(), "token", "the error shows the request URL")
		assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the error does not keep its cause")
	})
}

// TestHostileInputNeverReachesTheWire checks that ids and codes that
// could corrupt the URL are refused before any request.
func TestHostileInputNeverReachesTheWire(t *testing.T) {
	ids := []string{"", "../x", "1&token=2", "#", "a b", " ", "abc/def", "abc?token=1", "abc%2f", "é", strings.Repeat("a", 65),
		"ab@", "ab[", "ab`", "ab{", "ab:", "ab/", "ab-", "ab_"} // the neighbours of 0-9, A-Z and a-z
	codes := []string{"", "1&token=2", "#", "12 34", "123456#", "12345a", "+123456", "../123", "123", "12345678901", "１２３４５６"}
	s, p := newPair(t)
	for _, id := range ids {
		_, err := p.Check(bg(), id, "123456")
		assert.ErrorIs(t, err, verify.ErrNotFound, "Check(%q)", id)
		_, err = p.Status(bg(), id)
		assert.ErrorIs(t, err, verify.ErrNotFound, "Status(%q)", id)
		assert.ErrorIs(t, p.Cancel(bg(), id), verify.ErrNotFound, "Cancel(%q)", id)
	}
	for _, code := range codes {
		_, err := p.Check(bg(), id32, code)
		assert.ErrorIs(t, err, verify.ErrInvalidCode, "Check(code %q)", code)
	}
	require.Empty(t, s.Requests(), "requests reached the emulator")
}

func TestStartRefusesBadRequests(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(r *verify.Request)
		target error
	}{
		{"national number", func(r *verify.Request) { r.Phone = "0612345678" }, verify.ErrInvalidPhone},
		{"spaces", func(r *verify.Request) { r.Phone = "+31 6 12345678" }, verify.ErrInvalidPhone},
		{"empty", func(r *verify.Request) { r.Phone = "" }, verify.ErrInvalidPhone},
		{"too long", func(r *verify.Request) { r.Phone = "+1234567890123456" }, verify.ErrInvalidPhone},
		{"leading zero", func(r *verify.Request) { r.Phone = "+0612345678" }, verify.ErrInvalidPhone},
		{"token length 5", func(r *verify.Request) { r.TokenLength = 5 }, verify.ErrInvalidOption},
		{"token length 11", func(r *verify.Request) { r.TokenLength = 11 }, verify.ErrInvalidOption},
		{"max attempts -1", func(r *verify.Request) { r.MaxAttempts = -1 }, verify.ErrInvalidOption},
		{"channel", func(r *verify.Request) { r.Channel = "fax" }, verify.ErrInvalidOption},
		{"voice", func(r *verify.Request) { r.Voice = "robot" }, verify.ErrInvalidOption},
		{"template without token", func(r *verify.Request) { r.Template = "hello" }, verify.ErrInvalidOption},
		{"token length", func(r *verify.Request) { r.TokenLength = 4 }, verify.ErrInvalidOption},
		{"max attempts", func(r *verify.Request) { r.MaxAttempts = 11 }, verify.ErrInvalidOption},
		{"short validity", func(r *verify.Request) { r.Validity = 29 * time.Second }, verify.ErrInvalidOption},
		{"long validity", func(r *verify.Request) { r.Validity = 73 * time.Hour }, verify.ErrInvalidOption},
	}
	s, p := newPair(t)
	for _, tt := range tests {
		req := verifytest.Request(phone)
		tt.edit(&req)
		_, err := p.Start(bg(), req)
		assert.ErrorIs(t, err, tt.target, tt.name)
		if pe := (*verify.PhoneError)(nil); errors.As(err, &pe) {
			assert.Equal(t, "format", pe.Code, "%s: PhoneError code", tt.name)
		}
	}
	require.Empty(t, s.Requests(), "invalid requests reached the emulator")
}

// TestKeepAlive checks that sequential calls share connections.
func TestKeepAlive(t *testing.T) {
	s, p := newPair(t)
	for range 100 {
		ver, err := p.Start(bg(), verifytest.Request(phone))
		require.NoError(t, err)
		code, _ := s.Code(ver.ID)
		_, err = p.Check(bg(), ver.ID, code)
		require.NoError(t, err)
	}
	require.LessOrEqual(t, s.Connections(), 2, "TCP connections 100 sequential Start+Check opened")
}

// TestKeepAliveAfterErrors checks that error answers do not cost a
// connection either.
func TestKeepAliveAfterErrors(t *testing.T) {
	s, p := newPair(t)
	for range 20 {
		p.Check(bg(), id32, "123456") // 404
		s.Inject(mbtest.BadGateway())
		p.Status(bg(), id32)
		s.Inject(mbtest.InternalError())
		p.Status(bg(), id32)
	}
	require.LessOrEqual(t, s.Connections(), 2, "TCP connections 60 sequential failing calls opened")
}

// waitRequest returns once the emulator has received n requests.
func waitRequest(s *mbtest.Server, n int) {
	for len(s.Requests()) < n {
		time.Sleep(time.Millisecond)
	}
}

func TestCancelAbortsAnInFlightRequest(t *testing.T) {
	for _, name := range []string{"Start", "Check", "Status", "Cancel"} {
		t.Run(name, func(t *testing.T) {
			s, p := newPair(t)
			s.Inject(mbtest.Delay(10 * time.Second))
			ctx, cancel := context.WithCancel(bg())
			go func() { waitRequest(s, 1); cancel() }()
			var err error
			switch name {
			case "Start":
				_, err = p.Start(ctx, verifytest.Request(phone))
			case "Check":
				_, err = p.Check(ctx, id32, "123456")
			case "Status":
				_, err = p.Status(ctx, id32)
			case "Cancel":
				err = p.Cancel(ctx, id32)
			}
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, verify.ErrUnavailable)
			assert.NotContains(t, err.Error(), "123456", "the error shows the code")
			s.Close() // waits for the delayed handler: it must have seen the client go
			assert.Empty(t, s.Messages(), "the aborted Start was processed")
		})
	}
}

func TestDeadline(t *testing.T) {
	s, p := newPair(t)
	s.Inject(mbtest.Delay(10 * time.Second))
	ctx, cancel := context.WithTimeout(bg(), 20*time.Millisecond)
	defer cancel()
	_, err := p.Start(ctx, verifytest.Request(phone))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, verify.ErrUnavailable)
}

func TestHTTPClientTimeout(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	var trips atomic.Int32
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Timeout: 20 * time.Millisecond, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		trips.Add(1)
		return tr.RoundTrip(r)
	})}
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL), messagebird.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = p.Start(bg(), verifytest.Request(phone))
	require.NoError(t, err, "Start")
	require.Equal(t, int32(1), trips.Load(), "round trips through the given transport")
	// The Provider's own timeout, as the caller's deadline, matches both
	// ErrUnavailable and context.DeadlineExceeded, for each call.
	calls := map[string]func() error{
		"Start":  func() error { _, err := p.Start(bg(), verifytest.Request(phone)); return err },
		"Check":  func() error { _, err := p.Check(bg(), id32, "123456"); return err },
		"Status": func() error { _, err := p.Status(bg(), id32); return err },
		"Cancel": func() error { return p.Cancel(bg(), id32) },
	}
	for name, call := range calls {
		s.Inject(mbtest.Delay(10 * time.Second))
		err := call()
		require.ErrorIs(t, err, verify.ErrUnavailable, name)
		require.ErrorIs(t, err, context.DeadlineExceeded, name)
		assert.Contains(t, err.Error(), "no answer within 20ms", "%s: the error does not say the provider timed out", name)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNoGoroutineLeft checks that calls, aborted ones included, leave no
// goroutine behind once the idle connections are closed.
func TestNoGoroutineLeft(t *testing.T) {
	before := runtime.NumGoroutine()
	s := mbtest.NewServer()
	p, _ := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	for range 10 {
		ver, err := p.Start(bg(), verifytest.Request(phone))
		require.NoError(t, err)
		s.Inject(mbtest.Delay(10 * time.Second))
		ctx, cancel := context.WithCancel(bg())
		n := len(s.Requests())
		go func() { waitRequest(s, n+1); cancel() }()
		_, err = p.Check(ctx, ver.ID, "123456")
		cancel()
		require.ErrorIs(t, err, context.Canceled, "Check canceled in flight")
		require.ErrorIs(t, err, verify.ErrUnavailable, "Check canceled in flight")
	}
	p.CloseIdleConnections()
	s.Close()
	waitGoroutines(t, before)
}

// waitGoroutines waits until no more than n goroutines run, and fails
// after 5 seconds.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	for i := 0; runtime.NumGoroutine() > n; i++ {
		if i == 500 {
			buf := make([]byte, 1<<16)
			require.FailNowf(t, "goroutines left behind", "%d goroutines, %d before:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCancelWhileReadingTheAnswer cancels a Check after the answer's
// headers arrived, while its body is read: the call returns the
// context's error and leaves no goroutine behind.
func TestCancelWhileReadingTheAnswer(t *testing.T) {
	before := runtime.NumGoroutine()
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"id":"`))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done() // the rest never comes
	}))
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(srv.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	go func() { <-started; cancel() }()
	_, err = p.Check(ctx, id32, "123456")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, verify.ErrUnavailable)
	p.CloseIdleConnections()
	srv.Close()
	waitGoroutines(t, before)
}

// TestRedirects checks that a redirect is not followed unless the
// HTTP client given says so, and never where the access key would travel
// in clear: the Verify API never redirects.
func TestRedirects(t *testing.T) {
	// target answers like the emulator and records the Authorization it
	// received.
	var gotKey atomic.Value
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(object("31612345678", "sms", "sent")))
	}))
	t.Cleanup(target.Close)
	redirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}
	secure := httptest.NewTLSServer(http.HandlerFunc(redirect))
	t.Cleanup(secure.Close)
	plain := httptest.NewServer(http.HandlerFunc(redirect))
	t.Cleanup(plain.Close)
	followAll := func(*http.Request, []*http.Request) error { return nil }
	client := func(srv *httptest.Server, check func(*http.Request, []*http.Request) error) *http.Client {
		c := *srv.Client() // a copy: Client returns the same one each time
		c.CheckRedirect = check
		return &c
	}
	tests := []struct {
		name     string
		endpoint string
		client   *http.Client // nil: the Provider's own
		followed bool
	}{
		{"https to http, own client", secure.URL, client(secure, nil), false},
		{"https to http, client that follows all", secure.URL, client(secure, followAll), false},
		{"loopback http, default client", plain.URL, nil, false},
		{"loopback http, client without CheckRedirect", plain.URL, client(plain, nil), false},
		{"loopback http to loopback http, client that follows all", plain.URL, client(plain, followAll), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotKey.Store("")
			opts := []messagebird.Option{messagebird.WithEndpoint(tt.endpoint)}
			if tt.client != nil {
				opts = append(opts, messagebird.WithHTTPClient(tt.client))
			}
			p, err := messagebird.New("live_secretkey", opts...)
			require.NoError(t, err)
			t.Cleanup(p.CloseIdleConnections)
			_, err = p.Status(bg(), id32)
			if tt.followed {
				require.NoError(t, err, "Status, want the redirect followed")
				require.Equal(t, "AccessKey live_secretkey", gotKey.Load(), "the key received, want the redirect followed")
				return
			}
			assert.Equal(t, "", gotKey.Load(), "the redirect was followed: the target received an Authorization")
			wantProviderError(t, err, verify.ErrUnavailable, http.StatusTemporaryRedirect, 0)
		})
	}
}

// TestCheckIsSentOnce checks that a check whose connection drops before
// any answer is not sent again: Go's transport would resend a GET on a
// reused connection by itself, and a second check of the right code is
// answered "already processed".
func TestCheckIsSentOnce(t *testing.T) {
	s, p := newPair(t, mbtest.WithCode("123456"))
	ver, err := p.Start(bg(), verifytest.Request(phone)) // leaves a pooled connection
	require.NoError(t, err)
	s.Inject(mbtest.Drop())
	_, err = p.Check(bg(), ver.ID, "123456")
	wantProviderError(t, err, verify.ErrUnavailable, 0, 0)
	var checks int
	for _, r := range s.Requests() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.RawQuery, "token=") {
			checks++
		}
	}
	require.Equal(t, 1, checks, "check requests one Check put on the wire")
	require.Equal(t, 1, s.Connections(), "connections one Check used")
	// A read is still resent, since it changes nothing: the lost check
	// was not processed (the emulator drops a request unprocessed).
	_, err = p.Status(bg(), ver.ID) // pools a new connection
	require.NoError(t, err)
	s.Inject(mbtest.Drop())
	got, err := p.Status(bg(), ver.ID)
	require.NoError(t, err, "Status after a dropped read, want it resent on a new connection")
	require.Equal(t, verify.StatusPending, got.Status, "Status after a dropped read")
}

// TestCheckWhoseAnswerIsLost checks the case the resend would spoil: the
// check took effect but its answer was lost. Check reports
// ErrUnavailable, not "already processed" (ErrExpired) as a resent check
// would, and Status then tells the verification went through.
func TestCheckWhoseAnswerIsLost(t *testing.T) {
	s, p := newPair(t, mbtest.WithCode("123456"))
	ver, err := p.Start(bg(), verifytest.Request(phone)) // leaves a pooled connection
	require.NoError(t, err)
	s.Inject(mbtest.DropAnswer())
	_, err = p.Check(bg(), ver.ID, "123456")
	wantProviderError(t, err, verify.ErrUnavailable, 0, 0)
	got, err := p.Status(bg(), ver.ID)
	require.NoError(t, err, "Status after the lost answer")
	require.Equal(t, verify.StatusVerified, got.Status, "Status after the lost answer")
	require.Equal(t, phone, got.Phone, "Status after the lost answer")
	assert.Len(t, s.Requests(), 3, "requests, want the start, one check and the read")
}

// TestCheckSendsNoBody checks that the check stays a plain GET on the
// wire, over HTTP/1.1 and HTTP/2: no body, no chunked encoding (over
// HTTP/2 the request ends with an empty data frame, which the server
// reads as an unknown length, -1).
func TestCheckSendsNoBody(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		type seen struct {
			proto    string
			length   int64
			encoding []string
			body     string
		}
		got := make(chan seen, 1)
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- seen{r.Proto, r.ContentLength, r.TransferEncoding, string(b)}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(object("31612345678", "tts", "verified")))
		}))
		var opts []messagebird.Option
		if h2 {
			srv.EnableHTTP2 = true
			srv.StartTLS()
			opts = append(opts, messagebird.WithHTTPClient(srv.Client()))
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		p, err := messagebird.New(mbtest.AccessKey, append(opts, messagebird.WithEndpoint(srv.URL))...)
		require.NoError(t, err)
		t.Cleanup(p.CloseIdleConnections)
		_, err = p.Check(bg(), id32, "123456")
		require.NoError(t, err)
		s := <-got
		assert.Equal(t, map[bool]string{false: "HTTP/1.1", true: "HTTP/2.0"}[h2], s.proto, "protocol")
		assert.LessOrEqual(t, s.length, int64(0), "%s: the check's Content-Length, want a plain GET", s.proto)
		assert.Nil(t, s.encoding, "%s: the check's Transfer-Encoding, want a plain GET", s.proto)
		assert.Empty(t, s.body, "%s: the check's body, want a plain GET", s.proto)
	}
}

// TestEchoedSecretsAreScrubbed checks that a description or parameter of
// MessageBird's that echoes the code, the access key or the number
// reaches neither the ProviderError nor a Verifier's log, while the
// answer still maps as it would without them.
func TestEchoedSecretsAreScrubbed(t *testing.T) {
	const code = "4817263950" // ten digits: a code of 4 could be part of another number
	key := mbtest.AccessKey
	reply := func(status, mbCode int, desc, param string) mbtest.Fault {
		return mbtest.Reply(status, "application/json", errorBody(mbCode, desc, param))
	}
	tests := []struct {
		name      string
		check     bool // Check, else Start
		fault     mbtest.Fault
		target    error
		wantDesc  string
		wantParam string
	}{
		{"code in a check answer", true, reply(422, 10, "The token "+code+" has expired.", "token="+code),
			verify.ErrExpired, "The token [code] has expired.", "token=[code]"},
		{"key in a check answer", true, reply(401, 2, "Request not allowed (incorrect access_key "+key+")", "access_key"),
			verify.ErrUnavailable, "Request not allowed (incorrect access_key [access key])", "access_key"},
		{"key and code in a 429", true, reply(429, 21, "Too many checks of "+code+" with "+key, key),
			verify.ErrRateLimited, "Too many checks of [code] with [access key]", "[access key]"},
		{"number in a start answer", false, reply(422, 10, "recipient 31612345678 (+31612345678) is invalid", "recipient"),
			verify.ErrInvalidPhone, "recipient [number] ([number]) is invalid", "recipient"},
		{"key in a start answer", false, reply(422, 2, "Key "+key+" may not send to 31612345678", "access_key"),
			verify.ErrUnavailable, "Key [access key] may not send to [number]", "access_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t, mbtest.WithCode(code))
			var log strings.Builder
			v, err := verify.New(p, verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))),
				verify.WithTokenLength(10), verify.WithResendCooldown(0))
			require.NoError(t, err)
			if tt.check {
				ver, startErr := v.Start(bg(), phone)
				require.NoError(t, startErr)
				s.Inject(tt.fault, mbtest.Reply(200, "application/json", object("31612345678", "tts", "sent")))
				_, err = v.Check(bg(), ver.ID, code)
			} else {
				s.Inject(tt.fault)
				_, err = v.Start(bg(), phone)
			}
			require.ErrorIs(t, err, tt.target)
			var pe *verify.ProviderError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.wantDesc, pe.Description, "Description")
			assert.Equal(t, tt.wantParam, pe.Parameter, "Parameter")
			for _, secret := range []string{code, key, "31612345678"} {
				assert.NotContains(t, err.Error(), secret, "the error holds a secret")
				assert.NotContains(t, log.String(), secret, "the log holds a secret")
			}
			assert.Contains(t, log.String(), tt.wantDesc, "the log does not hold the scrubbed description")
		})
	}
}

// TestResponseType checks how the type of a Verify object is read: as
// encoding/json reads a field, and as absent when it is not a string, so
// that the channel then comes from the request (SMS here).
func TestResponseType(t *testing.T) {
	withType := func(typ string) string {
		return strings.Replace(object("31612345678", "tts", "sent"), `"type":"tts"`, typ, 1)
	}
	tests := []struct {
		name string
		body string
		want verify.Channel
	}{
		{"tts", withType(`"type":"tts"`), verify.Voice},
		{"sms", withType(`"type":"sms"`), verify.SMS},
		{"flash", withType(`"type":"flash"`), verify.SMS},
		{"key in capitals", withType(`"TYPE":"tts"`), verify.Voice},
		{"escaped value", withType(`"type":"t\u0074s"`), verify.Voice},
		{"last of two", withType(`"type":"sms","type":"tts"`), verify.Voice},
		{"nested type ignored", withType(`"messages":{"type":"tts"},"x":"y"`), verify.SMS},
		{"absent", withType(`"x":"y"`), verify.SMS},
		{"null", withType(`"type":null`), verify.SMS},
		{"number", withType(`"type":1`), verify.SMS},
		{"object", withType(`"type":{"a":"tts"}`), verify.SMS},
		{"email", withType(`"type":"email"`), verify.SMS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t)
			s.Inject(mbtest.Reply(201, "application/json", tt.body))
			req := verifytest.Request(phone)
			req.Channel = verify.SMS
			ver, err := p.Start(bg(), req)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ver.Channel, "Channel")
			assert.Equal(t, id32, ver.ID, "ID")
			assert.Equal(t, phone, ver.Phone, "Phone")
			assert.Equal(t, verify.StatusPending, ver.Status, "Status")
		})
	}
}
