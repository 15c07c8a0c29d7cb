package http

// This file holds the verification flow that the pages and the JSON API
// share: start, check, resend and the run of OnVerified. Each step takes
// the request (request.go) and returns values, the new state or a
// *Failure, and writes no response: pages.go and api.go answer, each in
// its own format.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/internal/digits"
)

// started starts a verification of the number as the user typed it, on
// channel ch, for q's client. With WithChallenge, token must pass the
// challenge first.
func (h *handler) started(q *request, input string, ch verify.Channel, token string) (*state, *Failure) {
	ctx, cancel := detach(q.r)
	defer cancel()
	if f := h.passChallenge(ctx, q, token); f != nil {
		return nil, f
	}
	st, f := h.sent(ctx, q, input, ch)
	if f != nil {
		h.logFailure(q.r.Context(), "verifyhttp: start failed", f)
		return nil, f
	}
	if h.challenge != nil {
		st.Passed = unixMilli{h.now()}
	}
	return st, nil
}

// resumed returns st when a start of the number as the user typed it, on
// channel ch, would start st's verification again: st is pending, its
// code still works, and it is of that number and channel. The user went
// Back to the phone form and sent it again; the code already sent still
// works, so no second call is made. nil otherwise.
func (h *handler) resumed(st *state, input string, ch verify.Channel) *state {
	if st == nil || st.Verified || (ch != st.Channel && ch != verify.Auto) || !h.now().Before(st.Expires.Time) {
		return nil
	}
	if e164(input, h.v.DefaultRegion()) != st.Phone {
		return nil
	}
	return st
}

// resent starts a new verification of st's number on channel ch and
// cancels st's, whose code the user no longer needs. Before the resend
// cooldown of ch has passed since a code was last sent on ch, it is
// refused without asking the Verifier, which would refuse it too. When a
// fresh challenge is due (challengeDue), token must pass it.
func (h *handler) resent(q *request, st *state, ch verify.Channel, token string) (*state, *Failure) {
	if wait := h.resendWait(st, ch); wait > 0 {
		f := &Failure{Code: RateLimited, ReasonCode: reasonResend, RetryAfter: retryAfterSeconds(wait)}
		h.logFailure(q.r.Context(), "verifyhttp: resend refused", f)
		return nil, f
	}
	ctx, cancel := detach(q.r)
	defer cancel()
	due := h.challengeDue(st)
	if due {
		if f := h.passChallenge(ctx, q, token); f != nil {
			return nil, f
		}
	}
	next, f := h.sent(ctx, q, st.Phone, ch)
	if f != nil {
		if f.Code == RateLimited {
			f.ReasonCode = reasonResend
		}
		h.logFailure(q.r.Context(), "verifyhttp: resend failed", f)
		return nil, f
	}
	next.Resent, next.Other = true, st.Other
	next.Passed, next.Resends = st.Passed, st.Resends+1
	if due {
		next.Passed, next.Resends = unixMilli{h.now()}, 0
	}
	if ch != st.Channel {
		next.Other = st.Sent
	}
	if err := h.v.Cancel(ctx, st.ID); err != nil && !errors.Is(err, verify.ErrUnsupported) {
		h.logAttrs(q.r.Context(), slog.LevelDebug, "verifyhttp: cancel of the previous verification failed", slog.String("id", st.ID), slog.String("error", err.Error()))
	}
	return next, nil
}

// sent has the Verifier send a code to phone on ch, for q's client in q's
// languages, and returns the state of the verification it started: the
// one call of Start of a start and a resend.
func (h *handler) sent(ctx context.Context, q *request, phone string, ch verify.Channel) (*state, *Failure) {
	ver, err := h.v.Start(ctx, phone, verify.WithChannel(ch), verify.WithClientKey(clientKey(q.ip)), verify.WithUserLanguage(q.userLanguages()...))
	if err != nil {
		return nil, classify(err)
	}
	now, exp := h.now(), ver.ExpiresAt // Start guarantees ExpiresAt
	return &state{
		ID: ver.ID, Phone: ver.Phone, Channel: ver.Channel, Language: ver.Language,
		Sent: unixMilli{now}, Expires: unixMilli{exp}, Until: unixMilli{later(exp, now).Add(stateGrace)},
	}, nil
}

