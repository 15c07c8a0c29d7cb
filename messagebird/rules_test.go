package messagebird_test

// Tests that pin down rules a refactor could break silently: the
// Provider's own timeout, the edges of the code length, the detail of
// the error mapping, Retry-After, and what a successful Check returns.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/verifytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOwnTimeoutUnderALaterDeadline checks that the Provider's own
// timeout bounds a call whose context ends later (a hung MessageBird
// must not hold a request for the caller's whole deadline), and that a
// sooner deadline of the caller's is the one reported. The timeout is the
// HTTP client's, so that the test does not wait 15 seconds.
func TestOwnTimeoutUnderALaterDeadline(t *testing.T) {
	tests := []struct {
		name       string
		timeout    time.Duration // the Provider's
		deadline   time.Duration // the caller's
		providers  bool          // the Provider's timeout ends the call
		wantReason string
	}{
		{"caller's deadline later", 50 * time.Millisecond, time.Hour, true, "no answer within 50ms"},
		{"caller's deadline sooner", time.Hour, 50 * time.Millisecond, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mbtest.NewServer()
			t.Cleanup(s.Close)
			p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL),
				messagebird.WithHTTPClient(&http.Client{Timeout: tt.timeout}))
			require.NoError(t, err)
			t.Cleanup(p.CloseIdleConnections)
			ctx, cancel := context.WithTimeout(bg(), tt.deadline)
			defer cancel()
			s.Inject(mbtest.Delay(time.Minute))
			_, err = p.Status(ctx, id32)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorIs(t, err, verify.ErrUnavailable)
			assert.Equal(t, tt.providers, strings.Contains(err.Error(), "no answer within"), "error %q names the Provider's timeout", err)
			if tt.providers {
				assert.Contains(t, err.Error(), tt.wantReason)
				assert.NoError(t, ctx.Err(), "the caller's context ended: the Provider's timeout did not")
			}
		})
	}
}

// TestCodeLengthEdges checks that codes of 4 and 10 digits reach
// MessageBird, and that a right 10-digit code verifies.
func TestCodeLengthEdges(t *testing.T) {
	s, p := newPair(t)
	req := verifytest.Request(phone)
	req.TokenLength = 10
	ver, err := p.Start(bg(), req)
	require.NoError(t, err)
	code, _ := s.Code(ver.ID)
	require.Len(t, code, 10, "the code the emulator sent")
	wrong := "1234"
	if strings.HasPrefix(code, wrong) {
		wrong = "4321"
	}
	_, err = p.Check(bg(), ver.ID, wrong)
	wantProviderError(t, err, verify.ErrInvalidCode, 422, 10)
	got, err := p.Check(bg(), ver.ID, code)
	require.NoError(t, err, "Check with the right 10-digit code")
	require.Equal(t, verify.StatusVerified, got.Status, "Check with the right 10-digit code")
	var checks []string
	for _, r := range s.Requests() {
		if q := r.RawQuery; strings.HasPrefix(q, "token=") {
			checks = append(checks, strings.TrimPrefix(q, "token="))
		}
	}
	assert.Equal(t, []string{wrong, code}, checks, "codes on the wire")
}

// TestCheckReturnsTheVerifiedNumber checks that a successful Check
// reports the number (E.164) and the channel from MessageBird's answer:
// a Verifier refuses a verified answer without a number.
func TestCheckReturnsTheVerifiedNumber(t *testing.T) {
	for _, ch := range []verify.Channel{verify.Voice, verify.SMS} {
		s, p := newPair(t)
		req := verifytest.Request("+4915123456789")
		req.Channel = ch
		ver, err := p.Start(bg(), req)
		require.NoError(t, err)
		code, _ := s.Code(ver.ID)
		got, err := p.Check(bg(), ver.ID, code)
		require.NoError(t, err)
		want := verify.Verification{ID: ver.ID, Phone: "+4915123456789", Channel: ch, Status: verify.StatusVerified,
			Provider: "messagebird", CreatedAt: ver.CreatedAt, ExpiresAt: ver.ExpiresAt}
		assert.Equal(t, want, *got, ch)
	}
}

