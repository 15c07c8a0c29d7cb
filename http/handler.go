package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/phoneverify/verify"
)

const (
	// cookieName is the name of the cookie that carries the sealed state;
	// hostCookieName its name when the cookie is Secure for the path "/".
	cookieName     = "phoneverify"
	hostCookieName = "__Host-" + cookieName
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

// detach returns the context of a provider call made for r: r's values
// without its cancellation, bounded by providerTimeout. A browser cancels
// a request when the user clicks twice; the provider may by then have
// sent a code or accepted one, and the handler must see that through
// (run OnVerified, seal the state) rather than drop it and leave the
// second request to find the code used or the number in its cooldown.
func detach(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), providerTimeout)
}

// handler serves the pages and the JSON API. Create it with New.
type handler struct {
	v          *verify.Verifier
	sealer     *sealer
	tmpl       *template.Template
	log        *slog.Logger
	clientIP   func(*http.Request) string
	secure     secureMode
	onVerified func(http.ResponseWriter, *http.Request, *verify.Verification)
	cop        *http.CrossOriginProtection
	mux        *http.ServeMux
	now        func() time.Time
	bufs       sync.Pool
}

// New returns a handler that serves the verification pages and the JSON
// API for v, relative to where it is mounted (see the package
// documentation for the routes). WithSecret is required. Errors match
// verify.ErrInvalidOption and say which option is wrong.
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
	s, err := newSealer(cfg.secrets)
	if err != nil {
		return nil, err
	}
	tmpl, err := buildTemplates(cfg.templates)
	if err != nil {
		return nil, err
	}
	if err := checkTemplates(tmpl); err != nil {
		return nil, err
	}
	h := &handler{
		v:          v,
		sealer:     s,
		tmpl:       tmpl,
		log:        cfg.logger,
		clientIP:   cfg.clientIP,
		secure:     cfg.secure,
		onVerified: cfg.onVerified,
		cop:        http.NewCrossOriginProtection(),
		mux:        http.NewServeMux(),
		now:        time.Now,
	}
	h.bufs.New = func() any { return new(bytes.Buffer) }
	h.mux.HandleFunc("GET /{$}", h.phonePage)
	h.mux.HandleFunc("POST /{$}", h.start)
	h.mux.HandleFunc("GET /code", h.codePage)
	h.mux.HandleFunc("POST /code", h.check)
	h.mux.HandleFunc("POST /resend", h.resend)
	h.mux.HandleFunc("GET /done", h.successPage)
	h.mux.HandleFunc("POST /api/start", h.apiStart)
	h.mux.HandleFunc("POST /api/check", h.apiCheck)
	h.mux.HandleFunc("POST /api/resend", h.apiResend)
	return h, nil
}

