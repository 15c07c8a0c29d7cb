package twilio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	verifyv2 "github.com/twilio/twilio-go/rest/verify/v2"

	"github.com/phoneverify/verify"
)

// providerName is the Provider field of the errors and verifications of
// this package.
const providerName = "twilio"

// defaultTimeout bounds a call whose context has no earlier deadline.
const defaultTimeout = 15 * time.Second

// errTimeout is the cause of a call's context when the client's own
// timeout ended it, as opposed to the caller's context.
var errTimeout = errors.New("twilio: timeout")

// An Option configures a Provider or a Sender.
type Option interface{ apply(*config) }

type config struct {
	client     *http.Client
	endpoint   *url.URL // WithEndpoint; nil for Twilio's own hosts
	now        func() time.Time
	services   map[int]string // code length to Service SID, beside the main one
	length     int            // the main Service's code length
	store      verify.LimitStore
	validity   time.Duration
	err        error
	only       string // the last option given that a Provider takes and a Sender does not
	calls      bool   // WithUnscreenedCalls
	senderOnly string // the last option given that a Sender takes and a Provider does not
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// newConfig applies opts to cfg, the defaults, and returns it, or the
// error of a bad option (of the last bad one).
func newConfig(cfg config, opts []Option) (config, error) {
	for _, o := range opts {
		if o == nil {
			return cfg, optionError("nil option")
		}
		o.apply(&cfg)
	}
	return cfg, cfg.err
}

func optionError(format string, args ...any) error {
	return fmt.Errorf("%w: twilio: "+format, append([]any{verify.ErrInvalidOption}, args...)...)
}

// WithHTTPClient makes every request, to any Twilio host, go through c:
// its Transport and its Timeout. Default: a transport of the client's own
// (a clone of http.DefaultTransport) and a 15 s timeout; a Timeout of
// zero leaves calls bounded by their context alone. Redirects are never
// followed, whatever c's CheckRedirect says: Twilio's REST API does not
// redirect, and Go's client would repeat the auth token. Pass a
// twiliotest.Server's Client to talk to the emulator.
func WithHTTPClient(c *http.Client) Option {
	return optionFunc(func(cfg *config) {
		if c == nil {
			cfg.err = optionError("WithHTTPClient(nil)")
		}
		cfg.client = c
	})
}

// WithEndpoint sends every request, to any Twilio host, to baseURL
// instead (its scheme and host; such as a twiliotest.Server's URL), so
// that an app can be pointed at an emulator from its configuration.
// Default: Twilio's own hosts. It goes with WithHTTPClient, whose
// transport then carries the requests to baseURL.
func WithEndpoint(baseURL string) Option {
	return optionFunc(func(cfg *config) {
		u, err := url.Parse(baseURL)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" ||
			u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
			cfg.err = optionError("WithEndpoint(%q): must be an http or https URL with a host and no path", baseURL)
			return
		}
		cfg.endpoint = u
	})
}

// endpoint sends every request to one scheme and host.
type endpoint struct {
	to   *url.URL
	next http.RoundTripper
}

func (e *endpoint) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Body, out.GetBody, out.ContentLength = req.Body, req.GetBody, req.ContentLength
	out.URL.Scheme, out.URL.Host = e.to.Scheme, e.to.Host
	out.Host = req.URL.Host // the Twilio host, as the emulator sees it
	return e.next.RoundTrip(out)
}

func (e *endpoint) CloseIdleConnections() {
	if t, ok := e.next.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// WithClock sets the clock that a Provider reads its local deadlines
// against (see New). Default: time.Now. Tests pass the emulator's Now.
// An option of New only, as are WithCodeLength, WithService,
// WithValidity and WithStore: NewSender refuses them.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(cfg *config) {
		if now == nil {
			cfg.err = optionError("WithClock(nil)")
		}
		cfg.now, cfg.only = now, "WithClock"
	})
}

// client holds what a Provider and a Sender share: the credentials, the
// transport and the timeout.
type client struct {
	account, token string
	transport      http.RoundTripper
	timeout        time.Duration
}

