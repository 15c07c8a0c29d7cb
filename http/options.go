package http

import (
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"

	"github.com/phoneverify/verify"
)

// An Option configures the handler returned by New.
type Option interface {
	apply(*config)
}

// config holds everything New is configured with.
type config struct {
	secrets     [][]byte
	onVerified  func(http.ResponseWriter, *http.Request, *verify.Verification)
	onFailure   func(*http.Request, *Failure)
	templates   *template.Template
	logger      *slog.Logger
	clientIP    func(*http.Request) string
	secure      secureMode
	continueURL string
	scope       string
	mount       string
	session     func(*http.Request) string
	challenge   Challenge
	i18n        i18nConfig
}

// secureMode says when the state cookie is marked Secure.
type secureMode int8

const (
	secureAuto   secureMode = iota // when the request came over TLS
	secureAlways                   // always
	secureNever                    // never
)

// defaults returns the configuration of a handler given no options. There
// is no default secret: WithSecret is required.
func defaults() config {
	return config{clientIP: remoteIP}
}

type secretOption [][]byte

// WithSecret sets the keys that seal the state kept in the browser's
// cookie and in the API's tokens (AES-256-GCM, with a key derived from
// each secret). It is required. Each key must have at least 32 bytes;
// generate one with `openssl rand -base64 32` and keep it out of the code.
// The first key seals; every key opens, so to rotate keys put the new one
// first and keep the old one until the states it sealed have expired (at
// most an hour after their code did). Every instance of an app must be
// given the same keys.
func WithSecret(keys ...[]byte) Option {
	cp := make([][]byte, len(keys))
	for i, k := range keys {
		cp[i] = append([]byte(nil), k...)
	}
	return secretOption(cp)
}
func (o secretOption) apply(c *config) { c.secrets = o }

type onVerifiedOption func(http.ResponseWriter, *http.Request, *verify.Verification)

// WithOnVerified sets a function called for each successful verification,
// from the request that checked the right code, with the provider's
// answer: v.Phone is the verified number in E.164. It is the one
// authoritative signal of success (the pages and the API's answers are for
// the user): store the number there, server side. It runs at most once per
// verification, even when the right code is submitted twice at once:
// exactly once, unless the provider's answer to the winning check is lost,
// and not again when it fails itself (panics, or answers with its own
// error; the user then asks for a new code). r's context is not canceled
// when the client goes away, so that a double click cannot interrupt it,
// and has a deadline of its own: 30 seconds from when the function is
// called, however long the provider's check took. It may write its own
// response, such as a redirect to the app's account page; when it writes
// nothing, the handler marks the state verified and answers as usual (the
// success page, or the API's JSON). r is a page form (r.URL.Path "/code")
// or an API call ("/api/check"). Default: none.
func WithOnVerified(f func(w http.ResponseWriter, r *http.Request, v *verify.Verification)) Option {
	return onVerifiedOption(f)
}
func (o onVerifiedOption) apply(c *config) { c.onVerified = o }

type onFailureOption func(*http.Request, *Failure)

// WithOnFailure sets a function called for each request the handler
// refuses, with why, before the handler answers it: to log or count
// refusals (f.Code), or to read the Verifier's error (errors.Is(f,
// verify.ErrRateLimited)). A failed POST of the pages calls it once, not
// again when the page it redirects to shows the failure. It must not
// write a response, nor keep r or f after it returns. Default: none.
func WithOnFailure(fn func(r *http.Request, f *Failure)) Option { return onFailureOption(fn) }
func (o onFailureOption) apply(c *config)                       { c.onFailure = o }

type templatesOption struct{ t *template.Template }

// WithTemplates replaces some or all of the default templates. Every
// template t defines by one of the names listed in the package
// documentation replaces the default of that name; the defaults fill in
// the rest and run with t's functions. t must not have been executed.
// Build it from DefaultTemplates to start from a copy of the defaults.
// Default: the embedded templates, whose texts come from the catalog
// (see WithMessages).
func WithTemplates(t *template.Template) Option { return templatesOption{t} }
func (o templatesOption) apply(c *config)       { c.templates = o.t }

type loggerOption struct{ l *slog.Logger }

// WithLogger sets a logger for the handler's structured logs: refused
// states, provider failures, template errors. Numbers are masked; codes
// and secrets are never written. Default: no logging.
func WithLogger(l *slog.Logger) Option { return loggerOption{l} }
func (o loggerOption) apply(c *config) { c.logger = o.l }

type clientIPOption func(*http.Request) string

