// Package mbtest is a wire-level emulator of MessageBird's Verify API, for
// integration tests: it listens on a loopback port (net/http/httptest),
// speaks the API's JSON, keeps verifications in memory, and lets a test
// read the code it "sent", move its clock, inject faults and inspect the
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
//   - A wrong access key gives 401, code 2, parameter access_key.
//
// Where MessageBird's documentation is silent the emulator makes a choice,
// and a test that depends on it should say so: the exact wording of error
// descriptions, the HTTP status of parameter errors (422), the answer to
// the wrong code that uses up the attempts (code 10 "The token is
// invalid.", with the status now "failed"), the answer to a code sent to a
// failed verification (code 10, "already been processed"), and that email
// verifications are refused. Nothing is ever delivered, test keys behave
// like live keys, and there is no balance, no rate limit and no reportUrl
// callback.
//
// For tests of failure handling, Inject queues faults, each played on one
// request instead of the normal answer: InternalError (500 with code 99),
// BadGateway (502 with an HTML page), MalformedJSON (200 with a truncated
// body), LargeBody (an error body of any size), Drop (the connection
// closes without an answer), Delay (a slow answer) and Reply (any status
// and body). Requests returns every request received, and Connections
// counts the TCP connections opened, for tests of keep-alive.
//
// A Server is safe for concurrent use.
package mbtest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AccessKey is the access key a Server accepts unless WithAccessKey says
// otherwise.
const AccessKey = "test_mbtest_access_key"

// languages are the text-to-speech languages of MessageBird's Verify API,
// space-separated.
const languages = "nl-nl de-de en-gb en-us es-es fr-fr ru-ru zh-cn en-au es-mx es-us fr-ca is-is it-it ja-jp ko-kr pl-pl pt-br ro-ro"

// idAlphabet is what verification ids are made of.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// Message is one code the Server "sent".
type Message struct {
	ID          string    // the verification id
	Recipient   string    // digits, without "+"
	Type        string    // "sms", "flash" or "tts"
	Originator  string    // as requested; "Code" when none was given
	Reference   string    // as requested
	Text        string    // the template with the code in place of %token
	DataCoding  string    // "plain", "unicode" or "auto"; "plain" when none was given
	Code        string    // the code
	Voice       string    // "female" or "male" (tts)
	Language    string    // such as "en-gb" (tts)
	Timeout     int       // validity in seconds
	TokenLength int       // digits in the code
	MaxAttempts int       // wrong codes allowed
	SentAt      time.Time // the Server's clock when it was created
}

// Request is one HTTP request the Server received, for assertions.
type Request struct {
	Method   string      // such as "POST"
	Path     string      // such as "/verify/0123..."
	RawQuery string      // such as "token=123456"
	Header   http.Header // as received, the Authorization header included
	Body     []byte      // the body as received
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
	requests []Request
	faults   []Fault
	conns    int
}

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

// Fault is a failure the Server plays instead of (or before) its normal
// answer to one request. Queue faults with Inject.
type Fault struct {
	delay   time.Duration
	drop    bool
	status  int
	ctype   string
	body    string
	respond bool
	pad     int64 // spaces written before body
}

// InternalError answers 500 with MessageBird's code 99 error body.
func InternalError() Fault {
	return Reply(http.StatusInternalServerError, "application/json",
		`{"errors":[{"code":99,"description":"Internal error","parameter":null}]}`)
}

