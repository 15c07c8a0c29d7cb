// Package twiliotest is a wire-level emulator of the parts of Twilio's REST
// API that the twilio package uses, for integration tests: Verify v2
// (Verifications, VerificationCheck) and the Messages and Calls resources
// of the 2010-04-01 API. It listens on a loopback port
// (net/http/httptest), takes Basic auth and form-encoded requests, answers
// Twilio's JSON and Twilio's JSON errors, keeps everything in memory, and
// lets a test read the codes it "sent", move its clock, inject faults and
// inspect the requests it received.
//
//	s := twiliotest.NewServer()
//	t.Cleanup(s.Close)
//	p, _ := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
//		twilio.WithHTTPClient(s.Client()))
//	ver, _ := p.Start(ctx, req)
//	code, _ := s.Code(ver.ID)
//
// Every Twilio host is served alike: Client returns an *http.Client whose
// transport sends every request, to any host, to the Server.
//
// It follows Twilio's documentation where it speaks:
//
//   - POST /v2/Services/{ServiceSid}/Verifications takes To (E.164),
//     Channel (sms or call), Locale (Twilio's language tags; an unknown one
//     gives 404 with code 20404, as Twilio documents), CustomFriendlyName
//     (at most 30 characters) and answers 201 with the Verification,
//     status "pending". A second start to a number with a pending
//     verification returns that verification with the same code (a new
//     send attempt); the sixth gives 429 with code 60203. A bad To gives
//     400 with code 60200, "Invalid parameter: To"; an unknown Service
//     404 with code 20404.
//   - A code has the Service's length (6 unless WithService says
//     otherwise) and stays valid for 10 minutes (WithValidity).
//   - POST /v2/Services/{ServiceSid}/VerificationCheck takes Code and
//     VerificationSid (or To): the right code answers 200 "approved"; a
//     wrong one 200 "pending"; a check after 5 checks 429 with code 60202.
//   - An approved, canceled, expired or used-up verification is gone: a
//     fetch, an update or a check of it answers 404 with code 20404, as
//     does an unknown one.
//   - GET /v2/Services/{ServiceSid}/Verifications/{Sid} reads a pending
//     one; POST to it with Status=canceled or approved changes it and
//     answers 200 with the new status.
//   - POST /2010-04-01/Accounts/{AccountSid}/Messages.json takes To, From
//     and Body, and Calls.json To, From, Twiml, MachineDetection; both
//     answer 201 with status "queued". A bad To gives 400 with code 21211;
//     a missing Body or Twiml 400 with 21602 or 21201.
//   - A wrong account SID or auth token gives 401 with code 20003.
//
// Where Twilio's documentation is silent the emulator makes a choice, and
// a test that depends on it should say so: the wording of messages, that
// a check by To finds the pending verification of that number, that the
// fifth wrong code still answers "pending" (and the next check 60202),
// that a resend keeps the verification's expiry, and that nothing is ever
// delivered. There is no Fraud Guard, no geo permission, no balance and no
// status callback; use Inject with Error for those answers.
//
// For tests of failure handling, Inject queues faults, each played on one
// request instead of the normal answer: InternalError (500), BadGateway
// (502 with an HTML page), MalformedJSON (200 with a truncated body),
// Error (any Twilio error), RateLimited (429 with Retry-After), Drop (the
// connection closes without an answer), DropAnswer (the same, after the
// request took effect), Delay (a slow answer), LargeBody and Reply.
// Requests returns every request received, Sent every code, text and call,
// and Connections counts the TCP connections opened.
//
// A Server is safe for concurrent use.
package twiliotest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The credentials and the Service a Server knows unless options say
// otherwise.
const (
	AccountSID = "AC00000000000000000000000000000001"
	AuthToken  = "twiliotest0auth0token00000000001"
	ServiceSID = "VA00000000000000000000000000000001"
)

// MaxChecks is the number of checks Twilio allows per verification.
const MaxChecks = 5

// maxSends is the number of starts to one number Twilio allows while its
// verification is pending.
const maxSends = 5

