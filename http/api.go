package http

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/phoneverify/verify"
)

// apiStartRequest is the body of POST /api/start.
type apiStartRequest struct {
	Phone   string `json:"phone"`
	Channel string `json:"channel"`
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

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	Reason     string `json:"reason,omitempty"`
	ReasonCode string `json:"reason_code,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

func (h *handler) writeJSON(w http.ResponseWriter, status int, v any) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	setPrivate(hdr)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decodeJSON reads one JSON object into dst, refusing other media types,
// unknown fields and trailing data.
func decodeJSON(r *http.Request, dst any) *failure {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &failure{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type"}
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
		return &f
	}
	return nil
}

// decodeWithToken decodes the JSON body into req and opens the token that
// decoding stores in *token. When either fails it has answered the request
// and returns ok false.
func (h *handler) decodeWithToken(w http.ResponseWriter, r *http.Request, req any, token *string) (st *state, ok bool) {
	f := decodeJSON(r, req)
	if f == nil {
		st, f = h.openToken(*token)
	}
	if f != nil {
		h.fail(w, r, *f, nil)
		return nil, false
	}
	return st, true
}

// openToken opens an API token.
func (h *handler) openToken(token string) (*state, *failure) {
	st, err := h.sealer.open(token, purposeToken, h.now())
	switch {
	case errors.Is(err, errStateExpired):
		return nil, &failure{status: http.StatusGone, code: "token_expired"}
	case err != nil:
		return nil, &failure{status: http.StatusBadRequest, code: "invalid_token"}
	}
	return st, nil
}

// started answers a started verification with its token.
func (h *handler) started(w http.ResponseWriter, ver *verify.Verification) error {
	st := h.newState(ver)
	token, err := h.sealer.seal(st, purposeToken)
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, apiStarted{
		Token: token, Channel: st.Channel, PhoneMasked: maskForDisplay(st.Phone), ExpiresAt: st.Expires.UTC(),
	})
	return nil
}

// apiStart serves POST /api/start.
func (h *handler) apiStart(w http.ResponseWriter, r *http.Request) {
	var req apiStartRequest
	if f := decodeJSON(r, &req); f != nil {
		h.fail(w, r, *f, nil)
		return
	}
	ch, ok := parseChannel(req.Channel, verify.Voice)
	if !ok {
		h.fail(w, r, failure{status: http.StatusBadRequest, code: "invalid_request"}, nil)
		return
	}
	ctx, cancel := detach(r)
	defer cancel()
	ver, err := h.v.Start(ctx, req.Phone, verify.WithChannel(ch), verify.WithClientKey(h.clientKey(r)))
	if err == nil && ver.Phone == "" {
		err = errNoPhone
	}
	if err == nil {
		err = h.started(w, h.complete(ver, ch, ""))
	}
	if err != nil {
		f := classify(err)
		h.logFailure(r.Context(), "verifyhttp: api start failed", f, err)
		h.fail(w, r, f, nil)
	}
}

// apiCheck serves POST /api/check.
func (h *handler) apiCheck(w http.ResponseWriter, r *http.Request) {
	var req apiCheckRequest
	st, ok := h.decodeWithToken(w, r, &req, &req.Token)
	if !ok {
		return
	}
	if !h.now().Before(st.Expires) {
		h.fail(w, r, failure{status: http.StatusGone, code: "expired"}, nil)
		return
	}
	ctx, cancel := detach(r)
	defer cancel()
	ver, err := h.v.Check(ctx, st.ID, req.Code)
	if err != nil {
		h.checkFailed(ctx, w, r, st, nil, err)
		return
	}
	h.verified(w, r, st, ver)
}

// apiResend serves POST /api/resend.
func (h *handler) apiResend(w http.ResponseWriter, r *http.Request) {
	var req apiResendRequest
	st, ok := h.decodeWithToken(w, r, &req, &req.Token)
	if !ok {
		return
	}
	ch, ok := parseChannel(req.Channel, st.Channel)
	if !ok {
		h.fail(w, r, failure{status: http.StatusBadRequest, code: "invalid_request"}, nil)
		return
	}
	ver, err := h.restart(r, st, ch)
	if err == nil {
		err = h.started(w, ver)
	}
	if err != nil {
		f := classify(err)
		h.logFailure(r.Context(), "verifyhttp: api resend failed", f, err)
		h.fail(w, r, f, nil)
	}
}