// BadGateway answers 502 with an HTML page, as a proxy in front of the
// API does.
func BadGateway() Fault {
	return Reply(http.StatusBadGateway, "text/html",
		"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
}

// MalformedJSON answers 200 with a truncated JSON body.
func MalformedJSON() Fault {
	return Reply(http.StatusOK, "application/json", `{"id":"0123456789abcdef0123456789abcdef","status":"se`)
}

// Drop closes the connection without answering. Go's http.Transport
// sends a GET or DELETE again, once, when a connection it reused closes
// before any answer: that retry is then the next request.
func Drop() Fault { return Fault{drop: true} }

// Delay waits d (real time) before answering normally. When the client
// gives up first, the request is not processed, as if it never arrived.
func Delay(d time.Duration) Fault { return Fault{delay: d} }

// Reply answers with status, content type and body as given, whatever the
// request was.
func Reply(status int, contentType, body string) Fault {
	return Fault{status: status, ctype: contentType, body: body, respond: true}
}

// LargeBody answers status with size bytes of white space and then
// MessageBird's code 10 error body ("The token is invalid."): valid JSON
// of any length, as a broken or hostile server could send. The white space
// is streamed, so the Server holds little of it in memory.
func LargeBody(status int, size int64) Fault {
	return Fault{status: status, ctype: "application/json", respond: true, pad: size,
		body: `{"errors":[{"code":10,"description":"The token is invalid.","parameter":"token"}]}`}
}

// Inject queues faults: each of the next requests plays one, in order.
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, faults...)
	s.mu.Unlock()
}

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
	faulted := len(s.faults) > 0
	if faulted {
		f = s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()

	if faulted {
		if f.delay > 0 {
			t := time.NewTimer(f.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case f.drop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
				}
			}
			return
		case f.respond:
			w.Header().Set("Content-Type", f.ctype)
			w.WriteHeader(f.status)
			if f.pad > 0 {
				pad := strings.Repeat(" ", 32<<10)
				for n := f.pad; n > 0; n -= int64(len(pad)) {
					if _, err := io.WriteString(w, pad[:min(n, int64(len(pad)))]); err != nil {
						return // the client gave up
					}
				}
			}
			io.WriteString(w, f.body)
			return
		}
	}
	s.serveAPI(w, r, body)
}

// apiError is one entry of MessageBird's error body.
type apiError struct {
	Code        int     `json:"code"`
	Description string  `json:"description"`
	Parameter   *string `json:"parameter"`
}

func writeError(w http.ResponseWriter, status, code int, desc, param string) {
	e := apiError{Code: code, Description: desc}
	if param != "" {
		e.Parameter = &param
	}
	writeJSON(w, status, struct {
		Errors []apiError `json:"errors"`
	}{[]apiError{e}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AccessKey ")
	if !ok || subtle.ConstantTimeCompare([]byte(key), []byte(s.key)) != 1 {
		writeError(w, http.StatusUnauthorized, 2, "Request not allowed (incorrect access_key)", "access_key")
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/verify" && r.Method == http.MethodPost:
		s.create(w, r, body)
	case strings.HasPrefix(path, "/verify/") && !strings.Contains(path[len("/verify/"):], "/"):
		id := path[len("/verify/"):]
		switch r.Method {
		case http.MethodGet:
			if q := r.URL.Query(); q.Has("token") {
				s.check(w, r, id, q.Get("token"))
			} else {
				s.read(w, r, id)
			}
		case http.MethodDelete:
			s.delete(w, id)
		default:
			writeError(w, http.StatusMethodNotAllowed, 21, "Bad request (method not allowed)", "")
		}
	default:
		writeError(w, http.StatusNotFound, 98, "API not found", "")
	}
}

// createParams are the fields of POST /verify.
type createParams struct {
	Recipient   json.RawMessage `json:"recipient"`
	Originator  string          `json:"originator"`
	Reference   string          `json:"reference"`
	Type        string          `json:"type"`
	Template    string          `json:"template"`
	DataCoding  string          `json:"datacoding"`
	ReportURL   string          `json:"reportUrl"`
	Voice       string          `json:"voice"`
	Language    string          `json:"language"`
	Timeout     *int            `json:"timeout"`
	TokenLength *int            `json:"tokenLength"`
	MaxAttempts *int            `json:"maxAttempts"`
}

func parseCreate(r *http.Request, body []byte) (createParams, bool) {
	var p createParams
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return p, false
		}
		if q.Has("recipient") {
			p.Recipient, _ = json.Marshal(q.Get("recipient"))
		}
		p.Originator, p.Reference, p.Type = q.Get("originator"), q.Get("reference"), q.Get("type")
		p.Template, p.DataCoding, p.ReportURL = q.Get("template"), q.Get("datacoding"), q.Get("reportUrl")
		p.Voice, p.Language = q.Get("voice"), q.Get("language")
		for name, dst := range map[string]**int{"timeout": &p.Timeout, "tokenLength": &p.TokenLength, "maxAttempts": &p.MaxAttempts} {
			if q.Has(name) {
				n, err := strconv.Atoi(q.Get(name))
				if err != nil {
					n = -1
				}
				*dst = &n
			}
		}
		return p, true
	}
	return p, json.Unmarshal(body, &p) == nil
}

