package http

// This file holds the state cookie of the pages: its name, path and
// flags, and how it is written and read. The sealing is in state.go.

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// cookieName is the name of the cookie that carries the sealed state;
	// hostCookieName its name when the cookie is Secure for the path "/",
	// secureCookieName when it is Secure for a path below it.
	cookieName       = "phoneverify"
	hostCookieName   = "__Host-" + cookieName
	secureCookieName = "__Secure-" + cookieName
	// flashSuffix ends the name of the flash cookie, which carries the
	// failure of the last POST to the page it redirects to.
	flashSuffix = "-flash"
	// flashFor is how long a flash cookie lives.
	flashFor = 10 * time.Minute
)

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

// mountPath is where the handler is mounted, ending in a slash: the path
// the client asked for without the part the handler routes on (what
// http.StripPrefix left of it). It is the path of the state cookie, and
// binds sealed states to the handler that made them.
func mountPath(r *http.Request) string {
	p := requestPath(r)
	if mount, ok := strings.CutSuffix(p, r.URL.EscapedPath()); ok {
		return mount + "/"
	}
	return p[:strings.LastIndexByte(p, '/')+1]
}

// binding is the additional data that binds a state sealed for purpose to
// this handler: its WithScope name and its mount point (mountPath). A
// state sealed by another handler sharing the secret does not open here,
// whether it comes as a cookie or as a token.
func (h *handler) binding(mount, purpose string) string {
	return purpose + "\x00" + h.scope + "\x00" + mount
}

// cookieFor returns the Secure flag, path and name of r's state cookie;
// the path is r's mountPath.
// A Secure cookie takes the __Secure- prefix, which browsers only accept
// from HTTPS, and the __Host- prefix for the path "/", which they also
// accept only without Domain: no subdomain can set it.
func (h *handler) cookieFor(r *http.Request) (secure bool, path, name string) {
	switch h.secure {
	case secureAlways:
		secure = true
	case secureAuto:
		secure = r.TLS != nil
	}
	path, name = mountPath(r), cookieName
	switch {
	case secure && path == "/":
		name = hostCookieName
	case secure:
		name = secureCookieName
	}
	return secure, path, name
}

// setCookie seals st into the state cookie.
func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, st *state) error {
	return h.writeCookie(w, r, st, purposeCookie, "")
}

// setFlash seals fl into the flash cookie.
func (h *handler) setFlash(w http.ResponseWriter, r *http.Request, fl *flash) error {
	return h.writeCookie(w, r, fl, purposeFlash, flashSuffix)
}

// writeCookie seals v for purpose into the cookie whose name ends in
// suffix.
func (h *handler) writeCookie(w http.ResponseWriter, r *http.Request, v sealed, purpose, suffix string) error {
	secure, path, name := h.cookieFor(r)
	value, err := h.keys.seal(v, h.binding(path, purpose))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     name + suffix,
		Value:    value,
		Path:     path,
		MaxAge:   max(int(v.until().Sub(h.now())/time.Second), 1),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// readCookie opens the state cookie: SessionInvalid when there is none or
// it cannot be trusted, SessionExpired when it is too old. A browser may
// send several cookies of the name (one set for another path or by
// another handler): each is tried until one opens.
func (h *handler) readCookie(r *http.Request) (*state, *Failure) {
	_, path, name := h.cookieFor(r)
	ad := h.binding(path, purposeCookie)
	var f *Failure
	for _, c := range r.CookiesNamed(name) {
		st := new(state)
		err := h.keys.open(c.Value, ad, h.now(), st)
		switch {
		case err == nil:
			return st, nil
		case errors.Is(err, errStateExpired):
			f = &Failure{Code: SessionExpired, Err: err}
		case f == nil:
			h.logAttrs(r.Context(), slog.LevelInfo, "verifyhttp: state cookie refused", slog.String("error", err.Error()))
			f = &Failure{Code: SessionInvalid, Err: err}
		}
	}
	if f == nil {
		f = fail(SessionInvalid)
	}
	return nil, f
}

// readFlash returns the flash of the state with id ("" for a start), or
// nil when there is none.
func (h *handler) readFlash(r *http.Request, id string) *flash {
	_, path, name := h.cookieFor(r)
	for _, c := range r.CookiesNamed(name + flashSuffix) {
		fl := new(flash)
		if err := h.keys.open(c.Value, h.binding(path, purposeFlash), h.now(), fl); err == nil && fl.ID == id {
			return fl
		}
	}
	return nil
}

// clearFlash deletes the flash cookie, when r has one: after a start that
// succeeded, the phone form must not show the failure of an earlier one.
func (h *handler) clearFlash(w http.ResponseWriter, r *http.Request) {
	secure, path, name := h.cookieFor(r)
	if len(r.CookiesNamed(name+flashSuffix)) == 0 {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: name + flashSuffix, Path: path, MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}