// Sent is one message the Server "sent": a Verify code, a text (Messages)
// or a call (Calls).
type Sent struct {
	// Kind is "verify", "sms" or "call".
	Kind string
	// SID is the verification's, message's or call's SID.
	SID string
	// To is the recipient in E.164.
	To string
	// From is the sender (Messages, Calls); empty for Verify.
	From string
	// Channel is "sms" or "call" (Verify).
	Channel string
	// Locale is the Locale of a Verify start, "" when none was given.
	Locale string
	// FriendlyName is the CustomFriendlyName of a Verify start.
	FriendlyName string
	// Code is the Verify code.
	Code string
	// Body is the text of a message, or the TwiML of a call.
	Body string
	// MachineDetection is the call's MachineDetection, "" when none.
	MachineDetection string
	// At is the Server's time when it was sent.
	At time.Time
}

// Request is one HTTP request the Server received, faulted and refused
// ones included.
type Request struct {
	Method string
	Host   string
	Path   string
	Form   url.Values // the form body (POST) or query (GET)
}

// Server is the emulator. Create it with NewServer and Close it.
type Server struct {
	// URL is the base URL of the server, such as "http://127.0.0.1:1234".
	URL string

	srv     *httptest.Server
	account string
	token   string

	mu       sync.Mutex
	base     time.Time // the clock: wall time at start plus advance
	advanced time.Duration
	validity time.Duration
	services map[string]int // Service SID to code length
	verifs   map[string]*verification
	latest   map[string]*verification // by Service and To, the last started
	sent     []Sent
	requests []Request
	faults   []Fault
	conns    int
	fixed    string // WithCode
}

type verification struct {
	sid, service, to, channel, locale, code string
	status                                  string // pending, approved, canceled, max_attempts_reached
	created, updated, expires               time.Time
	checks, sends                           int
	attempts                                []any // send_code_attempts
}

// An Option configures a Server.
type Option func(*Server)

// WithService adds a Verify Service whose codes have codeLength digits
// (4 to 10). ServiceSID, with 6 digits, is always there.
func WithService(sid string, codeLength int) Option {
	return func(s *Server) { s.services[sid] = codeLength }
}

// WithCode makes every new verification's code code (digits), whatever
// the Service's code length. Default: random codes.
func WithCode(code string) Option { return func(s *Server) { s.fixed = code } }

// WithValidity sets how long a code stays valid: Twilio's 10 minutes by
// default (Support can change it per Service, from 2 minutes to 24 hours).
func WithValidity(d time.Duration) Option { return func(s *Server) { s.validity = d } }

// WithCredentials sets the account SID and auth token the Server accepts.
func WithCredentials(accountSID, authToken string) Option {
	return func(s *Server) { s.account, s.token = accountSID, authToken }
}

