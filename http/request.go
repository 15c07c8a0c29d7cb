package http

// This file holds the per-request value: what a request to the handler
// needs, worked out once by the entry point of its route (see get, form
// and api) and passed to the flow and the answers.

import (
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/language"
)

// request is one request to the handler.
type request struct {
	w http.ResponseWriter
	r *http.Request

	loc    *locale        // the language of what the user reads
	lang   string         // loc's tag with the user's region ("de-CH"), for <html lang> and the call
	accept []language.Tag // the user's languages, from Accept-Language, most preferred first

	api bool // a call of the JSON API, not a page

	ip string // the client's address, as WithClientIP gives it

	mount   string // where the handler is mounted (WithMountPath, else mountPath), ending in "/"; "" when it cannot be known
	session string // WithSessionBinding's identifier of the app's session, bound into the cookies
	secure  bool   // whether the cookies are marked Secure
	cookie  string // the name of the state cookie (the flash cookie's adds flashSuffix)
}

// newRequest works out what w and r need, once.
func (h *handler) newRequest(w http.ResponseWriter, r *http.Request) *request {
	q := &request{w: w, r: r, accept: parseAcceptLanguage(r.Header.Get("Accept-Language")), ip: h.clientIP(r), mount: h.mount}
	if q.mount == "" {
		q.mount = mountPath(r)
	}
	if h.session != nil {
		q.session = h.session(r)
	}
	q.loc, q.lang = h.locales.pick(q.accept)
	switch h.secure {
	case secureAlways:
		q.secure = true
	case secureAuto:
		q.secure = r.TLS != nil
	}
	// A Secure cookie takes the __Secure- prefix, which browsers only
	// accept from HTTPS, and the __Host- prefix for the path "/", which
	// they also accept only without Domain: no subdomain can set it.
	switch {
	case q.secure && q.mount == "/":
		q.cookie = hostCookieName
	case q.secure:
		q.cookie = secureCookieName
	default:
		q.cookie = cookieName
	}
	return q
}

// userLanguages returns the languages the call or text should be in, most
// preferred first, for verify.WithUserLanguage: the page's language, so
// that the page and the call agree, then the user's (the Verifier reads
// the first few). A call of the JSON API gives the user's alone. A request
// that names no language names none: the call then follows the number's
// country, whatever language the page fell back to.
func (q *request) userLanguages() []string {
	if len(q.accept) == 0 {
		return nil
	}
	langs := make([]string, 0, len(q.accept)+1)
	if !q.api {
		langs = append(langs, q.lang)
	}
	for _, t := range q.accept {
		if t != language.Und && t.String() != "mul" { // "*" parses as "mul"
			langs = append(langs, t.String())
		}
	}
	return langs
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

// mountPath is where the handler is mounted, ending in a slash: the path
// the client asked for without the part the handler routes on (what
// http.StripPrefix left of it). It is the path of the state cookie, and
// binds sealed states to the handler that made them. "" when r has no
// RequestURI: the path the client asked for is not known.
func mountPath(r *http.Request) string {
	if r.RequestURI == "" {
		return ""
	}
	p := requestPath(r)
	if mount, ok := strings.CutSuffix(p, r.URL.EscapedPath()); ok {
		return mount + "/"
	}
	return p[:strings.LastIndexByte(p, '/')+1]
}
