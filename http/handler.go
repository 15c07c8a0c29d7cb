package http

// This file holds the handler itself: New, the routes, and what every
// request goes through before a route answers it. The flow a route runs
// is in flow.go; the pages answer in pages.go, the JSON API in api.go;
// failures are in failure.go, the state cookie in cookie.go.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/phoneverify/verify"
)

const (
	// maxBody bounds the body of every POST: the forms and JSON requests
	// are a few dozen bytes.
	maxBody = 4 << 10
	// stateGrace is how long after its code expired a state is still
	// accepted, so that the user can ask for a new code without typing
	// the number again.
	stateGrace = time.Hour
	// verifiedFor is how long the success page can be shown after a check.
	verifiedFor = 15 * time.Minute
	// defaultValidity stands in when a provider gives no expiry.
	defaultValidity = 10 * time.Minute
	// providerTimeout bounds a provider call made for a request. The call
	// does not end with the request: see detach.
	providerTimeout = 30 * time.Second
	// onVerifiedTimeout bounds OnVerified, counted from when it starts,
	// so that a slow provider call leaves it its whole budget.
	onVerifiedTimeout = 30 * time.Second
)

// handler serves the pages and the JSON API. Create it with New.
type handler struct {
	v          *verify.Verifier
	keys       *keys
	locales    *locales // what the user reads, in every offered language, each with its templates
	log        *slog.Logger
	clientIP   func(*http.Request) string
	secure     secureMode
	scope      string // WithScope's name, bound into every sealed value
	mount      string // WithMountPath's path; "" to work it out from each request
	session    func(*http.Request) string
	onVerified func(http.ResponseWriter, *http.Request, *verify.Verification)
	onFailure  func(*http.Request, *Failure)
	continueTo string // the success page's "Continue" link; "" for none
	example    string // the phone form's example number
	challenge  Challenge
	cop        *http.CrossOriginProtection
	mux        *http.ServeMux
	now        func() time.Time
}

// New returns a handler that serves the verification pages and the JSON
// API for v, relative to where it is mounted (see the package
// documentation for the routes). WithSecret is required. Errors match
// [verify.ErrInvalidOption] and say which option is wrong.
func New(v *verify.Verifier, opts ...Option) (http.Handler, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: verifyhttp.New: verifier is nil", verify.ErrInvalidOption)
	}
	cfg := defaults()
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: verifyhttp.New: nil option", verify.ErrInvalidOption)
		}
		o.apply(&cfg)
	}
	if cfg.clientIP == nil {
		cfg.clientIP = remoteIP
	}
	if cfg.mount != "" && (!strings.HasPrefix(cfg.mount, "/") || !strings.HasSuffix(cfg.mount, "/")) {
		return nil, fmt.Errorf("%w: verifyhttp.WithMountPath: %q must start and end with a slash", verify.ErrInvalidOption, cfg.mount)
	}
	k, err := newKeys(cfg.secrets)
	if err != nil {
		return nil, err
	}
	tmpl, err := buildTemplates(cfg.templates)
	if err != nil {
		return nil, err
	}
	ls, err := newLocales(cfg.i18n)
	if err != nil {
		return nil, err
	}
	h := &handler{
		v:          v,
		keys:       k,
		locales:    ls,
		log:        cfg.logger,
		clientIP:   cfg.clientIP,
		secure:     cfg.secure,
		scope:      cfg.scope,
		mount:      cfg.mount,
		session:    cfg.session,
		onVerified: cfg.onVerified,
		onFailure:  cfg.onFailure,
		continueTo: cfg.continueURL,
		challenge:  cfg.challenge,
		example:    exampleNumber(v.DefaultRegion()),
		cop:        http.NewCrossOriginProtection(),
		mux:        http.NewServeMux(),
		now:        time.Now,
	}
	// Each language renders with a copy of the templates whose T speaks
	// it; the first is tried with sample data, so that a mistake in a
	// replaced template shows here, not when a user first meets it.
	now := func() time.Time { return h.now() }
	for _, l := range ls.list {
		if l.pages, err = localized(tmpl, l, now); err != nil {
			return nil, err
		}
	}
	if err := checkTemplates(ls.list[0].pages); err != nil {
		return nil, err
	}
	// The pages (pages.go).
	h.mux.HandleFunc("GET /{$}", h.get(h.phonePage))
	h.mux.HandleFunc("POST /{$}", h.form(h.postPhone))
	h.mux.HandleFunc("GET /code", h.get(h.codePage))
	h.mux.HandleFunc("POST /code", h.form(h.postCode))
	h.mux.HandleFunc("POST /resend", h.form(h.postResend))
	h.mux.HandleFunc("GET /done", h.get(h.successPage))
	// The JSON API (api.go).
	h.mux.HandleFunc("POST /api/start", h.api(h.apiStart))
	h.mux.HandleFunc("POST /api/check", h.api(h.apiCheck))
	h.mux.HandleFunc("POST /api/resend", h.api(h.apiResend))
	h.mux.HandleFunc("/api/", h.apiNoRoute)
	return h, nil
}