// NewServer starts a Server on a loopback port.
func NewServer(opts ...Option) *Server {
	s := &Server{
		account: AccountSID, token: AuthToken,
		base: time.Now().UTC().Truncate(time.Second), validity: 10 * time.Minute,
		services: map[string]int{ServiceSID: 6},
		verifs:   map[string]*verification{},
		latest:   map[string]*verification{},
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
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

// Close shuts the Server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client that sends every request, to any host
// and over http or https, to the Server, and follows no redirect. Pass it
// to twilio.WithHTTPClient.
func (s *Server) Client() *http.Client {
	u, _ := url.Parse(s.URL)
	return &http.Client{
		Transport: &rewrite{host: u.Host, next: s.srv.Client().Transport},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// rewrite sends every request to one host over http.
type rewrite struct {
	host string
	next http.RoundTripper
}

func (r *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Body, out.GetBody, out.ContentLength = req.Body, req.GetBody, req.ContentLength
	out.URL.Scheme, out.URL.Host = "http", r.host
	out.Host = req.URL.Host // the Twilio host, as the server sees it
	return r.next.RoundTrip(out)
}

// CloseClientConnections closes the idle connections of Client's
// transport.
func (s *Server) CloseClientConnections() { s.srv.CloseClientConnections() }

// Now returns the Server's time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return s.base.Add(s.advanced) }

// Advance moves the Server's clock forward by d.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.advanced += d
	s.mu.Unlock()
}

// Code returns the code of the verification sid, while it is pending.
func (s *Server) Code(sid string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.verifs[sid]
	if !ok || v.status != "pending" {
		return "", false
	}
	return v.code, true
}

// Sent returns what the Server sent, oldest first.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Requests returns the requests the Server received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Connections returns the number of TCP connections opened to the Server.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// serve records r, plays a queued fault or answers normally.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Form: r.Form})
	var f *Fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil {
		f.play(w, r, func(w http.ResponseWriter) { s.answer(w, r) })
		return
	}
	s.answer(w, r)
}

// answer gives the normal answer to r.
func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	status, body := s.route(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// apiError is Twilio's JSON error body.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

func fail(status, code int, msg string) (int, any) {
	return status, apiError{Code: code, Message: msg, MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), Status: status}
}

func (s *Server) route(r *http.Request) (int, any) {
	if u, p, ok := r.BasicAuth(); !ok || u != s.account || p != s.token {
		return fail(401, 20003, "Authenticate")
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	notFound := func() (int, any) {
		return fail(404, 20404, "The requested resource "+strings.TrimPrefix(r.URL.Path, "/v2")+" was not found")
	}
	switch {
	case len(parts) >= 4 && parts[0] == "v2" && parts[1] == "Services":
		length, ok := s.services[parts[2]]
		if !ok {
			return notFound()
		}
		switch {
		case len(parts) == 4 && parts[3] == "Verifications" && r.Method == http.MethodPost:
			return s.start(r.Form, parts[2], length)
		case len(parts) == 4 && parts[3] == "VerificationCheck" && r.Method == http.MethodPost:
			return s.check(r.Form, parts[2], notFound)
		case len(parts) == 5 && parts[3] == "Verifications":
			v := s.live(parts[2], parts[4])
			if v == nil {
				return notFound()
			}
			switch r.Method {
			case http.MethodGet:
				return 200, s.resource(v)
			case http.MethodPost:
				switch st := r.Form.Get("Status"); st {
				case "canceled", "approved":
					v.status, v.updated = st, s.now()
					return 200, s.resource(v)
				default:
					return fail(400, 60200, "Invalid parameter: Status")
				}
			}
		}
	case len(parts) == 4 && parts[0] == "2010-04-01" && parts[1] == "Accounts" && r.Method == http.MethodPost:
		if parts[2] != s.account {
			return fail(401, 20003, "Authenticate")
		}
		switch parts[3] {
		case "Messages.json":
			return s.send(r.Form, "sms")
		case "Calls.json":
			return s.send(r.Form, "call")
		}
	}
	return notFound()
}

// live returns the pending verification sid of service, after expiring
// it when its time has passed; nil when there is none.
func (s *Server) live(service, sid string) *verification {
	v, ok := s.verifs[sid]
	if !ok || v.service != service {
		return nil
	}
	if v.status == "pending" && !s.now().Before(v.expires) {
		v.status = "expired"
	}
	if v.status != "pending" {
		return nil
	}
	return v
}

// pending returns the pending verification of to at service, or nil.
func (s *Server) pending(service, to string) *verification {
	if v, ok := s.latest[service+" "+to]; ok {
		return s.live(service, v.sid)
	}
	return nil
}

// locales are Twilio Verify's language tags.
var locales = []string{
	"af", "ar", "ca", "zh", "zh-CN", "zh-HK", "hr", "cs", "da", "nl", "en", "en-GB", "et", "fi", "fr",
	"de", "el", "he", "hi", "hu", "id", "it", "ja", "kn", "ko", "lt", "ms", "mr", "nb", "pl", "pt-BR",
	"pt", "ro", "ru", "sk", "es", "sv", "tl", "te", "th", "tr", "uk", "vi",
}

func (s *Server) start(f url.Values, service string, length int) (int, any) {
	to, channel, locale, name := f.Get("To"), f.Get("Channel"), f.Get("Locale"), f.Get("CustomFriendlyName")
	switch {
	case !e164(to):
		return fail(400, 60200, "Invalid parameter: To")
	case channel != "sms" && channel != "call":
		return fail(400, 60200, "Invalid parameter: Channel")
	case locale != "" && !slices.Contains(locales, locale):
		return fail(404, 20404, "The requested resource was not found")
	case len([]rune(name)) > 30:
		return fail(400, 60200, "Invalid parameter: CustomFriendlyName")
	}
	v := s.pending(service, to)
	now := s.now()
	if v == nil {
		v = &verification{sid: sid("VE"), service: service, to: to, status: "pending",
			created: now, expires: now.Add(s.validity), code: s.newCode(length)}
		s.verifs[v.sid] = v
		s.latest[service+" "+to] = v
	} else if v.sends >= maxSends {
		return fail(429, 60203, "Max send attempts reached")
	}
	v.sends++
	v.attempts = append(v.attempts, map[string]any{"time": now.Format(time.RFC3339), "channel": strings.ToUpper(channel),
		"attempt_sid": sid("VL")})
	v.channel, v.locale, v.updated = channel, locale, now
	s.sent = append(s.sent, Sent{Kind: "verify", SID: v.sid, To: to, Channel: channel, Locale: locale,
		FriendlyName: name, Code: v.code, At: now})
	return 201, s.resource(v)
}

func (s *Server) check(f url.Values, service string, notFound func() (int, any)) (int, any) {
	code := f.Get("Code")
	if code == "" {
		return fail(400, 60200, "Invalid parameter: Code")
	}
	var v *verification
	if id := f.Get("VerificationSid"); id != "" {
		v = s.live(service, id)
	} else {
		v = s.pending(service, f.Get("To"))
	}
	if v == nil {
		return notFound()
	}
	if v.checks >= MaxChecks {
		v.status = "max_attempts_reached"
		return fail(429, 60202, "Max check attempts reached")
	}
	v.checks++
	v.updated = s.now()
	if code == v.code {
		v.status = "approved"
	}
	return 200, s.resource(v)
}

func (s *Server) send(f url.Values, kind string) (int, any) {
	to, from := f.Get("To"), f.Get("From")
	body, prefix := f.Get("Body"), "SM"
	if kind == "call" {
		body, prefix = f.Get("Twiml"), "CA"
	}
	switch {
	case !e164(to):
		return fail(400, 21211, "Invalid 'To' Phone Number: "+to)
	case from == "":
		return fail(400, 21603, "The 'From' phone number is required.")
	case body == "" && kind == "sms":
		return fail(400, 21602, "Message body is required.")
	case body == "":
		return fail(400, 21201, "No 'Url' or 'Twiml' provided.")
	}
	now := s.now()
	m := Sent{Kind: kind, SID: sid(prefix), To: to, From: from, Body: body, MachineDetection: f.Get("MachineDetection"), At: now}
	s.sent = append(s.sent, m)
	return 201, map[string]any{
		"sid": m.SID, "account_sid": s.account, "to": to, "from": from, "status": "queued",
		"date_created": now.Format(time.RFC1123Z), "date_updated": now.Format(time.RFC1123Z),
	}
}

func (s *Server) resource(v *verification) map[string]any {
	return map[string]any{
		"sid": v.sid, "service_sid": v.service, "account_sid": s.account, "to": v.to,
		"channel": v.channel, "status": v.status, "valid": v.status == "approved",
		"lookup": map[string]any{}, "amount": nil, "payee": nil,
		"send_code_attempts": v.attempts, "sna": nil,
		"date_created": v.created.Format(time.RFC3339), "date_updated": v.updated.Format(time.RFC3339),
		"url": "https://verify.twilio.com/v2/Services/" + v.service + "/Verifications/" + v.sid,
	}
}

func (s *Server) newCode(length int) string {
	if s.fixed != "" {
		return s.fixed
	}
	b := make([]byte, length)
	rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10 // a test server: the slight bias does not matter
	}
	return string(b)
}

// sid returns a new SID with prefix: two letters and 32 hex digits.
func sid(prefix string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// e164 reports whether s is "+" and 7 to 15 digits, the first not zero.
func e164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