// ServeHTTP refuses cross-origin and oversized POSTs, then routes.
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
	if r.Method == http.MethodPost {
		if err := h.cop.Check(r); err != nil {
			h.logAttrs(r.Context(), slog.LevelInfo, "verifyhttp: cross-origin request refused", slog.String("path", r.URL.Path))
			h.fail(w, r, failure{status: http.StatusForbidden, code: "cross_origin"}, nil)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	h.mux.ServeHTTP(w, r)
}

// isAPI reports whether r is a call of the JSON API.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// failure is an error as the user sees it: a status and a code.
type failure struct {
	status     int
	code       string
	reason     string        // invalid_phone: why, in English
	reasonCode string        // invalid_phone: why, as verify.PhoneError's Code
	retryAfter time.Duration // rate_limited: how long
}

// classify turns an error of the Verifier into what the user is told.
func classify(err error) failure {
	var pe *verify.PhoneError
	var rl *verify.RateLimitError
	switch {
	case errors.As(err, &pe):
		return failure{status: http.StatusUnprocessableEntity, code: "invalid_phone", reason: pe.Reason, reasonCode: pe.Code}
	case errors.Is(err, verify.ErrInvalidPhone):
		return failure{status: http.StatusUnprocessableEntity, code: "invalid_phone", reason: "this is not a phone number that can be verified"}
	case errors.Is(err, verify.ErrRateLimited):
		f := failure{status: http.StatusTooManyRequests, code: "rate_limited"}
		if errors.As(err, &rl) {
			f.retryAfter = rl.RetryAfter
		}
		return f
	case errors.Is(err, verify.ErrUnsupported):
		return failure{status: http.StatusUnprocessableEntity, code: "unsupported"}
	case errors.Is(err, verify.ErrInvalidCode):
		return failure{status: http.StatusUnprocessableEntity, code: "invalid_code"}
	case errors.Is(err, verify.ErrTooManyAttempts):
		return failure{status: http.StatusGone, code: "too_many_attempts"}
	case errors.Is(err, verify.ErrExpired), errors.Is(err, verify.ErrNotFound):
		return failure{status: http.StatusGone, code: "expired"}
	}
	return failure{status: http.StatusServiceUnavailable, code: "unavailable"}
}

// retryAfterSeconds rounds d up to whole seconds, at least one.
func retryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// pageError returns the template data for f.
func (f failure) pageError() *PageError {
	pe := &PageError{Code: f.code, Message: message(f.code), Reason: f.reason, ReasonCode: f.reasonCode}
	if f.code == "rate_limited" {
		pe.RetryAfter = retryAfterSeconds(f.retryAfter)
		pe.RetryAfterMinutes = (pe.RetryAfter + 59) / 60
	}
	return pe
}

// fail answers with f: the JSON error for the API, otherwise the page p
// (the error page when p is nil) with the error on it.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, f failure, p *Page) {
	if f.code == "rate_limited" {
		w.Header().Set("Retry-After", fmt.Sprint(retryAfterSeconds(f.retryAfter)))
	}
	if isAPI(r) {
		h.writeJSON(w, f.status, apiError{Error: apiErrorBody{
			Code: f.code, Message: message(f.code), Reason: f.reason, ReasonCode: f.reasonCode,
			RetryAfter: f.pageError().RetryAfter,
		}})
		return
	}
	if p == nil {
		p = &Page{Name: "error"}
	}
	p.Error = f.pageError()
	h.render(w, r, f.status, p)
}