// TestErrorMappingDetail pins each rule of the error mapping: the
// sentinel, the reason in the message, and the whole upstream detail.
func TestErrorMappingDetail(t *testing.T) {
	type callFn func(p *messagebird.Provider) error
	start := func(p *messagebird.Provider) error { _, err := p.Start(bg(), verifytest.Request(phone)); return err }
	check := func(p *messagebird.Provider) error { _, err := p.Check(bg(), id32, "123456"); return err }
	status := func(p *messagebird.Provider) error { _, err := p.Status(bg(), id32); return err }
	reply := func(httpStatus int, body string) mbtest.Fault {
		return mbtest.Reply(httpStatus, "application/json", body)
	}
	mbErr := func(code int, desc, param string) string { return errorBody(code, desc, param) }
	const (
		refused    = "the access key was refused"
		balance    = "not enough balance"
		server     = "server error"
		internal   = "internal server error"
		unexpected = "unexpected error answer"
	)
	tests := []struct {
		name   string
		call   callFn
		fault  mbtest.Fault
		target error
		why    string // in the message
		want   verify.ProviderError
	}{
		{"code 2 on 401", start, reply(401, mbErr(2, "Request not allowed (incorrect access_key)", "access_key")), verify.ErrUnavailable, refused,
			verify.ProviderError{HTTPStatus: 401, Code: 2, Description: "Request not allowed (incorrect access_key)", Parameter: "access_key"}},
		{"code 2 on 422", check, reply(422, mbErr(2, "Request not allowed", "access_key")), verify.ErrUnavailable, refused,
			verify.ProviderError{HTTPStatus: 422, Code: 2, Description: "Request not allowed", Parameter: "access_key"}},
		{"401 without a code", status, reply(401, `{"errors":[]}`), verify.ErrUnavailable, refused,
			verify.ProviderError{HTTPStatus: 401}},
		{"403 with code 21", start, reply(403, mbErr(21, "Forbidden", "")), verify.ErrUnavailable, refused,
			verify.ProviderError{HTTPStatus: 403, Code: 21, Description: "Forbidden"}},
		{"code 25", start, reply(402, mbErr(25, "Not enough balance", "")), verify.ErrUnavailable, balance,
			verify.ProviderError{HTTPStatus: 402, Code: 25, Description: "Not enough balance"}},
		{"code 25 on a 404 check", check, reply(404, mbErr(25, "Not enough balance", "")), verify.ErrUnavailable, balance,
			verify.ProviderError{HTTPStatus: 404, Code: 25, Description: "Not enough balance"}},
		{"code 98 on a 404 read", status, reply(404, mbErr(98, "API not found", "")), verify.ErrUnavailable, server,
			verify.ProviderError{HTTPStatus: 404, Code: 98, Description: "API not found"}},
		{"code 98 on a 404 start", start, reply(404, mbErr(98, "API not found", "")), verify.ErrUnavailable, server,
			verify.ProviderError{HTTPStatus: 404, Code: 98, Description: "API not found"}},
		{"code 98 on 400", start, reply(400, mbErr(98, "API not found", "")), verify.ErrUnavailable, server,
			verify.ProviderError{HTTPStatus: 400, Code: 98, Description: "API not found"}},
		{"code 99 on a 422 check", check, reply(422, mbErr(99, "Internal error", "")), verify.ErrUnavailable, server,
			verify.ProviderError{HTTPStatus: 422, Code: 99, Description: "Internal error"}},
		{"499", start, reply(499, mbErr(21, "Bad request", "")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 499, Code: 21, Description: "Bad request"}},
		{"500 (go-rest-api drops its body)", start, mbtest.InternalError(), verify.ErrUnavailable, internal,
			verify.ProviderError{HTTPStatus: 500}},
		{"501", start, reply(501, mbErr(21, "Not implemented", "")), verify.ErrUnavailable, server,
			verify.ProviderError{HTTPStatus: 501, Code: 21, Description: "Not implemented"}},
		{"code 20 on a start", start, reply(422, mbErr(20, "Verify object could not be found", "")), verify.ErrNotFound, "",
			verify.ProviderError{HTTPStatus: 422, Code: 20, Description: "Verify object could not be found"}},
		{"404 with code 21 on a check", check, reply(404, mbErr(21, "Not found", "")), verify.ErrNotFound, "",
			verify.ProviderError{HTTPStatus: 404, Code: 21, Description: "Not found"}},
		{"404 with code 21 on a start", start, reply(404, mbErr(21, "Not found", "")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 404, Code: 21, Description: "Not found"}},
		{"code 9 on another parameter", start, reply(422, mbErr(9, "template is required", "template")), verify.ErrInvalidOption, "MessageBird refused template",
			verify.ProviderError{HTTPStatus: 422, Code: 9, Description: "template is required", Parameter: "template"}},
		{"code 10 without a parameter on a start", start, reply(422, mbErr(10, "Invalid", "")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 422, Code: 10, Description: "Invalid"}},
		{"code 21 on a parameter of a start", start, reply(422, mbErr(21, "Bad originator", "originator")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 422, Code: 21, Description: "Bad originator", Parameter: "originator"}},
		{"code 9 on a check", check, reply(422, mbErr(9, "token is required", "token")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 422, Code: 9, Description: "token is required", Parameter: "token"}},
		{"code 10 on a read", status, reply(422, mbErr(10, "id is invalid", "id")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 422, Code: 10, Description: "id is invalid", Parameter: "id"}},
		{"code 10 on the recipient of a read", status, reply(422, mbErr(10, "recipient is invalid", "recipient")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 422, Code: 10, Description: "recipient is invalid", Parameter: "recipient"}},
		{"300", status, reply(300, mbErr(21, "Multiple choices", "")), verify.ErrUnavailable, "unexpected redirect",
			verify.ProviderError{HTTPStatus: 300}},
		{"399", status, reply(399, mbErr(21, "Odd", "")), verify.ErrUnavailable, "unexpected redirect",
			verify.ProviderError{HTTPStatus: 399}},
		{"400", status, reply(400, mbErr(21, "Bad request", "")), verify.ErrUnavailable, unexpected,
			verify.ProviderError{HTTPStatus: 400, Code: 21, Description: "Bad request"}},
		{"code 10 expired on a check", check, reply(422, mbErr(10, "The token has EXPIRED.", "token")), verify.ErrExpired, "",
			verify.ProviderError{HTTPStatus: 422, Code: 10, Description: "The token has EXPIRED.", Parameter: "token"}},
		{"recipient among several errors", start, reply(422, `{"errors":[`+
			`{"code":10,"description":"originator is invalid","parameter":"originator"},`+
			`{"code":9,"description":"recipient is required","parameter":"recipient"},`+
			`{"code":10,"description":"template is invalid","parameter":"template"}]}`), verify.ErrInvalidPhone, "",
			verify.ProviderError{HTTPStatus: 422, Code: 9, Description: "recipient is required", Parameter: "recipient"}},
		{"the first of several errors without a recipient", start, reply(422, `{"errors":[`+
			`{"code":10,"description":"originator is invalid","parameter":"originator"},`+
			`{"code":10,"description":"template is invalid","parameter":"template"}]}`), verify.ErrInvalidOption, "MessageBird refused originator",
			verify.ProviderError{HTTPStatus: 422, Code: 10, Description: "originator is invalid", Parameter: "originator"}},
		{"a start answered with a bad id", start, reply(201, strings.Replace(object("31612345678", "sms", "sent"), id32, "a/b", 1)), verify.ErrUnavailable, "malformed response: bad id",
			verify.ProviderError{HTTPStatus: 201}},
		{"429 with no errors", start, reply(429, `{"errors":[]}`), verify.ErrRateLimited, "",
			verify.ProviderError{HTTPStatus: 429}},
		{"429 with an HTML page", check, mbtest.Reply(429, "text/html", "<html>Slow down</html>"), verify.ErrRateLimited, "",
			verify.ProviderError{HTTPStatus: 429}},
		{"429 with two errors", status, reply(429, `{"errors":[{"code":21,"description":"Too many","parameter":null},{"code":9,"description":"x","parameter":"recipient"}]}`),
			verify.ErrRateLimited, "", verify.ProviderError{HTTPStatus: 429, Code: 21, Description: "Too many"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t)
			// A code 10 "invalid" or "processed" check is followed by a
			// read; an answer about another id leaves the first answer
			// to decide.
			s.Inject(tt.fault, mbtest.Reply(200, "application/json", object("31612345678", "sms", "sent")))
			err := tt.call(p)
			require.ErrorIs(t, err, tt.target)
			assert.Contains(t, err.Error(), tt.why)
			var pe *verify.ProviderError
			require.ErrorAs(t, err, &pe)
			want := tt.want
			want.Provider, want.Err = "messagebird", pe.Err
			assert.Equal(t, want, *pe)
		})
	}
}