// recipientDigits returns the recipient of a create request as digits:
// MessageBird takes a JSON number or a string.
func recipientDigits(raw json.RawMessage) (string, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil && n != "" {
		return string(n), true
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return "", false
	}
	return strings.TrimPrefix(str, "+"), true
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func intParam(p *int, def, lo, hi int) (int, bool) {
	if p == nil {
		return def, true
	}
	return *p, lo <= *p && *p <= hi
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, body []byte) {
	p, ok := parseCreate(r, body)
	if !ok {
		writeError(w, http.StatusBadRequest, 21, "Bad request (malformed body)", "")
		return
	}
	bad := func(param string) { writeError(w, 422, 10, param+" is invalid", param) }
	if len(p.Recipient) == 0 || string(p.Recipient) == "null" {
		writeError(w, 422, 9, "recipient is required", "recipient")
		return
	}
	recipient, ok := recipientDigits(p.Recipient)
	if !ok || !digits(recipient) || len(recipient) < 8 || len(recipient) > 15 || recipient[0] == '0' {
		bad("recipient")
		return
	}
	if p.Type == "" {
		p.Type = "sms"
	}
	if p.Type != "sms" && p.Type != "flash" && p.Type != "tts" {
		bad("type")
		return
	}
	if p.Originator == "" {
		p.Originator = "Code"
	}
	if o := strings.TrimPrefix(p.Originator, "+"); !(digits(o) && len(o) <= 15) && !(alnum(p.Originator) && len(p.Originator) <= 11) {
		bad("originator")
		return
	}
	if !alnum(p.Reference) {
		bad("reference")
		return
	}
	if p.Template == "" {
		p.Template = "Your code is: %token"
	}
	if !strings.Contains(p.Template, "%token") {
		bad("template")
		return
	}
	switch p.DataCoding {
	case "":
		p.DataCoding = "plain"
	case "plain", "unicode", "auto":
	default:
		bad("datacoding")
		return
	}
	if p.Voice == "" {
		p.Voice = "female"
	}
	if p.Voice != "female" && p.Voice != "male" {
		bad("voice")
		return
	}
	if p.Language == "" {
		p.Language = "en-gb"
	}
	if strings.ContainsAny(p.Language, " ") || !strings.Contains(" "+languages+" ", " "+p.Language+" ") {
		bad("language")
		return
	}
	timeout, ok := intParam(p.Timeout, 30, 30, 259200)
	if !ok {
		bad("timeout")
		return
	}
	tokenLength, ok := intParam(p.TokenLength, 6, 6, 10)
	if !ok {
		bad("tokenLength")
		return
	}
	maxAttempts, ok := intParam(p.MaxAttempts, 1, 1, 10)
	if !ok {
		bad("maxAttempts")
		return
	}
	code := s.code
	if code == "" {
		code = randomFrom(tokenLength, "0123456789")
	}

	s.mu.Lock()
	now := s.now().UTC().Truncate(time.Second)
	id := randomFrom(32, idAlphabet)
	for s.byID[id] != nil {
		id = randomFrom(32, idAlphabet)
	}
	e := &entry{
		msg: Message{
			ID: id, Recipient: recipient, Type: p.Type, Originator: p.Originator,
			Reference: p.Reference, Text: strings.ReplaceAll(p.Template, "%token", code), DataCoding: p.DataCoding,
			Code: code, Voice: p.Voice, Language: p.Language, Timeout: timeout,
			TokenLength: tokenLength, MaxAttempts: maxAttempts, SentAt: now,
		},
		status:  "sent",
		created: now,
		until:   now.Add(time.Duration(timeout) * time.Second),
	}
	s.byID[id] = e
	s.messages = append(s.messages, e.msg)
	obj := s.object(r, e)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, obj)
}

