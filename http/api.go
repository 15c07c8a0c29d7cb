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
	"github.com/phoneverify/verify/internal/phone"
)

// apiStartRequest is the body of POST /api/start.
type apiStartRequest struct {
	Phone     string `json:"phone"`
	Channel   string `json:"channel"`
	Challenge string `json:"challenge"` // the token of the handler's Challenge, if it has one
	Token     string `json:"token"`     // the token of a verification in progress, if the client has one
}

// apiCheckRequest is the body of POST /api/check.
type apiCheckRequest struct {
	Token string `json:"token"`
	Code  string `json:"code"`
}

// apiResendRequest is the body of POST /api/resend.
type apiResendRequest struct {
	Token     string `json:"token"`
	Channel   string `json:"channel"`
	Challenge string `json:"challenge"` // the token of the handler's Challenge, when a resend must pass it again
}

// apiStarted answers /api/start and /api/resend.
type apiStarted struct {
	ID          string         `json:"id"` // the verification's, the same when a start resumes it
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

// apiNoRoute answers, in the API's format, a request for a route the API
// does not have, or with a method other than POST.
func (h *handler) apiNoRoute(w http.ResponseWriter, r *http.Request) {
	q := h.apiRequest(w, r)
	switch r.URL.Path {
	case "/api/start", "/api/check", "/api/resend":
		q.w.Header().Set("Allow", http.MethodPost)
		h.writeFailure(q, fail(MethodNotAllowed))
	default:
		h.writeFailure(q, fail(NotFound))
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
func (h *handler) writeFailure(q *request, f *Failure) {
	h.refused(q, f)
	if f.Code == RateLimited {
		q.w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	f.Message = q.loc.failureText(f, h.v.TokenLength(), true)
	h.writeJSON(q.w, f.Status(), apiError{Error: f})
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
func (h *handler) decodeWithToken(q *request, req any, token *string) (*state, *Failure) {
	if f := decodeJSON(q.r, req); f != nil {
		return nil, f
	}
	st := new(state)
	err := h.keys.open(*token, h.binding(q.mount, purposeToken, ""), h.now(), st)
	switch {
	case errors.Is(err, errStateExpired):
		return nil, &Failure{Code: TokenExpired, Err: err}
	case err != nil:
		return nil, &Failure{Code: InvalidToken, Err: err}
	}
	return st, nil
}

// writeStarted answers a started verification with its token.
func (h *handler) writeStarted(q *request, st *state) {
	token, err := h.keys.seal(st, h.binding(q.mount, purposeToken, ""))
	if err != nil {
		h.writeFailure(q, &Failure{Code: Unavailable, Err: err})
		return
	}
	h.writeJSON(q.w, http.StatusOK, apiStarted{
		ID: st.ID, Token: token, Channel: st.Channel, PhoneMasked: phone.MaskForDisplay(st.Phone),
		ExpiresAt: st.Expires.UTC().Truncate(time.Second),
	})
}

// apiStart serves POST /api/start.
func (h *handler) apiStart(q *request) {
	var req apiStartRequest
	f := decodeJSON(q.r, &req)
	var ch verify.Channel
	if f == nil {
		ch, f = parseChannel(req.Channel, verify.Voice)
	}
	var st *state
	if f == nil && req.Token != "" {
		// The verification in progress, when the start is for its number
		// and channel and its code still works: no second call.
		prev := new(state)
		if h.keys.open(req.Token, h.binding(q.mount, purposeToken, ""), h.now(), prev) == nil {
			st = h.resumed(prev, req.Phone, ch)
		}
	}
	if f == nil && st == nil {
		st, f = h.started(q, req.Phone, ch, req.Challenge)
	}
	if f != nil {
		h.writeFailure(q, f)
		return
	}
	h.writeStarted(q, st)
}

// apiCheck serves POST /api/check. On success it runs OnVerified and,
// unless that answered, says verified.
func (h *handler) apiCheck(q *request) {
	var req apiCheckRequest
	st, f := h.decodeWithToken(q, &req, &req.Token)
	var ver *verify.Verification
	if f == nil {
		ver, f = h.checked(q, st, req.Code)
	}
	if f != nil {
		h.writeFailure(q, f)
		return
	}
	if h.verified(q, ver) {
		return
	}
	h.writeJSON(q.w, http.StatusOK, apiVerified{Verified: true, Phone: ver.Phone})
}

// apiResend serves POST /api/resend.
func (h *handler) apiResend(q *request) {
	var req apiResendRequest
	st, f := h.decodeWithToken(q, &req, &req.Token)
	var ch verify.Channel
	if f == nil {
		ch, f = parseChannel(req.Channel, st.Channel)
	}
	if f == nil {
		st, f = h.resent(q, st, ch, req.Challenge)
	}
	if f != nil {
		h.writeFailure(q, f)
		return
	}
	h.writeStarted(q, st)
}