// render executes the page's template and writes it with status.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, p *Page) {
	p.Status = status
	h.localize(r, p)
	buf := h.bufs.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		h.bufs.Put(buf)
	}()
	if err := h.tmpl.ExecuteTemplate(buf, p.Name, p); err != nil {
		h.logAttrs(r.Context(), slog.LevelError, "verifyhttp: template failed", slog.String("template", p.Name), slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	setPrivate(hdr)
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// setPrivate marks a response as personal: never cached, never sniffed.
func setPrivate(hdr http.Header) {
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
}

// redirect answers 303 See Other to a location relative to the mount
// point ("code", "done", "./").
func redirect(w http.ResponseWriter, to string) {
	h := w.Header()
	setPrivate(h)
	h.Set("Location", to)
	w.WriteHeader(http.StatusSeeOther)
}

// requestPath returns the path the client asked for, before any
// http.StripPrefix.
func requestPath(r *http.Request) string {
	if r.RequestURI != "" {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.Path != "" {
			return u.EscapedPath()
		}
	}
	return r.URL.EscapedPath()
}

// cookiePath is the mount point: the directory of the path the client
// asked for, since every page sits directly under it.
func cookiePath(r *http.Request) string {
	p := requestPath(r)
	return p[:strings.LastIndexByte(p, '/')+1]
}

// newState is the state of a verification just started.
func (h *handler) newState(ver *verify.Verification) *state {
	now := h.now()
	exp := ver.ExpiresAt
	if exp.IsZero() {
		exp = now.Add(defaultValidity)
	}
	return &state{ID: ver.ID, Phone: ver.Phone, Channel: ver.Channel, Expires: exp, Until: later(exp, now).Add(stateGrace)}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// cookieFor returns the Secure flag, path and name of r's state cookie.
// A Secure cookie for "/" takes the __Host- prefix, which browsers only
// accept from HTTPS, without Domain, for the path "/": no subdomain can
// set it.
func (h *handler) cookieFor(r *http.Request) (secure bool, path, name string) {
	switch h.secure {
	case secureAlways:
		secure = true
	case secureAuto:
		secure = r.TLS != nil
	}
	path, name = cookiePath(r), cookieName
	if secure && path == "/" {
		name = hostCookieName
	}
	return secure, path, name
}

// setCookie seals st into the state cookie.
func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, st *state) error {
	value, err := h.sealer.seal(st, purposeCookie)
	if err != nil {
		return err
	}
	secure, path, name := h.cookieFor(r)
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		MaxAge:   max(int(st.Until.Sub(h.now())/time.Second), 1),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// readCookie opens the state cookie. The failure says how to tell the
// user when there is none, or it cannot be trusted.
func (h *handler) readCookie(r *http.Request) (*state, *failure) {
	_, _, name := h.cookieFor(r)
	c, err := r.Cookie(name)
	if err != nil {
		return nil, &failure{status: http.StatusBadRequest, code: "session_invalid"}
	}
	st, err := h.sealer.open(c.Value, purposeCookie, h.now())
	switch {
	case errors.Is(err, errStateExpired):
		return nil, &failure{status: http.StatusGone, code: "session_expired"}
	case err != nil:
		h.logAttrs(r.Context(), slog.LevelInfo, "verifyhttp: state cookie refused", slog.String("error", err.Error()))
		return nil, &failure{status: http.StatusBadRequest, code: "session_invalid"}
	}
	return st, nil
}

// parseChannel reads a channel field; empty means def.
func parseChannel(s string, def verify.Channel) (verify.Channel, bool) {
	switch verify.Channel(s) {
	case "":
		return def, true
	case verify.Voice, verify.SMS, verify.Auto:
		return verify.Channel(s), true
	}
	return "", false
}

// formFailure is the failure for a form that cannot be parsed.
func formFailure(err error) failure {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return failure{status: http.StatusRequestEntityTooLarge, code: "too_large"}
	}
	return failure{status: http.StatusBadRequest, code: "invalid_request"}
}

// codePageFor is the code page of st.
func (h *handler) codePageFor(st *state) *Page {
	left := st.Expires.Sub(h.now())
	return &Page{
		Name: "code", Phone: st.Phone, Masked: maskForDisplay(st.Phone), Channel: st.Channel,
		ExpiresAt: st.Expires, TimeLeft: timeLeft(left), CanEnterCode: left > 0,
	}
}

// phonePage serves GET /: the phone form. A redirect after a lost state
// names the reason in the query ("?e=session_expired").
func (h *handler) phonePage(w http.ResponseWriter, r *http.Request) {
	p := &Page{Name: "phone", Channel: verify.Voice}
	switch e := r.URL.Query().Get("e"); e {
	case "session_invalid", "session_expired":
		p.Error = failure{code: e}.pageError()
	}
	h.render(w, r, http.StatusOK, p)
}

// start serves POST /: it starts a verification and redirects to the
// code page.
func (h *handler) start(w http.ResponseWriter, r *http.Request) {
	p := &Page{Name: "phone", Channel: verify.Voice}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, formFailure(err), p)
		return
	}
	p.Input = r.PostForm.Get("phone")
	ch, ok := parseChannel(r.PostForm.Get("channel"), verify.Voice)
	if !ok {
		h.fail(w, r, failure{status: http.StatusBadRequest, code: "invalid_request"}, p)
		return
	}
	p.Channel = ch
	ctx, cancel := detach(r)
	defer cancel()
	ver, err := h.v.Start(ctx, p.Input, verify.WithChannel(ch), verify.WithClientKey(h.clientKey(r)))
	if err == nil && ver.Phone == "" {
		err = errNoPhone
	}
	if err == nil {
		err = h.setCookie(w, r, h.newState(h.complete(ver, ch, "")))
	}
	if err != nil {
		f := classify(err)
		if f.code == "unsupported" {
			p.Channel = verify.Voice // offer what works
		}
		h.logFailure(r.Context(), "verifyhttp: start failed", f, err)
		h.fail(w, r, f, p)
		return
	}
	redirect(w, "code")
}

