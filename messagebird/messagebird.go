package messagebird

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	mb "github.com/messagebird/go-rest-api/v9"
	mbverify "github.com/messagebird/go-rest-api/v9/verify"

	"github.com/phoneverify/verify"
)

var (
	_ verify.Provider       = (*Provider)(nil)
	_ verify.StatusProvider = (*Provider)(nil)
	_ verify.Canceler       = (*Provider)(nil)
	_ mb.Client             = (*call)(nil)
	_ http.RoundTripper     = (*call)(nil)
)

// defaultTimeout bounds a call whose context has no earlier deadline, as
// go-rest-api's own client does.
const defaultTimeout = 15 * time.Second

// Provider sends and checks codes with MessageBird's Verify API. Create it
// with New; it is safe for concurrent use and keeps its connections alive
// between calls, so create one and share it.
type Provider struct {
	key       string
	base      string // endpoint without a trailing slash
	transport http.RoundTripper
	timeout   time.Duration
	redirect  func(*http.Request, []*http.Request) error
	jar       http.CookieJar
}

type config struct {
	endpoint string
	client   *http.Client
	err      error
}

// An Option configures a Provider.
type Option interface{ apply(*config) }

type endpointOption string

// WithEndpoint sets the base URL of the API, such as the URL of an
// mbtest.Server. Default: go-rest-api's Endpoint, MessageBird's live API.
// The URL must be https, or http to a loopback address (so that the access
// key never travels in clear over a network), without query or fragment.
func WithEndpoint(baseURL string) Option { return endpointOption(baseURL) }
func (o endpointOption) apply(c *config) { c.endpoint = string(o) }

type httpClientOption struct{ c *http.Client }

// WithHTTPClient makes the Provider send its requests with the Transport,
// Timeout, CheckRedirect and Jar of c. Default: a Provider's own
// transport (a clone of http.DefaultTransport) and a 15 s timeout. A
// Timeout of zero leaves calls bounded by their context alone.
//
// The Verify API never redirects, so without a CheckRedirect of c's a
// Provider follows no redirect: a 3xx answer is verify.ErrUnavailable.
// c's own CheckRedirect is kept, but the access key still never goes in
// clear: a redirect from https to http, or to http on a host that is not
// loopback, is not followed whatever it says.
func WithHTTPClient(c *http.Client) Option { return httpClientOption{c} }
func (o httpClientOption) apply(cfg *config) {
	if o.c == nil {
		cfg.err = fmt.Errorf("%w: messagebird: WithHTTPClient(nil)", verify.ErrInvalidOption)
		return
	}
	cfg.client = o.c
}

// New returns a Provider that authenticates with accessKey (a live or
// test key from MessageBird's dashboard). An empty or malformed key, or a
// bad option, gives an error matching verify.ErrInvalidOption; the key
// never appears in it.
func New(accessKey string, opts ...Option) (*Provider, error) {
	if accessKey == "" {
		return nil, fmt.Errorf("%w: messagebird: the access key is empty", verify.ErrInvalidOption)
	}
	for i := 0; i < len(accessKey); i++ {
		if c := accessKey[i]; c <= ' ' || c >= 0x7f {
			return nil, fmt.Errorf("%w: messagebird: the access key has a character that is not printable ASCII", verify.ErrInvalidOption)
		}
	}
	cfg := config{endpoint: mb.Endpoint}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: messagebird: nil option", verify.ErrInvalidOption)
		}
		o.apply(&cfg)
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	base, err := checkEndpoint(cfg.endpoint)
	if err != nil {
		return nil, err
	}
	p := &Provider{key: accessKey, base: base, timeout: defaultTimeout}
	if hc := cfg.client; hc != nil {
		p.transport, p.timeout, p.redirect, p.jar = hc.Transport, hc.Timeout, hc.CheckRedirect, hc.Jar
		if p.transport == nil {
			p.transport = http.DefaultTransport
		}
	} else {
		p.transport = newTransport()
	}
	return p, nil
}

// newTransport returns a transport of the Provider's own, so that its idle
// connections belong to it alone.
func newTransport() *http.Transport {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t = t.Clone()
		t.MaxIdleConnsPerHost = 16
		return t
	}
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
}

