package http

// This file holds the JSON API: what each of its routes answers. The flow
// behind them is in flow.go.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/phoneverify/verify"
)

// apiStartRequest is the body of POST /api/start.
type apiStartRequest struct {
	Phone     string `json:"phone"`
	Channel   string `json:"channel"`
	Challenge string `json:"challenge"` // the token of the handler's Challenge, if it has one
}

// apiCheckRequest is the body of POST /api/check.
type apiCheckRequest struct {
	Token string `json:"token"`
	Code  string `json:"code"`
}

// apiResendRequest is the body of POST /api/resend.
type apiResendRequest struct {
	Token   string `json:"token"`
	Channel string `json:"channel"`
}

// apiStarted answers /api/start and /api/resend.
type apiStarted struct {
	Token       string         `json:"token"`
	Channel     verify.Channel `json:"channel"`
	PhoneMasked string         `json:"phone_masked"`
	ExpiresAt   time.Time      `json:"expires_at"`
}

// apiVerified answers a successful /api/check.
type apiVerified struct {
	Verified bool   `json:"verified"`
	Phone    string `json:"phone"`
}

// apiError is the body of every failed call.
type apiError struct {
	Error *Failure `json:"error"`
}

// api wraps a route of the JSON API: a cross-origin POST is refused, the
// others get a bounded body.
func (h *handler) api(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f := h.checkPost(w, r); f != nil {
			h.writeFailure(w, r, f)
			return
		}
		next(w, r)
	}
}

// apiNoRoute answers, in the API's format, a request for a route the API
// does not have, or with a method other than POST.
func (h *handler) apiNoRoute(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/start", "/api/check", "/api/resend":
		w.Header().Set("Allow", http.MethodPost)
		h.writeFailure(w, r, fail(MethodNotAllowed))
	default:
		h.writeFailure(w, r, fail(NotFound))
	}
}

func (h *handler) writeJSON(w http.ResponseWriter, status int, v any) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	setPrivate(hdr)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeFailure answers f as the API's JSON error, with f's status.
func (h *handler) writeFailure(w http.ResponseWriter, r *http.Request, f *Failure) {
	noteFailure(r, f)
	if f.Code == RateLimited {
		w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	f.Message = h.failureMessage(r, f)
	h.writeJSON(w, f.Status(), apiError{Error: f})
}

// decodeJSON reads one JSON object into dst, refusing other media types,
// unknown fields and trailing data.
func decodeJSON(r *http.Request, dst any) *Failure {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return fail(UnsupportedMediaType)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err != nil {
		f := formFailure(err)
		f.Field = jsonField(err)
		return f
	}
	return nil
}

// jsonField names the field a decoding error is about, "" when none.
func jsonField(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return te.Field
	}
	// encoding/json has no type for an unknown field: its message is
	// `json: unknown field "name"`.
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		return strings.TrimSuffix(name, `"`)
	}
	return ""
}

// decodeWithToken decodes the JSON body into req and opens the token that
// decoding stores in *token.
func (h *handler) decodeWithToken(r *http.Request, req any, token *string) (*state, *Failure) {
	if f := decodeJSON(r, req); f != nil {
		return nil, f
	}
	st := new(state)
	err := h.keys.open(*token, h.binding(mountPath(r), purposeToken), h.now(), st)
	switch {
	case errors.Is(err, errStateExpired):
		return nil, &Failure{Code: TokenExpired, Err: err}
	case err != nil:
		return nil, &Failure{Code: InvalidToken, Err: err}
	}
	return st, nil
}

// writeStarted answers a started verification with its token.
func (h *handler) writeStarted(w http.ResponseWriter, r *http.Request, st *state) {
	token, err := h.keys.seal(st, h.binding(mountPath(r), purposeToken))
	if err != nil {
		h.writeFailure(w, r, &Failure{Code: Unavailable, Err: err})
		return
	}
	h.writeJSON(w, http.StatusOK, apiStarted{
		Token: token, Channel: st.Channel, PhoneMasked: maskForDisplay(st.Phone),
		ExpiresAt: st.Expires.UTC().Truncate(time.Second),
	})
}

// apiStart serves POST /api/start.
func (h *handler) apiStart(w http.ResponseWriter, r *http.Request) {
	var req apiStartRequest
	f := decodeJSON(r, &req)
	var ch verify.Channel
	if f == nil {
		ch, f = parseChannel(req.Channel, verify.Voice)
	}
	var st *state
	if f == nil {
		st, f = h.start(r, req.Phone, ch, userLanguages(r, ""), req.Challenge)
	}
	if f != nil {
		h.writeFailure(w, r, f)
		return
	}
	h.writeStarted(w, r, st)
}

// apiCheck serves POST /api/check. On success it runs OnVerified and,
// unless that answered, says verified.
func (h *handler) apiCheck(w http.ResponseWriter, r *http.Request) {
	var req apiCheckRequest
	st, f := h.decodeWithToken(r, &req, &req.Token)
	var ver *verify.Verification
	if f == nil {
		ver, f = h.check(r, st, req.Code)
	}
	if f != nil {
		h.writeFailure(w, r, f)
		return
	}
	if h.runOnVerified(w, r, ver) {
		return
	}
	h.writeJSON(w, http.StatusOK, apiVerified{Verified: true, Phone: ver.Phone})
}

// apiResend serves POST /api/resend.
func (h *handler) apiResend(w http.ResponseWriter, r *http.Request) {
	var req apiResendRequest
	st, f := h.decodeWithToken(r, &req, &req.Token)
	var ch verify.Channel
	if f == nil {
		ch, f = parseChannel(req.Channel, st.Channel)
	}
	if f == nil {
		st, f = h.resend(r, st, ch, userLanguages(r, ""))
	}
	if f != nil {
		h.writeFailure(w, r, f)
		return
	}
	h.writeStarted(w, r, st)
}