// complete fills what a provider left out of ver: the channel asked for
// and, when known, the number.
func (h *handler) complete(ver *verify.Verification, ch verify.Channel, phone string) *verify.Verification {
	if ver.Channel == "" {
		ver.Channel = ch
	}
	if ver.Phone == "" {
		ver.Phone = phone
	}
	return ver
}

// errNoPhone is the failure of a provider that started a verification
// without saying to which number: the handler will not take the number
// from the form instead.
var errNoPhone = fmt.Errorf("%w: the provider returned no number", verify.ErrUnavailable)

// codePage serves GET /code: where the code is typed.
func (h *handler) codePage(w http.ResponseWriter, r *http.Request) {
	st, f := h.readCookie(r)
	if f != nil {
		redirect(w, "./?e="+f.code)
		return
	}
	if st.Verified {
		redirect(w, "done")
		return
	}
	p := h.codePageFor(st)
	if !p.CanEnterCode {
		h.fail(w, r, failure{status: http.StatusGone, code: "expired"}, p)
		return
	}
	h.render(w, r, http.StatusOK, p)
}

// pendingForm reads the sealed state of a verification in progress and
// parses the posted form, for the POSTs of the code page. When there is
// nothing more to do — no valid state, already verified, a malformed form
// — it has answered the request and returns ok false.
func (h *handler) pendingForm(w http.ResponseWriter, r *http.Request) (st *state, p *Page, ok bool) {
	st, f := h.readCookie(r)
	if f != nil {
		h.fail(w, r, *f, &Page{Name: "phone", Channel: verify.Voice})
		return nil, nil, false
	}
	if st.Verified {
		redirect(w, "done")
		return nil, nil, false
	}
	p = h.codePageFor(st)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, formFailure(err), p)
		return nil, nil, false
	}
	return st, p, true
}

// check serves POST /code: it checks the code and, on success, runs
// OnVerified and redirects to the success page.
func (h *handler) check(w http.ResponseWriter, r *http.Request) {
	st, p, ok := h.pendingForm(w, r)
	if !ok {
		return
	}
	if !p.CanEnterCode {
		h.fail(w, r, failure{status: http.StatusGone, code: "expired"}, p)
		return
	}
	ctx, cancel := detach(r)
	defer cancel()
	ver, err := h.v.Check(ctx, st.ID, r.PostForm.Get("code"))
	if err != nil {
		h.checkFailed(ctx, w, r, st, p, err)
		return
	}
	h.verified(w, r, st, ver)
}

// checkFailed answers a failed check. When the provider says the code
// was already used, and its status says the verification succeeded, the
// check is answered as already_used (409): another request won the race
// (the other submit of a double click), or this state is sent again after
// a success, or the answer to the winning check was lost. None of these
// proves that OnVerified succeeded, so the answer never seals Verified
// nor claims success; the request that won shows success. Only that
// answer of the provider leads to a Status call: a wrong code, or the
// Verifier's own cap on checks, costs no more than the check.
func (h *handler) checkFailed(ctx context.Context, w http.ResponseWriter, r *http.Request, st *state, p *Page, err error) {
	var f failure
	if errors.Is(err, verify.ErrExpired) && h.alreadyVerified(ctx, st) {
		f = failure{status: http.StatusConflict, code: "already_used"}
	} else {
		f = classify(err)
	}
	h.logFailure(r.Context(), "verifyhttp: check failed", f, err)
	if p != nil && (f.code == "expired" || f.code == "too_many_attempts" || f.code == "already_used") {
		p.CanEnterCode = false
	}
	h.fail(w, r, f, p)
}

// alreadyVerified reports whether the provider says st's verification
// succeeded.
func (h *handler) alreadyVerified(ctx context.Context, st *state) bool {
	ver, err := h.v.Status(ctx, st.ID)
	return err == nil && ver.Status == verify.StatusVerified && (ver.Phone == "" || ver.Phone == st.Phone)
}