// cleartextOK reports whether the access key may be sent to u in clear:
// only over loopback.
func cleartextOK(u *url.URL) bool {
	host := u.Hostname()
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// checkRedirect is the CheckRedirect of every call. A redirect is not
// followed (the 3xx answer is returned) unless the Provider was given a
// CheckRedirect, and never to an address the access key may not travel
// to: http off loopback, or http after https.
func (p *Provider) checkRedirect(req *http.Request, via []*http.Request) error {
	if p.redirect == nil {
		return http.ErrUseLastResponse
	}
	switch req.URL.Scheme {
	case "https":
	case "http":
		if !cleartextOK(req.URL) {
			return http.ErrUseLastResponse
		}
		for _, r := range via {
			if r.URL.Scheme == "https" {
				return http.ErrUseLastResponse
			}
		}
	default:
		return http.ErrUseLastResponse
	}
	return p.redirect(req, via)
}

func checkEndpoint(raw string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: messagebird: endpoint %s", verify.ErrInvalidOption, why)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil { // an opaque URL has no host
		return bad("is not an absolute http(s) URL")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return bad("has a query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !cleartextOK(u) {
			return bad("uses http to a host that is not loopback: use https")
		}
	default:
		return bad("is not an absolute http(s) URL")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// CloseIdleConnections closes the idle keep-alive connections of the
// Provider's transport (that of WithHTTPClient, when given).
func (p *Provider) CloseIdleConnections() {
	if t, ok := p.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// createRequest is the body of POST /verify: go-rest-api's own request
// type has no maxAttempts.
type createRequest struct {
	Recipient   string `json:"recipient"`
	Type        string `json:"type"`
	Originator  string `json:"originator,omitempty"`
	Reference   string `json:"reference,omitempty"`
	Template    string `json:"template,omitempty"`
	DataCoding  string `json:"datacoding,omitempty"`
	Voice       string `json:"voice,omitempty"`
	Language    string `json:"language,omitempty"`
	Timeout     int    `json:"timeout,omitempty"`
	TokenLength int    `json:"tokenLength,omitempty"`
	MaxAttempts int    `json:"maxAttempts,omitempty"`
}

func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: messagebird: "+format, append([]any{verify.ErrInvalidOption}, args...)...)
}

// newCreateRequest maps req onto MessageBird's fields, refusing what
// MessageBird would refuse. A zero TokenLength, Validity or MaxAttempts
// leaves MessageBird's default (6, 30 s, 1).
func newCreateRequest(req verify.Request) (*createRequest, error) {
	if !e164(req.Phone) {
		return nil, &verify.PhoneError{Code: "format", Reason: "the number is not in international (E.164) form"}
	}
	cr := &createRequest{
		Recipient:   req.Phone[1:],
		Originator:  req.Originator,
		Reference:   req.Reference,
		Template:    req.Template,
		TokenLength: req.TokenLength,
		MaxAttempts: req.MaxAttempts,
	}
	switch req.Channel {
	case verify.Voice:
		cr.Type = "tts"
		switch req.Voice {
		case "", verify.Female, verify.Male:
		default:
			return nil, invalidOption("voice %q is not female or male", req.Voice)
		}
		cr.Voice = string(req.Voice)
		cr.Language = req.Language
	case verify.SMS:
		cr.Type = "sms"
		// MessageBird's default is plain (GSM 03.38): a template in
		// Cyrillic, CJK or with most accents would arrive garbled.
		cr.DataCoding = "auto"
	default:
		return nil, invalidOption("channel %q is not voice or sms", req.Channel)
	}
	if req.Template != "" && !strings.Contains(req.Template, "%token") {
		return nil, invalidOption("the template does not contain %%token")
	}
	if req.TokenLength != 0 && (req.TokenLength < 6 || req.TokenLength > 10) {
		return nil, invalidOption("token length %d is not within 6 to 10", req.TokenLength)
	}
	if req.MaxAttempts != 0 && (req.MaxAttempts < 1 || req.MaxAttempts > 10) {
		return nil, invalidOption("max attempts %d is not within 1 to 10", req.MaxAttempts)
	}
	if req.Validity != 0 {
		secs := math.Ceil(req.Validity.Seconds())
		if secs < 30 || secs > 259200 {
			return nil, invalidOption("validity %s is not within 30s to 72h", req.Validity)
		}
		cr.Timeout = int(secs)
	}
	return cr, nil
}

// e164 reports whether s is "+" and 7 to 15 digits, the first not zero.
func e164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	return isDigits(s[1:])
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// validID reports whether id can be a MessageBird id: 1 to 64 ASCII
// letters and digits (MessageBird's have 32). Anything else could corrupt
// the request URL, which go-rest-api builds without escaping.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// validCode reports whether code is 4 to 10 digits: go-rest-api puts it
// into the URL unescaped, and an empty code "succeeds" without an error.
func validCode(code string) bool { return len(code) >= 4 && len(code) <= 10 && isDigits(code) }

var (
	errBadID   = fmt.Errorf("%w: messagebird: malformed id (want letters and digits)", verify.ErrNotFound)
	errBadCode = fmt.Errorf("%w: messagebird: malformed code (want 4 to 10 digits)", verify.ErrInvalidCode)
)

// Start creates a verification and has MessageBird call (Voice) or text
// (SMS) its code. See the package documentation for the mapping.
func (p *Provider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	body, err := newCreateRequest(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := p.bound(ctx)
	defer cancel()
	c := p.newCall(ctx)
	c.number = body.Recipient
	var r response
	if err := c.Request(&r, http.MethodPost, "verify", body); err != nil {
		return nil, c.fail(opStart, err)
	}
	return c.verification(&r, req.Channel)
}

// Check submits code for the verification id. It succeeds only when
// MessageBird answers with status "verified".
func (p *Provider) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	if !validID(id) {
		return nil, errBadID
	}
	if !validCode(code) {
		return nil, errBadCode
	}
	ctx, cancel := p.bound(ctx)
	defer cancel()
	c := p.newCall(ctx)
	c.once, c.code = true, code
	var r response
	if err := c.Request(&r, http.MethodGet, "verify/"+id+"?token="+code, nil); err != nil {
		pe := c.fail(opCheck, err)
		if pe.Code == 10 && (pe.Err == verify.ErrInvalidCode || strings.Contains(strings.ToLower(pe.Description), "processed")) {
			p.refineWrongCode(ctx, id, pe)
		}
		return nil, pe
	}
	ver, err := c.verification(&r, "")
	if err != nil {
		return nil, err
	}
	if ver.ID != id {
		return nil, c.malformed("the answer is about another verification")
	}
	var sentinel error
	switch ver.Status {
	case verify.StatusVerified:
		return ver, nil
	case verify.StatusPending:
		sentinel = verify.ErrInvalidCode
	case verify.StatusFailed:
		sentinel = verify.ErrTooManyAttempts
	default: // expired, canceled
		sentinel = verify.ErrExpired
	}
	return nil, &verify.ProviderError{
		Provider:    providerName,
		HTTPStatus:  c.status,
		Description: "status " + r.Status + " after a check",
		Err:         sentinel,
	}
}

// refineWrongCode reads the verification after MessageBird refused a code
// as invalid, because that answer does not say whether the attempts ran
// out: when the status is now "failed", pe becomes ErrTooManyAttempts.
// When the read fails, pe stays as it is.
func (p *Provider) refineWrongCode(ctx context.Context, id string, pe *verify.ProviderError) {
	v, err := mbverify.Read(p.newCall(ctx), id)
	if err != nil {
		return
	}
	switch v.Status {
	case "failed":
		pe.Err = verify.ErrTooManyAttempts
	case "expired", "verified", "deleted":
		pe.Err = verify.ErrExpired
	}
}

// Status reads a verification.
func (p *Provider) Status(ctx context.Context, id string) (*verify.Verification, error) {
	if !validID(id) {
		return nil, errBadID
	}
	ctx, cancel := p.bound(ctx)
	defer cancel()
	c := p.newCall(ctx)
	var r response
	if err := c.Request(&r, http.MethodGet, "verify/"+id, nil); err != nil {
		return nil, c.fail(opRead, err)
	}
	ver, err := c.verification(&r, "")
	if err == nil && ver.ID != id {
		return nil, c.malformed("the answer is about another verification")
	}
	return ver, err
}

// Cancel deletes a verification at MessageBird: its code stops working
// and the id becomes unknown (ErrNotFound).
func (p *Provider) Cancel(ctx context.Context, id string) error {
	if !validID(id) {
		return errBadID
	}
	ctx, cancel := p.bound(ctx)
	defer cancel()
	c := p.newCall(ctx)
	if err := mbverify.Delete(c, id); err != nil {
		return c.fail(opDelete, err)
	}
	return nil
}

// bound gives ctx the Provider's timeout. When ctx ends sooner, its own
// deadline stays in force, and so does its cause: only the Provider's
// timeout has errTimeout as its cause.
func (p *Provider) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if p.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, p.timeout, errTimeout)
}

