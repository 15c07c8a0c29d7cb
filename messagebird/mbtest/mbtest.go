// Package mbtest is a wire-level emulator of MessageBird's Verify API and
// of its Messages (SMS) and Voice Messages APIs, for integration tests: it
// listens on a loopback port (net/http/httptest), speaks the APIs' JSON,
// keeps verifications and messages in memory, and lets a test read the
// code or text it "sent", move its clock, inject faults and inspect the
// requests it received.
//
//	s := mbtest.NewServer()
//	t.Cleanup(s.Close)
//	p, _ := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
//	ver, _ := p.Start(ctx, req)
//	code, _ := s.Code(ver.ID)
//
// It follows the API as documented (see the facts below); the go-rest-api
// v9 client and the messagebird adapter of this module work against it
// unchanged.
//
//   - POST /verify takes JSON (or a form) with recipient (digits, as a
//     number or a string), type (sms, flash or tts), originator,
//     reference, template (must contain %token), datacoding (plain,
//     unicode or auto; default plain), voice, language (the 19
//     text-to-speech languages), timeout (30 to 259200 seconds, default 30),
//     tokenLength (6 to 10, default 6) and maxAttempts (1 to 10, default 1),
//     and answers 201 with the Verify object, status "sent". A bad value
//     gives 422 with code 10 (code 9 for a missing recipient) and the
//     parameter's name.
//   - The Verify object has a numeric recipient, href, messages,
//     createdDatetime and validUntilDatetime in RFC 3339 with "+00:00".
//   - GET /verify/{id} reads; a verification past its timeout reads as
//     "expired".
//   - GET /verify/{id}?token={code}: the right code gives 200 "verified";
//     a wrong one 422, code 10, "The token is invalid.", and after
//     maxAttempts wrong codes the status is "failed"; an empty token gives
//     200 with status "sent" and changes nothing; an expired verification
//     gives code 10 "The token has expired."; a verified or failed one
//     code 10 "The token has already been processed.".
//   - DELETE /verify/{id} answers 204 with an empty body; the object is
//     then gone: 404, code 20, "Verify object could not be found".
//   - POST /messages (an SMS) takes JSON with recipients (1 to 50
//     numbers, as digits, numbers or one comma-separated string),
//     originator (a number, or 1 to 11 letters and digits), body, type
//     (sms, binary or flash; default sms), reference, datacoding (plain,
//     unicode or auto; default plain), validity and mclass (0 or 1).
//   - POST /voicemessages (a call that reads body out) takes JSON with
//     recipients, body (at most 1,000 characters), originator (a number
//     only), reference, language (the 34 Voice Messages languages, more
//     than Verify's; default en-gb), voice (female or male; default
//     female), repeat (1 to 10; default 1), ifMachine (continue, delay or
//     hangup; default delay, as MessageBird's) and machineTimeout.
//   - Both answer 201 with the message object (recipients as JSON numbers,
//     each with status "sent"); a missing field gives 422 with code 9, a
//     bad one code 10, with the parameter's name. Sent returns what was
//     sent and LastText the last text to a number, from which a test reads
//     the code.
//   - A wrong access key gives 401, code 2, parameter access_key.
//
// Where MessageBird's documentation is silent the emulator makes a choice,
// and a test that depends on it should say so: the exact wording of error
// descriptions, the HTTP status of parameter errors (422), the answer to
// the wrong code that uses up the attempts (code 10 "The token is
// invalid.", with the status now "failed"), the answer to a code sent to a
// failed verification (code 10, "already been processed"), that email
// verifications are refused, and for the messages: the default language
// of a voice message, the range of machineTimeout (0 to 10,000 ms), that
// a reference is not checked, and that only JSON bodies are taken.
// Nothing is ever delivered, test keys behave like live keys, and there is
// no balance, no rate limit and no reportUrl callback.
//
// For tests of failure handling, Inject queues faults, each played on one
// request instead of the normal answer: InternalError (500 with code 99),
// BadGateway (502 with an HTML page), MalformedJSON (200 with a truncated
// body), LargeBody (an error body of any size), Drop (the connection
// closes without an answer), DropAnswer (the same, after the request took
// effect), Delay (a slow answer) and Reply (any status and body);
// Fault.On restricts one to a path, such as "/voicemessages". Requests
// returns every request received, and Connections
// counts the TCP connections opened, for tests of keep-alive.
//
// A Server is safe for concurrent use.
package mbtest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// AccessKey is the access key a Server accepts unless WithAccessKey says
// otherwise.
const AccessKey = "test_mbtest_access_key"