// TestRetryAfter checks how a 429's Retry-After becomes
// RateLimitError.RetryAfter: seconds or an HTTP date, zero (retry at
// will) when it is absent, unreadable, negative or in the past, and at
// most a day.
func TestRetryAfter(t *testing.T) {
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		header   string
		min, max time.Duration
	}{
		{"", 0, 0},
		{"0", 0, 0},
		{"7", 7 * time.Second, 7 * time.Second},
		{"86400", 24 * time.Hour, 24 * time.Hour},
		{"-5", 0, 0},
		{"1.5", 0, 0},
		{"soon", 0, 0},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, 0},
		{future, 58 * time.Minute, time.Hour},
		{"9300000000", 24 * time.Hour, 24 * time.Hour}, // seconds past time.Duration's range
		{"99999999999999999999", 0, 0},                 // past int64's: unreadable
		{"90000", 24 * time.Hour, 24 * time.Hour},
		{time.Now().Add(100 * time.Hour).UTC().Format(http.TimeFormat), 24 * time.Hour, 24 * time.Hour},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.header != "" {
				w.Header().Set("Retry-After", tt.header)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(errorBody(21, "Too many requests", "")))
		}))
		p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(srv.URL))
		require.NoError(t, err)
		_, err = p.Start(bg(), verifytest.Request(phone))
		var rl *verify.RateLimitError
		if assert.ErrorAs(t, err, &rl, "Retry-After %q", tt.header) && assert.ErrorIs(t, err, verify.ErrRateLimited, "Retry-After %q", tt.header) {
			assert.GreaterOrEqual(t, rl.RetryAfter, tt.min, "Retry-After %q: RetryAfter", tt.header)
			assert.LessOrEqual(t, rl.RetryAfter, tt.max, "Retry-After %q: RetryAfter", tt.header)
			assert.Equal(t, "messagebird", rl.Limit, "Retry-After %q: Limit", tt.header)
		}
		p.CloseIdleConnections()
		srv.Close()
	}
}