// response is MessageBird's Verify object: go-rest-api's type, which
// decodes numeric and string recipients, plus the type it leaves out.
type response struct {
	mbverify.Verify
	Type string
}

// UnmarshalJSON decodes b with go-rest-api's decoder, then reads "type",
// which that decoder leaves out. A type that is not a string reads as
// none, like an absent one: the channel then comes from the request.
func (r *response) UnmarshalJSON(b []byte) error {
	if err := r.Verify.UnmarshalJSON(b); err != nil {
		return err
	}
	var t struct {
		Type string `json:"type"`
	}
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal(b, &t); err != nil && !errors.As(err, &te) {
		return err
	}
	r.Type = t.Type
	return nil
}

// call is one API call: a messagebird.Client that sends go-rest-api's
// requests to the Provider's endpoint, under the call's context, through
// the Provider's shared transport, and remembers the HTTP status for error
// mapping. go-rest-api's DefaultClient does the rest.
type call struct {
	ctx        context.Context
	p          *Provider
	status     int    // HTTP status of the last response, 0 before one
	ctype      string // its Content-Type
	retryAfter string // its Retry-After header
	once       bool   // the request must not be resent (see oneShot)
	code       string // the code a check sends, scrubbed from errors
	number     string // the number a start sends (digits), scrubbed from errors
	body       body
	hc         http.Client
	dc         mb.DefaultClient
}