// Message is one code the Server "sent", as a create request asked for
// it, with MessageBird's defaults filled in.
type Message struct {
	// ID is the id of the verification.
	ID string
	// Recipient is the number, as digits without "+".
	Recipient string
	// Type is "sms", "flash" or "tts".
	Type string
	// Originator is the sender as requested; "Code" when none was given.
	Originator string
	// Reference is the reference as requested, "" when none was given.
	Reference string
	// Text is the template with the code in place of %token.
	Text string
	// DataCoding is "plain", "unicode" or "auto"; "plain" when none was
	// given.
	DataCoding string
	// Code is the code the verification expects.
	Code string
	// Voice is "female" or "male" (for tts; "female" when none was given).
	Voice string
	// Language is the spoken language, such as "en-gb" (for tts; "en-gb"
	// when none was given).
	Language string
	// Timeout is how long the code stays valid, in seconds (default 30).
	Timeout int
	// TokenLength is the number of digits of a random code (default 6).
	TokenLength int
	// MaxAttempts is the number of wrong codes after which the status is
	// "failed" (default 1).
	MaxAttempts int
	// SentAt is the Server's time (its clock plus Advance) at creation.
	SentAt time.Time
}

// Request is one HTTP request the Server received, kept for assertions
// whether it was answered normally, faulted or refused.
type Request struct {
	// Method is the HTTP method, such as "POST".
	Method string
	// Path is the URL path, such as "/verify/0123...".
	Path string
	// RawQuery is the URL query without "?", such as "token=123456".
	RawQuery string
	// Header holds the request headers as received, the Authorization
	// header included.
	Header http.Header
	// Body is the request body (its first MiB).
	Body []byte
}

// Server is a running emulator. Create it with NewServer and stop it with
// Close.
type Server struct {
	// URL is the base URL of the emulator, such as "http://127.0.0.1:41234",
	// to pass to messagebird.WithEndpoint.
	URL string

	srv   *httptest.Server
	key   string
	clock func() time.Time
	code  string

	mu       sync.Mutex
	offset   time.Duration
	byID     map[string]*entry
	messages []Message
	sent     []Sent
	requests []Request
	faults   []Fault
	conns    int
}

// entry is one verification the Server holds.
type entry struct {
	msg      Message
	status   string
	attempts int
	created  time.Time
	until    time.Time
}

// An Option configures a Server.
type Option interface{ apply(*Server) }

type keyOption string

// WithAccessKey sets the one access key the Server accepts. Default:
// AccessKey.
func WithAccessKey(key string) Option { return keyOption(key) }
func (o keyOption) apply(s *Server)   { s.key = string(o) }

type clockOption func() time.Time

// WithClock sets the clock that decides creation and expiry. Default:
// time.Now. Advance moves the Server's time forward from either.
func WithClock(now func() time.Time) Option { return clockOption(now) }
func (o clockOption) apply(s *Server) {
	if o != nil {
		s.clock = o
	}
}

type codeOption string

// WithCode makes every verification use code (digits) instead of a
// random code of tokenLength digits.
func WithCode(code string) Option    { return codeOption(code) }
func (o codeOption) apply(s *Server) { s.code = string(o) }

// NewServer starts an emulator on a loopback port. Call Close when done,
// for example with t.Cleanup(s.Close).
func NewServer(opts ...Option) *Server {
	s := &Server{key: AccessKey, clock: time.Now, byID: make(map[string]*entry)}
	for _, o := range opts {
		if o != nil {
			o.apply(s)
		}
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
		}
	}
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Close shuts the Server down, closing its connections, and waits for
// the requests in progress.
func (s *Server) Close() { s.srv.Close() }

// Advance moves the Server's clock forward by d.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

// now returns the Server's time; s.mu must be held.
func (s *Server) now() time.Time { return s.clock().Add(s.offset) }

// Code returns the code of the verification id, while it exists.
func (s *Server) Code(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byID[id]; e != nil {
		return e.msg.Code, true
	}
	return "", false
}

// LastCode returns the code most recently sent to recipient, given as
// digits or in E.164 ("+31612345678").
func (s *Server) LastCode(recipient string) (string, bool) {
	recipient = strings.TrimPrefix(recipient, "+")
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.messages) - 1; i >= 0; i-- {
		if s.messages[i].Recipient == recipient {
			return s.messages[i].Code, true
		}
	}
	return "", false
}

// Messages returns every message sent, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Requests returns every request received, oldest first, faulted ones
// included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Connections returns how many TCP connections clients opened to the
// Server so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// serveHTTP records the request, then plays the next fault queued, if
// any, or answers as the API does.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body,
	})
	var f Fault
	i := slices.IndexFunc(s.faults, func(f Fault) bool { return f.matches(r.URL.Path) })
	faulted := i >= 0
	if faulted {
		f = s.faults[i]
		s.faults = slices.Delete(s.faults, i, i+1)
	}
	s.mu.Unlock()
	serve := func(w http.ResponseWriter) { s.serveAPI(w, r, body) }
	if faulted {
		f.play(w, r, serve)
	} else {
		serve(w)
	}
}