func newClient(accountSID, authToken string, cfg *config) (*client, error) {
	if !validSID(accountSID, "AC") {
		return nil, optionError("the account SID is not AC and 32 hexadecimal digits")
	}
	if authToken == "" || !alnum(authToken) {
		// twilio-go refuses any other token (and so would Basic auth in a URL).
		return nil, optionError("the auth token is empty or not letters and digits")
	}
	c := &client{account: accountSID, token: authToken, timeout: defaultTimeout}
	if hc := cfg.client; hc != nil {
		c.transport, c.timeout = hc.Transport, hc.Timeout
		if c.transport == nil {
			c.transport = http.DefaultTransport
		}
	} else {
		c.transport = newTransport()
	}
	if cfg.endpoint != nil {
		c.transport = &endpoint{to: cfg.endpoint, next: c.transport}
	}
	return c, nil
}

// newTransport returns a transport of the client's own, so that its idle
// connections belong to it alone.
func newTransport() *http.Transport {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t = t.Clone()
		t.MaxIdleConnsPerHost = 16
		return t
	}
	return &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true,
		MaxIdleConns: 100, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second}
}

// closeIdle closes the idle keep-alive connections of the transport.
func (c *client) closeIdle() {
	if t, ok := c.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// bound gives ctx the client's timeout, with errTimeout as its cause.
func (c *client) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, c.timeout, errTimeout)
}

// call is one API call: twilio-go's client and API services, sending
// through a RoundTripper that gives each request the call's context,
// refuses redirects, records the status and headers of the answer and
// bounds its body. twilio-go builds the requests and decodes the answers.
type call struct {
	ctx        context.Context
	c          *client
	status     int    // HTTP status of the last response, 0 before one
	ctype      string // its Content-Type
	retryAfter string // its Retry-After header
	once       bool   // the request must not be resent (see RoundTrip)
	secrets    []secret
	body       *body
	hc         http.Client
	tc         twclient.Client
	rh         twclient.RequestHandler
}

// secret is a value no error may hold, and what stands for it.
type secret struct{ value, mark string }

func (c *client) newCall(ctx context.Context) *call {
	k := &call{ctx: ctx, c: c}
	k.hc = http.Client{Transport: k, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	k.tc = twclient.Client{Credentials: twclient.NewCredentials(c.account, c.token), HTTPClient: &k.hc}
	k.tc.SetAccountSid(c.account)
	// Not twclient.NewRequestHandler: it reads TWILIO_EDGE and
	// TWILIO_REGION from the environment, which would move the requests.
	k.rh = twclient.RequestHandler{Client: &k.tc}
	k.secrets = []secret{{c.token, "[auth token]"}}
	return k
}

func (k *call) verify() *verifyv2.ApiService { return verifyv2.NewApiService(&k.rh) }
func (k *call) api() *api.ApiService         { return api.NewApiService(&k.rh) }

// RoundTrip implements http.RoundTripper.
func (k *call) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.WithContext(k.ctx) // a copy: twilio-go's request is not changed
	if k.once {
		// Without GetBody, Go's transport never sends the request again
		// by itself (as it may after a reused connection broke), and
		// neither does HTTP/2 after a refused stream.
		req.GetBody = nil
	}
	resp, err := k.c.transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	k.status = resp.StatusCode
	k.ctype = resp.Header.Get("Content-Type")
	k.retryAfter = resp.Header.Get("Retry-After")
	k.body = &body{rc: resp.Body}
	resp.Body = k.body
	return resp, nil
}

// done closes the last response's body: twilio-go leaves an error
// answer's body open.
func (k *call) done() {
	if k.body != nil {
		k.body.Close()
	}
}

// maxBody is the most a response body may hold: a Verification, a
// Message or a Call is a few KiB at most. twilio-go reads bodies with no
// limit of its own.
const maxBody = 64 << 10

// errBodyTooLarge is the read error of a body longer than maxBody.
var errBodyTooLarge = fmt.Errorf("the response body is larger than %d KiB", maxBody>>10)

// body stops reading past maxBody bytes and records a read error, which
// twilio-go would not tell apart from a malformed body.
type body struct {
	rc     io.ReadCloser
	read   int
	err    error
	closed bool
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
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

func (b *body) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	return b.rc.Close()
}

// validSID reports whether s is prefix and 32 hexadecimal digits.
func validSID(s, prefix string) bool {
	if len(s) != 34 || s[:2] != prefix {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
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

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// e164 reports whether s is "+" and 7 to 15 digits, the first not zero.
func e164(s string) bool {
	return len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] != '0' && isDigits(s[1:])
}