func (p *Provider) newCall(ctx context.Context) *call {
	c := &call{ctx: ctx, p: p}
	c.hc = http.Client{Transport: c, CheckRedirect: p.checkRedirect, Jar: p.jar}
	c.dc = mb.DefaultClient{AccessKey: p.key, HTTPClient: &c.hc}
	return c
}

// Request implements messagebird.Client: path is relative to the endpoint.
func (c *call) Request(v any, method, path string, data any) error {
	return c.dc.Request(v, method, c.p.base+"/"+path, data)
}

// RoundTrip implements http.RoundTripper: it gives the request the call's
// context, so that canceling it aborts the request, and records the
// response's status and headers.
func (c *call) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.WithContext(c.ctx) // a copy: the caller's request is not changed
	if c.once {
		req.Body, req.GetBody, req.ContentLength = oneShot{}, nil, 0
	}
	resp, err := c.p.transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	c.status = resp.StatusCode
	c.ctype = resp.Header.Get("Content-Type")
	c.retryAfter = resp.Header.Get("Retry-After")
	c.body = body{rc: resp.Body}
	resp.Body = &c.body
	return resp, nil
}

// oneShot is the empty body of a request that must not be resent: Go's
// transport resends a request by itself after a reused connection closed
// without an answer, but not one with a body it cannot rewind (no
// GetBody). Over HTTP/1.1 it sends no body, since the transport finds it
// empty before writing the request; over HTTP/2 an empty data frame ends
// the request.
type oneShot struct{}

func (oneShot) Read([]byte) (int, error) { return 0, io.EOF }
func (oneShot) Close() error             { return nil }

// maxBody is the most a response body may hold: a Verify object or an
// error answer is well under 1 KiB. go-rest-api reads bodies whole, with
// no limit of its own.
const maxBody = 64 << 10

// errBodyTooLarge is the read error of a body longer than maxBody.
var errBodyTooLarge = fmt.Errorf("the response body is larger than %d KiB", maxBody>>10)

// body records whether reading a response body failed, which go-rest-api
// would not tell apart from a malformed body, and stops reading past
// maxBody bytes.
type body struct {
	rc   io.ReadCloser
	read int // bytes read so far
	err  error
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	// One byte more than allowed tells a body of exactly maxBody apart.
	p = p[:min(len(p), maxBody-b.read+1)]
	n, err := b.rc.Read(p)
	if b.read += n; b.read > maxBody {
		b.err = errBodyTooLarge
		return n - (b.read - maxBody), b.err
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func (b *body) Close() error { return b.rc.Close() }

// malformed is the error for an answer that cannot be used.
func (c *call) malformed(why string) error {
	return &verify.ProviderError{
		Provider: providerName, HTTPStatus: c.status,
		Err: fmt.Errorf("%w: malformed response: %s", verify.ErrUnavailable, why),
	}
}

// verification converts a Verify object; ch is used when it has no type.
func (c *call) verification(r *response, ch verify.Channel) (*verify.Verification, error) {
	malformed := c.malformed
	if !validID(r.ID) {
		return nil, malformed("bad id")
	}
	digits := strings.TrimPrefix(r.Recipient, "+")
	if !e164("+" + digits) {
		return nil, malformed("recipient is not a phone number")
	}
	status, ok := mapStatus(r.Status)
	if !ok {
		return nil, malformed(fmt.Sprintf("unknown status %q", r.Status))
	}
	switch r.Type {
	case "tts":
		ch = verify.Voice
	case "sms", "flash":
		ch = verify.SMS
	}
	ver := &verify.Verification{ID: r.ID, Phone: "+" + digits, Channel: ch, Status: status}
	if r.CreatedDatetime != nil {
		ver.CreatedAt = *r.CreatedDatetime
	}
	if r.ValidUntilDatetime != nil {
		ver.ExpiresAt = *r.ValidUntilDatetime
	}
	return ver, nil
}

// mapStatus maps MessageBird's statuses to verify's.
func mapStatus(s string) (verify.Status, bool) {
	switch s {
	case "sent":
		return verify.StatusPending, true
	case "verified":
		return verify.StatusVerified, true
	case "expired":
		return verify.StatusExpired, true
	case "failed":
		return verify.StatusFailed, true
	case "deleted":
		return verify.StatusCanceled, true
	}
	return "", false
}