// succeed records a successful verification in the state cookie (pages
// only: API clients keep their token).
func (h *handler) succeed(w http.ResponseWriter, r *http.Request, st *state, phone string) error {
	if isAPI(r) {
		return nil
	}
	return h.setCookie(w, r, &state{
		ID: st.ID, Phone: phone, Channel: st.Channel, Expires: st.Expires,
		Until: h.now().Add(verifiedFor), Verified: true,
	})
}

// verified answers the one request whose check succeeded: it runs
// OnVerified, then, unless that wrote a response, seals the success and
// shows it. Success is sealed only after OnVerified returned: if it
// panics, or answers for itself (an error page, a redirect), the state
// cookie does not say verified.
//
// OnVerified runs under a context of its own: r's values without its
// cancellation (a double click must not interrupt the app's database
// write), bounded by onVerifiedTimeout from when it starts, whatever the
// provider's call took.
func (h *handler) verified(w http.ResponseWriter, r *http.Request, st *state, ver *verify.Verification) {
	ver = h.complete(ver, st.Channel, st.Phone)
	if h.onVerified != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), onVerifiedTimeout)
		defer cancel()
		tw := &trackingWriter{ResponseWriter: w}
		h.onVerified(tw, r.WithContext(ctx), ver)
		if tw.wrote {
			return
		}
	}
	if err := h.succeed(w, r, st, ver.Phone); err != nil {
		h.fail(w, r, classify(err), nil)
		return
	}
	if isAPI(r) {
		h.writeJSON(w, http.StatusOK, apiVerified{Verified: true, Phone: ver.Phone})
		return
	}
	redirect(w, "done")
}

// resend serves POST /resend: it starts a new verification of the sealed
// number, on the channel asked for, and cancels the old one.
func (h *handler) resend(w http.ResponseWriter, r *http.Request) {
	st, p, ok := h.pendingForm(w, r)
	if !ok {
		return
	}
	ch, ok := parseChannel(r.PostForm.Get("channel"), st.Channel)
	if !ok {
		h.fail(w, r, failure{status: http.StatusBadRequest, code: "invalid_request"}, p)
		return
	}
	ver, err := h.restart(r, st, ch)
	if err == nil {
		err = h.setCookie(w, r, h.newState(ver))
	}
	if err != nil {
		f := classify(err)
		h.logFailure(r.Context(), "verifyhttp: resend failed", f, err)
		h.fail(w, r, f, p)
		return
	}
	redirect(w, "code")
}

// restart starts a new verification of st's number on channel ch and
// cancels st's, whose code the user no longer needs.
func (h *handler) restart(r *http.Request, st *state, ch verify.Channel) (*verify.Verification, error) {
	ctx, cancel := detach(r)
	defer cancel()
	ver, err := h.v.Start(ctx, st.Phone, verify.WithChannel(ch), verify.WithClientKey(h.clientKey(r)))
	if err != nil {
		return nil, err
	}
	ver = h.complete(ver, ch, st.Phone)
	if err := h.v.Cancel(ctx, st.ID); err != nil && !errors.Is(err, verify.ErrUnsupported) {
		h.logAttrs(r.Context(), slog.LevelDebug, "verifyhttp: cancel of the previous verification failed", slog.String("id", st.ID), slog.String("error", err.Error()))
	}
	return ver, nil
}

// successPage serves GET /done, only after a successful check.
func (h *handler) successPage(w http.ResponseWriter, r *http.Request) {
	st, f := h.readCookie(r)
	if f != nil || !st.Verified {
		redirect(w, "./")
		return
	}
	h.render(w, r, http.StatusOK, &Page{Name: "success", Phone: st.Phone, Masked: maskForDisplay(st.Phone), Channel: st.Channel})
}

// trackingWriter records whether OnVerified wrote a response.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func (h *handler) logFailure(ctx context.Context, msg string, f failure, err error) {
	level := slog.LevelInfo
	if f.status >= 500 {
		level = slog.LevelWarn
	}
	h.logAttrs(ctx, level, msg, slog.Int("status", f.status), slog.String("error", err.Error()))
}

func (h *handler) logAttrs(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.log == nil {
		return
	}
	h.log.LogAttrs(ctx, level, msg, attrs...)
}
