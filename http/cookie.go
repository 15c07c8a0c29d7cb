package http

// This file holds the cookies of the pages, the state cookie and the flash
// cookie: their names, paths and flags, and how they are written and read.
// What they carry, and how it is sealed, is in state.go.

import (
	"errors"
	"log/slog"
	"net/http"
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

// binding is the additional data that binds a value sealed for purpose to
// this handler: its WithScope name and its mount point (mountPath), and
// for the cookies to the app's session (WithSessionBinding; "" for none).
// A state sealed by another handler sharing the secret does not open
// here, whether it comes as a cookie or as a token.
func (h *handler) binding(mount, purpose, session string) string {
	return purpose + "\x00" + h.scope + "\x00" + mount + "\x00" + session
}

// writeCookie seals v for purpose into q's cookie whose name ends in
// suffix, to live as long as v is accepted.
func (h *handler) writeCookie(q *request, v sealed, purpose, suffix string) error {
	value, err := h.keys.seal(v, h.binding(q.mount, purpose, q.session))
	if err != nil {
		return err
	}
	http.SetCookie(q.w, &http.Cookie{
		Name:     q.cookie + suffix,
		Value:    value,
		Path:     q.mount,
		MaxAge:   max(int(v.until().Sub(h.now())/time.Second), 1),
		HttpOnly: true,
		Secure:   q.secure,
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// readState opens q's state cookie: SessionInvalid when there is none or
// it cannot be trusted, SessionExpired when it is too old. A browser may
// send several cookies of the name (one set for another path or by
// another handler): each is tried until one opens.
func (h *handler) readState(q *request) (*state, *Failure) {
	ad := h.binding(q.mount, purposeCookie, q.session)
	var f *Failure
	for _, c := range q.r.CookiesNamed(q.cookie) {
		st := new(state)
		err := h.keys.open(c.Value, ad, h.now(), st)
		switch {
		case err == nil:
			return st, nil
		case errors.Is(err, errStateExpired):
			f = &Failure{Code: SessionExpired, Err: err}
		case f == nil:
			h.logAttrs(q.r.Context(), slog.LevelInfo, "verifyhttp: state cookie refused", slog.String("error", err.Error()))
			f = &Failure{Code: SessionInvalid, Err: err}
		}
	}
	if f == nil {
		f = fail(SessionInvalid)
	}
	return nil, f
}

// readFlash returns the flash of the verification id ("" for a start), or
// nil when q has none.
func (h *handler) readFlash(q *request, id string) *flash {
	ad := h.binding(q.mount, purposeFlash, q.session)
	for _, c := range q.r.CookiesNamed(q.cookie + flashSuffix) {
		fl := new(flash)
		if err := h.keys.open(c.Value, ad, h.now(), fl); err == nil && fl.ID == id {
			return fl
		}
	}
	return nil
}

// clearFlash deletes the flash cookie, when q has one: after a start that
// succeeded, the phone form must not show the failure of an earlier one.
func (h *handler) clearFlash(q *request) {
	name := q.cookie + flashSuffix
	if len(q.r.CookiesNamed(name)) == 0 {
		return
	}
	http.SetCookie(q.w, &http.Cookie{Name: name, Path: q.mount, MaxAge: -1, HttpOnly: true, Secure: q.secure, SameSite: http.SameSiteLaxMode})
}