// WithClientIP sets how the client's IP address is found, for the
// Verifier's per-client rate limit. Default: the address of the
// connection (r.RemoteAddr). Behind a reverse proxy that address is the
// proxy's, so without this option every user shares one budget: an app
// behind a proxy must set it. Headers such as X-Forwarded-For can be
// forged by anyone, so they are read only when such a function, written
// for the app's own proxy, says so:
//
//	verifyhttp.WithClientIP(func(r *http.Request) string {
//		return r.Header.Get("Fly-Client-IP") // set by the proxy, never by the client
//	})
//
// The address becomes the client's key: an IPv4 address as it is
// (IPv4-mapped IPv6 addresses too), an IPv6 address by its /64 prefix,
// since one subscriber or host usually holds a whole /64. An empty or
// unparsable answer (an IP address, or one with a port) counts as the
// client "unknown": such clients share one budget rather than escape the
// limit.
func WithClientIP(f func(*http.Request) string) Option { return clientIPOption(f) }
func (o clientIPOption) apply(c *config)               { c.clientIP = o }

type secureCookieOption bool

// WithSecureCookie sets whether the state cookie is marked Secure, so
// that the browser sends it over HTTPS only. Default: when the request
// came over TLS (r.TLS is set). Behind a proxy that terminates TLS the
// requests this server sees are plain HTTP: set true there. A site served
// over plain HTTP must not set true (except on localhost, which browsers
// treat as secure): the browser would drop the cookie. false never marks
// it. A Secure cookie is named with the __Secure- prefix
// ("__Secure-phoneverify"), which browsers accept only from HTTPS; at
// "/" with the __Host- prefix ("__Host-phoneverify"), which they also
// refuse from any other subdomain or path.
func WithSecureCookie(secure bool) Option { return secureCookieOption(secure) }
func (o secureCookieOption) apply(c *config) {
	c.secure = secureNever
	if o {
		c.secure = secureAlways
	}
}

// remoteIP returns the host part of r.RemoteAddr.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// unknownClient is the key of every client whose address is not known.
const unknownClient = "unknown"

// clientKey turns a client's address into its key for the Verifier's
// per-client limit: IPv4 as it is, IPv6 by its /64 prefix, anything else
// unknownClient.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		ap, perr := netip.ParseAddrPort(ip)
		if perr != nil {
			return unknownClient
		}
		a = ap.Addr()
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return unknownClient
	}
	return p.String()
}

type continueURLOption string

// WithContinueURL sets where the success page's "Continue" link leads,
// such as "/account"; the link goes where the app's flow goes on after a
// verified number. Default: none, and the success page shows no link.
func WithContinueURL(url string) Option     { return continueURLOption(url) }
func (o continueURLOption) apply(c *config) { c.continueURL = string(o) }

type scopeOption string

// WithScope names the handler among those that share a WithSecret key, so
// that none accepts another's state. Every sealed state (cookie or API
// token) is bound to the path the handler is mounted at and to this name:
// a handler at "/payout/" refuses the cookies and tokens of one at
// "/signup/" whatever the name. Set it when two handlers with one secret
// are mounted at the same path, say on two hosts; give every instance of
// one app the same name, so that they keep sharing state. It is not a
// secret. Default: "".
func WithScope(name string) Option    { return scopeOption(name) }
func (o scopeOption) apply(c *config) { c.scope = string(o) }

type mountPathOption string

// WithMountPath sets the path the handler is mounted at, such as
// "/verify/": the path of its cookies, and part of what binds its sealed
// state to it. It must start and end with a slash. Default: worked out
// from each request, as the path the client asked for (r.RequestURI)
// without the part the handler routes on, which http.StripPrefix and
// routers that rewrite the path keep right. A request with no RequestURI
// (one built in the process, not read by net/http's server, as some
// adapters for serverless platforms do) gives no such path: without this
// option the handler refuses it (503, logged as an error) rather than
// guess "/" and share the state of every handler mounted so.
func WithMountPath(path string) Option    { return mountPathOption(path) }
func (o mountPathOption) apply(c *config) { c.mount = string(o) }

type sessionBindingOption func(*http.Request) string

// WithSessionBinding binds the pages' sealed state (the state and flash
// cookies) to the app's own session: f returns an identifier of the
// session of r, such as the id of the signed-in user or of the app's
// session cookie, and a cookie sealed for one session does not open in
// another. Use it where another site of the same registrable domain (a
// subdomain, which may set a cookie with Domain=) or another path of this
// host can set cookies: without it such a site can plant a state cookie
// it obtained, verified for its own number, and a signed-in user who then
// reaches the pages continues that verification. The value must not
// change during a verification (a session id renewed at sign-in ends the
// verification in progress: the user starts again); requests for which f
// returns "" share one binding. API tokens are not bound: they are not
// cookies. f must be quick and safe for concurrent use. Default: none.
func WithSessionBinding(f func(r *http.Request) string) Option { return sessionBindingOption(f) }
func (o sessionBindingOption) apply(c *config)                 { c.session = o }