// TestEdgesReachTheWire checks that the values at the edges of each
// range the Provider checks locally are sent, not refused.
func TestEdgesReachTheWire(t *testing.T) {
	t.Run("validity", func(t *testing.T) {
		for _, v := range []struct {
			validity time.Duration
			timeout  string
		}{{30 * time.Second, "30"}, {72 * time.Hour, "259200"}, {72*time.Hour - time.Millisecond, "259200"}} {
			s, p := newPair(t)
			req := verifytest.Request(phone)
			req.Validity = v.validity
			_, err := p.Start(bg(), req)
			require.NoError(t, err, "validity %v", v.validity)
			assert.Equal(t, json.Number(v.timeout), body(t, s)["timeout"], "validity %v: timeout", v.validity)
		}
	})
	t.Run("numbers of 7 and 15 digits", func(t *testing.T) {
		for _, number := range []string{"+1234567", "+123456789012345"} {
			s, p := newPair(t)
			p.Start(bg(), verifytest.Request(number)) // the emulator refuses 7 digits
			assert.Equal(t, number[1:], body(t, s)["recipient"], "recipient")
		}
	})
	t.Run("a verified 15-digit number", func(t *testing.T) {
		s, p := newPair(t)
		s.Inject(mbtest.Reply(200, "application/json", object("123456789012345", "sms", "verified")))
		ver, err := p.Check(bg(), id32, "123456")
		require.NoError(t, err)
		require.Equal(t, "+123456789012345", ver.Phone)
	})
	t.Run("ids", func(t *testing.T) {
		ids := []string{strings.Repeat("a", 64), "09AZaz", "0", "9", "a", "z", "A", "Z"}
		s, p := newPair(t)
		for _, id := range ids {
			_, err := p.Status(bg(), id)
			assert.ErrorIs(t, err, verify.ErrNotFound, "Status(%q), want MessageBird's not found", id)
		}
		assert.Len(t, s.Requests(), len(ids), "ids that reached the emulator")
	})
}

