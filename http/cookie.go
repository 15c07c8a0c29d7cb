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
	// hostCookieName its name when the cookie is Secure for the path "/".
	cookieName     = "phoneverify"
	hostCookieName = "__Host-" + cookieName
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

// cookiePath is the mount point: the directory of the path the client
// asked for, since every page sits directly under it.
func cookiePath(r *http.Request) string {
	p := requestPath(r)
	return p[:strings.LastIndexByte(p, '/')+1]
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

// readCookie opens the state cookie: SessionInvalid when there is none or
// it cannot be trusted, SessionExpired when it is too old.
func (h *handler) readCookie(r *http.Request) (*state, *Failure) {
	_, _, name := h.cookieFor(r)
	c, err := r.Cookie(name)
	if err != nil {
		return nil, fail(SessionInvalid)
	}
	st, err := h.sealer.open(c.Value, purposeCookie, h.now())
	switch {
	case errors.Is(err, errStateExpired):
		return nil, &Failure{Code: SessionExpired, Err: err}
	case err != nil:
		h.logAttrs(r.Context(), slog.LevelInfo, "verifyhttp: state cookie refused", slog.String("error", err.Error()))
		return nil, &Failure{Code: SessionInvalid, Err: err}
	}
	return st, nil
}
