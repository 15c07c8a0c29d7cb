package messagebird

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	mb "github.com/messagebird/go-rest-api/v9"

	"github.com/phoneverify/verify"
)

var (
	_ mb.Client         = (*call)(nil)
	_ http.RoundTripper = (*call)(nil)
)

// defaultTimeout bounds a call whose context has no earlier deadline, as
// go-rest-api's own client does.
const defaultTimeout = 15 * time.Second

// client is what a Provider and a Sender share: the access key, the
// endpoint and the HTTP settings every call is made with.
type client struct {
	key       string
	base      string // endpoint without a trailing slash
	transport http.RoundTripper
	timeout   time.Duration
	redirect  func(*http.Request, []*http.Request) error
	jar       http.CookieJar
}

// config collects the options of New and NewSender.
type config struct {
	endpoint string
	client   *http.Client
	err      error

	// The Sender's alone (see sender.go); senderOnly names the first
	// such option given, which New refuses.
	originator string
	repeat     int
	ifMachine  string
	senderOnly string
}

// An Option configures a Provider or a Sender.
type Option interface{ apply(*config) }

type endpointOption string

// WithEndpoint sets the base URL of the API, such as the URL of an
// mbtest.Server. Default: go-rest-api's Endpoint, MessageBird's live API.
// The URL must be https, or http to a loopback address (so that the access
// key never travels in clear over a network), without query or fragment.
func WithEndpoint(baseURL string) Option { return endpointOption(baseURL) }
func (o endpointOption) apply(c *config) { c.endpoint = string(o) }

type httpClientOption struct{ c *http.Client }

// WithHTTPClient makes the Provider or Sender send its requests with the
// Transport, Timeout, CheckRedirect and Jar of c. Default: a transport of
// its own (a clone of http.DefaultTransport) and a 15 s timeout. A
// Timeout of zero leaves calls bounded by their context alone.
//
// MessageBird's APIs never redirect, so without a CheckRedirect of c's no
// redirect is followed: a 3xx answer is verify.ErrUnavailable. c's own
// CheckRedirect is kept, but the access key still never goes in clear: a
// redirect from https to http, or to http on a host that is not loopback,
// is not followed whatever it says.
func WithHTTPClient(c *http.Client) Option { return httpClientOption{c} }
func (o httpClientOption) apply(cfg *config) {
	if o.c == nil {
		cfg.err = invalidOption("WithHTTPClient(nil)")
		return
	}
	cfg.client = o.c
}

func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: messagebird: "+format, append([]any{verify.ErrInvalidOption}, args...)...)
}

// newClient checks accessKey and applies opts over the defaults of
// config. An empty or malformed key, or a bad option, gives an error
// matching verify.ErrInvalidOption; the key never appears in it.
func newClient(accessKey string, opts []Option) (client, config, error) {
	cfg := config{endpoint: mb.Endpoint, repeat: 1, ifMachine: "hangup", originator: "Code"}
	if accessKey == "" {
		return client{}, cfg, invalidOption("the access key is empty")
	}
	for i := 0; i < len(accessKey); i++ {
		if c := accessKey[i]; c <= ' ' || c >= 0x7f {
			return client{}, cfg, invalidOption("the access key has a character that is not printable ASCII")
		}
	}
	for _, o := range opts {
		if o == nil {
			return client{}, cfg, invalidOption("nil option")
		}
		o.apply(&cfg)
	}
	if cfg.err != nil {
		return client{}, cfg, cfg.err
	}
	base, err := checkEndpoint(cfg.endpoint)
	if err != nil {
		return client{}, cfg, err
	}
	cl := client{key: accessKey, base: base, timeout: defaultTimeout}
	if hc := cfg.client; hc != nil {
		cl.transport, cl.timeout, cl.redirect, cl.jar = hc.Transport, hc.Timeout, hc.CheckRedirect, hc.Jar
		if cl.transport == nil {
			cl.transport = http.DefaultTransport
		}
	} else {
		cl.transport = newTransport()
	}
	return cl, cfg, nil
}

// newTransport returns a transport of the client's own, so that its idle
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
// followed (the 3xx answer is returned) unless the client was given a
// CheckRedirect, and never to an address the access key may not travel
// to: http off loopback, or http after https.
func (cl *client) checkRedirect(req *http.Request, via []*http.Request) error {
	if cl.redirect == nil {
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
	return cl.redirect(req, via)
}

func checkEndpoint(raw string) (string, error) {
	bad := func(why string) (string, error) {
		return "", invalidOption("endpoint %s", why)
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

// closeIdleConnections closes the idle keep-alive connections of the
// client's transport.
func (cl *client) closeIdleConnections() {
	if t, ok := cl.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// bound gives ctx the client's timeout. When ctx ends sooner, its own
// deadline stays in force, and so does its cause: only the client's
// timeout has errTimeout as its cause.
func (cl *client) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if cl.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, cl.timeout, errTimeout)
}

// call is one API call: a messagebird.Client that sends go-rest-api's
// requests to the client's endpoint, under the call's context, through
// the client's shared transport, and remembers the HTTP status for error
// mapping. go-rest-api's DefaultClient does the rest.
type call struct {
	ctx        context.Context
	cl         *client
	status     int    // HTTP status of the last response, 0 before one
	ctype      string // its Content-Type
	retryAfter string // its Retry-After header
	once       bool   // the request must not be resent (see oneShot)
	code       string // the code a check sends, scrubbed from errors
	number     string // the number a start or send goes to (digits), scrubbed from errors
	text       string // the text a send delivers, scrubbed from errors
	body       body
	hc         http.Client
	dc         mb.DefaultClient
}

func (cl *client) newCall(ctx context.Context) *call {
	c := &call{ctx: ctx, cl: cl}
	c.hc = http.Client{Transport: c, CheckRedirect: cl.checkRedirect, Jar: cl.jar}
	c.dc = mb.DefaultClient{AccessKey: cl.key, HTTPClient: &c.hc}
	return c
}

// Request implements messagebird.Client: path is relative to the endpoint.
func (c *call) Request(v any, method, path string, data any) error {
	return c.dc.Request(v, method, c.cl.base+"/"+path, data)
}

// RoundTrip implements http.RoundTripper: it gives the request the call's
// context, so that canceling it aborts the request, and records the
// response's status and headers.
func (c *call) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.WithContext(c.ctx) // a copy: the caller's request is not changed
	if c.once {
		req.Body, req.GetBody, req.ContentLength = oneShot{}, nil, 0
	}
	resp, err := c.cl.transport.RoundTrip(req)
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

// maxBody is the most a response body may hold: a Verify object, a
// message object or an error answer is a few KiB at most. go-rest-api
// reads bodies whole, with no limit of its own.
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

// only reports whether s is not empty and each of its bytes is ok.
func only(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// e164 reports whether s is "+" and 7 to 15 digits, the first not zero.
func e164(s string) bool {
	return len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] != '0' && only(s[1:], isDigit)
}