// TestScrubLongestFirst checks that a code found inside the access key,
// or a (short) key inside the code, does not leave the rest of the longer
// one in an echoed description.
func TestScrubLongestFirst(t *testing.T) {
	for _, tt := range []struct{ key, code string }{
		{"live_4817263950_Secret", "4817263950"},
		{"7263", "4817263950"},
	} {
		s := mbtest.NewServer(mbtest.WithAccessKey(tt.key))
		t.Cleanup(s.Close)
		p, err := messagebird.New(tt.key, messagebird.WithEndpoint(s.URL))
		require.NoError(t, err)
		t.Cleanup(p.CloseIdleConnections)
		s.Inject(mbtest.Reply(401, "application/json", errorBody(2, "Key "+tt.key+" refused for "+tt.code, "access_key")))
		_, err = p.Check(bg(), id32, tt.code)
		const want = "Key [access key] refused for [code]"
		var pe *verify.ProviderError
		if assert.ErrorAs(t, err, &pe, "key %q, code %q", tt.key, tt.code) {
			assert.Equal(t, want, pe.Description, "key %q, code %q", tt.key, tt.code)
		}
	}
}

// TestUnreadableAnswers checks the reason given for an answer that
// cannot be used: its media type when it is not JSON, a malformed JSON
// body, or a body cut short.
func TestUnreadableAnswers(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		why     string
	}{
		{"HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(502)
			w.Write([]byte("<html>Bad gateway</html>"))
		}, 502, "unexpected text/html response"},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(502)
			w.Write([]byte(`{"errors":[`))
		}, 502, "malformed response"},
		{"no media type", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.WriteHeader(200)
			w.Write([]byte(`{"id":`))
		}, 200, "malformed response"},
		{"body cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			w.Write([]byte(`{"id":"`))
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, 200, "reading the response: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(srv.URL))
			require.NoError(t, err)
			t.Cleanup(p.CloseIdleConnections)
			_, err = p.Status(bg(), id32)
			wantProviderError(t, err, verify.ErrUnavailable, tt.status, 0)
			assert.Contains(t, err.Error(), tt.why)
		})
	}
}

// TestCanceledBeforeTheCall checks that a call whose context has ended
// sends nothing and returns an error matching the context's error and
// verify.ErrUnavailable, as a call canceled in flight does.
func TestCanceledBeforeTheCall(t *testing.T) {
	s, p := newPair(t)
	ctx, cancel := context.WithCancel(bg())
	cancel()
	calls := map[string]func() error{
		"Start":  func() error { _, err := p.Start(ctx, verifytest.Request(phone)); return err },
		"Check":  func() error { _, err := p.Check(ctx, id32, "123456"); return err },
		"Status": func() error { _, err := p.Status(ctx, id32); return err },
		"Cancel": func() error { return p.Cancel(ctx, id32) },
	}
	for name, call := range calls {
		err := call()
		assert.ErrorIs(t, err, context.Canceled, name)
		assert.ErrorIs(t, err, verify.ErrUnavailable, name)
	}
	assert.Empty(t, s.Requests(), "requests reached the emulator")
}

// TestReadAfterAWrongCode checks when Check reads the verification after
// MessageBird refused a code, and what the read decides.
func TestReadAfterAWrongCode(t *testing.T) {
	invalid := errorBody(10, "The token is invalid.", "token")
	tests := []struct {
		name   string
		answer string // to the check, HTTP 422
		status string // of the read, "" for no read expected
		target error
	}{
		{"invalid, still sent", invalid, "sent", verify.ErrInvalidCode},
		{"invalid, now failed", invalid, "failed", verify.ErrTooManyAttempts},
		{"invalid, now expired", invalid, "expired", verify.ErrExpired},
		{"invalid, now verified", invalid, "verified", verify.ErrExpired},
		{"invalid, now deleted", invalid, "deleted", verify.ErrExpired},
		{"processed, in capitals, failed", errorBody(10, "The token has already been PROCESSED.", "token"), "failed", verify.ErrTooManyAttempts},
		{"processed, verified", errorBody(10, "The token has already been processed.", "token"), "verified", verify.ErrExpired},
		{"expired: no read", errorBody(10, "The token has expired.", "token"), "", verify.ErrExpired},
		{"another code mentioning processed: no read", errorBody(99, "The request could not be processed.", ""), "", verify.ErrUnavailable},
		{"code 9: no read", errorBody(9, "token is required", "token"), "", verify.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t)
			read := tt.status
			if read == "" {
				read = "failed" // would turn the answer into ErrTooManyAttempts
			}
			s.Inject(mbtest.Reply(422, "application/json", tt.answer), mbtest.Reply(200, "application/json", object("31612345678", "tts", read)))
			_, err := p.Check(bg(), id32, "123456")
			assert.ErrorIs(t, err, tt.target)
			wantRequests := 2
			if tt.status == "" {
				wantRequests = 1
			}
			got := s.Requests()
			if assert.Len(t, got, wantRequests, "requests, want the check and %d read(s)", wantRequests-1) && len(got) == 2 {
				assert.Empty(t, got[1].RawQuery, "the second request, want a read")
			}
		})
	}
}

// TestRedirectsNeverLeaveLoopbackInClear checks, with an HTTP client that
// follows every redirect, that a redirect from loopback to http on
// another host, or to a scheme that is not http(s), is not followed. The
// client's transport records such requests instead of sending them.
func TestRedirectsNeverLeaveLoopbackInClear(t *testing.T) {
	for _, to := range []string{"http://remote.example", "http://192.0.2.1", "ftp://127.0.0.1"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}))
		t.Cleanup(srv.Close)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		t.Cleanup(tr.CloseIdleConnections)
		var escaped []string
		hc := &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return nil },
			Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.URL.Host != strings.TrimPrefix(srv.URL, "http://") {
					escaped = append(escaped, r.URL.String())
					return nil, errors.New("not sent")
				}
				return tr.RoundTrip(r)
			}),
		}
		p, err := messagebird.New("live_secretkey", messagebird.WithEndpoint(srv.URL), messagebird.WithHTTPClient(hc))
		require.NoError(t, err)
		_, err = p.Status(bg(), id32)
		wantProviderError(t, err, verify.ErrUnavailable, http.StatusTemporaryRedirect, 0)
		assert.Empty(t, escaped, "redirect to %s: followed", to)
	}
}

// TestEndpointWithATrailingSlash checks that a base URL ending in "/"
// gives the same request paths as one without.
func TestEndpointWithATrailingSlash(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL+"/"))
	require.NoError(t, err)
	t.Cleanup(p.CloseIdleConnections)
	_, err = p.Start(bg(), verifytest.Request(phone))
	require.NoError(t, err)
	r := s.Requests()
	if assert.Len(t, r, 1, "requests, want one to /verify") {
		assert.Equal(t, "/verify", r[0].Path)
	}
}