// ServeHTTP routes the request. Each route refuses cross-origin and
// oversized POSTs itself, in its own format (see form and api).
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "" {
		// Mounted with http.StripPrefix("/verify", ...) and asked for
		// "/verify": the relative links of the pages need the slash.
		// http.Redirect would resolve the location against the stripped
		// path, so the header is written here.
		p := requestPath(r)
		w.Header().Set("Location", p[strings.LastIndexByte(p, '/')+1:]+"/")
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// get is the entry point of a GET route of the pages: it works out the
// request once (request.go) and passes it on.
func (h *handler) get(next func(*request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := h.newRequest(w, r)
		if f := h.checkMount(q); f != nil {
			h.shown(q, f.Status(), f, nil)
			return
		}
		next(q)
	}
}

// form is the entry point of a POST route of the pages: a cross-origin
// POST gets the error page, the others a bounded body.
func (h *handler) form(next func(*request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := h.newRequest(w, r)
		f := h.checkMount(q)
		if f == nil {
			f = h.checkPost(q)
		}
		if f != nil {
			h.refused(q, f)
			h.shown(q, f.Status(), f, nil)
			return
		}
		next(q)
	}
}

// api is the entry point of a route of the JSON API: a cross-origin POST
// is refused, the others get a bounded body.
func (h *handler) api(next func(*request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := h.apiRequest(w, r)
		f := h.checkMount(q)
		if f == nil {
			f = h.checkPost(q)
		}
		if f != nil {
			h.writeFailure(q, f)
			return
		}
		next(q)
	}
}

// apiRequest works out a request of the JSON API once.
func (h *handler) apiRequest(w http.ResponseWriter, r *http.Request) *request {
	q := h.newRequest(w, r)
	q.api = true
	return q
}

// errNoMount is why a request is refused whose mount point cannot be
// known.
var errNoMount = errors.New("verifyhttp: the request has no RequestURI, so the path the handler is mounted at cannot be known; set WithMountPath")

// checkMount refuses a request whose mount point cannot be known (see
// WithMountPath): its state would be bound to a guess.
func (h *handler) checkMount(q *request) *Failure {
	if q.mount != "" {
		return nil
	}
	h.logAttrs(q.r.Context(), slog.LevelError, errNoMount.Error(), slog.String("path", q.r.URL.Path))
	return &Failure{Code: Unavailable, Err: errNoMount}
}

// checkPost refuses a cross-origin POST and bounds the body of the others.
func (h *handler) checkPost(q *request) *Failure {
	if err := h.cop.Check(q.r); err != nil {
		h.logAttrs(q.r.Context(), slog.LevelInfo, "verifyhttp: cross-origin request refused", slog.String("path", q.r.URL.Path))
		return &Failure{Code: CrossOrigin, Err: err}
	}
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, maxBody)
	return nil
}

// refused hands f, why the handler refused q, to WithOnFailure's function.
func (h *handler) refused(q *request, f *Failure) {
	if h.onFailure != nil {
		h.onFailure(q.r, f)
	}
}

// detach returns the context of a provider call made for r: r's values
// without its cancellation, bounded by providerTimeout. A browser cancels
// a request when the user clicks twice; the provider may by then have
// sent a code or accepted one, and the handler must see that through
// (run OnVerified, seal the state) rather than drop it and leave the
// second request to find the code used or the number in its cooldown.
func detach(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), providerTimeout)
}

// setPrivate marks a response as personal: never cached, never sniffed.
func setPrivate(hdr http.Header) {
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
}

// logFailure logs a failed call of the Verifier: a warning when the
// provider failed, otherwise information.
func (h *handler) logFailure(ctx context.Context, msg string, f *Failure) {
	level := slog.LevelInfo
	if f.Status() >= 500 {
		level = slog.LevelWarn
	}
	h.logAttrs(ctx, level, msg, slog.Int("status", f.Status()), slog.String("error", f.Error()))
}

func (h *handler) logAttrs(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.log == nil {
		return
	}
	h.log.LogAttrs(ctx, level, msg, attrs...)
}