// verifyObject is MessageBird's Verify object.
type verifyObject struct {
	ID                 string            `json:"id"`
	Href               string            `json:"href"`
	Recipient          json.Number       `json:"recipient"`
	Reference          *string           `json:"reference"`
	Originator         string            `json:"originator"`
	Type               string            `json:"type"`
	Status             string            `json:"status"`
	Messages           map[string]string `json:"messages"`
	CreatedDatetime    string            `json:"createdDatetime"`
	ValidUntilDatetime string            `json:"validUntilDatetime"`
}

// timeLayout is RFC 3339 as MessageBird writes it, in UTC with "+00:00".
const timeLayout = "2006-01-02T15:04:05+00:00"

// object renders e, after moving it to "expired" when its time is up;
// s.mu must be held.
func (s *Server) object(r *http.Request, e *entry) verifyObject {
	s.refresh(e)
	href := "http://" + r.Host + "/verify/" + e.msg.ID
	o := verifyObject{
		ID: e.msg.ID, Href: href, Recipient: json.Number(e.msg.Recipient),
		Originator: e.msg.Originator, Type: e.msg.Type, Status: e.status,
		Messages:           map[string]string{"href": href + "/messages"},
		CreatedDatetime:    e.created.Format(timeLayout),
		ValidUntilDatetime: e.until.Format(timeLayout),
	}
	if e.msg.Reference != "" {
		ref := e.msg.Reference
		o.Reference = &ref
	}
	return o
}

// refresh moves a waiting verification past its validity to "expired";
// s.mu must be held.
func (s *Server) refresh(e *entry) {
	if e.status == "sent" && !s.now().Before(e.until) {
		e.status = "expired"
	}
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, 20, "Verify object could not be found", "")
}

func (s *Server) read(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	e := s.byID[id]
	if e == nil {
		s.mu.Unlock()
		notFound(w)
		return
	}
	obj := s.object(r, e)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj)
}

func (s *Server) check(w http.ResponseWriter, r *http.Request, id, token string) {
	s.mu.Lock()
	e := s.byID[id]
	if e == nil {
		s.mu.Unlock()
		notFound(w)
		return
	}
	s.refresh(e)
	var desc string
	switch {
	case token == "": // MessageBird answers an empty token with the object, unchanged.
	case e.status == "expired":
		desc = "The token has expired."
	case e.status == "verified" || e.status == "failed":
		desc = "The token has already been processed."
	case subtle.ConstantTimeCompare([]byte(token), []byte(e.msg.Code)) != 1:
		e.attempts++
		if e.attempts >= e.msg.MaxAttempts {
			e.status = "failed"
		}
		desc = "The token is invalid."
	default:
		e.status = "verified"
	}
	obj := s.object(r, e)
	s.mu.Unlock()
	if desc != "" {
		writeError(w, 422, 10, desc, "token")
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

func (s *Server) delete(w http.ResponseWriter, id string) {
	s.mu.Lock()
	_, ok := s.byID[id]
	delete(s.byID, id)
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// randomFrom returns n characters drawn uniformly from alphabet (shorter
// than 256 characters) with crypto/rand.
func randomFrom(n int, alphabet string) string {
	b := make([]byte, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for i := 0; i < n; {
		rand.Read(buf[:])
		for _, c := range buf {
			if int(c) < limit && i < n {
				b[i] = alphabet[int(c)%len(alphabet)]
				i++
			}
		}
	}
	return string(b)
}