// passChallenge checks a start's challenge token, when the handler has a
// Challenge. A check that cannot be made refuses the start too.
func (h *handler) passChallenge(ctx context.Context, q *request, token string) *Failure {
	if h.challenge == nil {
		return nil
	}
	err := h.challenge.Verify(ctx, token, q.ip)
	if err == nil {
		return nil
	}
	f := &Failure{Code: ChallengeFailed, Err: err}
	if !errors.Is(err, ErrChallengeFailed) {
		f.Code = Unavailable
	}
	h.logFailure(q.r.Context(), "verifyhttp: challenge not passed", f)
	return f
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// challengeDue reports whether a resend of st must pass the handler's
// Challenge again: resendsPerChallenge resends have followed the last one
// passed, or challengeFor has gone by since.
func (h *handler) challengeDue(st *state) bool {
	return h.challenge != nil && (st.Resends >= resendsPerChallenge || !h.now().Before(st.Passed.Add(challengeFor)))
}

// resendWait is how long until st's number can be sent a new code on
// channel ch: the Verifier's resend cooldown (which counts each channel
// apart) from when a code was last sent on ch. Zero when it can.
func (h *handler) resendWait(st *state, ch verify.Channel) time.Duration {
	sent := st.Sent
	if ch != st.Channel {
		sent = st.Other
	}
	if sent.IsZero() {
		return 0
	}
	return max(sent.Add(h.v.ResendCooldown()).Sub(h.now()), 0)
}

// checked checks code against st's verification. It returns the verified
// verification, whose Phone the Verifier has checked against its policy,
// or why not. A check whose code the provider says was already used,
// while its status says the verification succeeded, fails with
// AlreadyUsed: another request won the race (the other submit of a double
// click), or this state is sent again after a success, or the answer to
// the winning check was lost. None of these proves that OnVerified
// succeeded, so the flow never calls it verified. Only that answer of the
// provider leads to a Status call: a wrong code, or the Verifier's own cap
// on checks, costs no more than the check.
func (h *handler) checked(q *request, st *state, code string) (*verify.Verification, *Failure) {
	if !h.now().Before(st.Expires.Time) {
		return nil, fail(Expired)
	}
	ctx, cancel := detach(q.r)
	defer cancel()
	ver, err := h.v.Check(ctx, st.ID, code)
	if err == nil {
		return ver, nil
	}
	f := classify(err)
	switch {
	case errors.Is(err, verify.ErrExpired) && h.alreadyVerified(ctx, st):
		f = &Failure{Code: AlreadyUsed, Err: err}
	case f.Code == InvalidCode && !looksLikeCode(code, h.v.TokenLength()):
		f.ReasonCode = reasonFormat // so a page can say "Enter the 6-digit code"
	}
	h.logFailure(q.r.Context(), "verifyhttp: check failed", f)
	return nil, f
}

// looksLikeCode reports whether code, as typed, is n digits of any
// script, give or take the spaces and dashes the Verifier ignores: read
// by digits.Code, as the Verifier reads it. It only labels a refused
// code: the Verifier decides what is well-formed.
func looksLikeCode(code string, n int) bool {
	d, ok := digits.Code(code)
	return ok && len(d) == n
}

// alreadyVerified reports whether the provider says st's verification
// succeeded.
func (h *handler) alreadyVerified(ctx context.Context, st *state) bool {
	ver, err := h.v.Status(ctx, st.ID)
	return err == nil && ver.Status == verify.StatusVerified && (ver.Phone == "" || ver.Phone == st.Phone)
}

// verified runs OnVerified for the one request whose check succeeded and
// reports whether it answered the request itself (an error page, a
// redirect): then the caller must neither write nor store success. It
// runs under a context of its own: r's values without its cancellation (a
// double click must not interrupt the app's database write), bounded by
// onVerifiedTimeout from when it starts, whatever the provider's call
// took.
func (h *handler) verified(q *request, ver *verify.Verification) (answered bool) {
	if h.onVerified == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(q.r.Context()), onVerifiedTimeout)
	defer cancel()
	tw := &trackingWriter{ResponseWriter: q.w}
	h.onVerified(tw, q.r.WithContext(ctx), ver)
	return tw.wrote
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

// parseChannel reads a channel field; empty means def.
func parseChannel(s string, def verify.Channel) (verify.Channel, *Failure) {
	switch verify.Channel(s) {
	case "":
		return def, nil
	case verify.Voice, verify.SMS, verify.Auto:
		return verify.Channel(s), nil
	}
	return "", &Failure{Code: InvalidRequest, Field: "channel"}
}
