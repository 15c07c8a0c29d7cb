package http

// This file holds the verification flow that the pages and the JSON API
// share: start, check, resend and the run of OnVerified. Each step
// returns values, the new state or a *Failure, and writes no response:
// pages.go and api.go answer, each in its own format.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/phoneverify/verify"
	"golang.org/x/text/language"
)

// start starts a verification of the number as the user typed it, on
// channel ch, for r's client, with the call in the first of langs the
// provider speaks. With WithChallenge, token must pass the challenge
// first.
func (h *handler) start(r *http.Request, input string, ch verify.Channel, langs []string, token string) (*state, *Failure) {
	ctx, cancel := detach(r)
	defer cancel()
	if f := h.passChallenge(ctx, r, token); f != nil {
		return nil, f
	}
	ver, err := h.v.Start(ctx, input, verify.WithChannel(ch), verify.WithClientKey(h.clientKey(r)), verify.WithUserLanguage(langs...))
	if err != nil {
		f := classify(err)
		h.logFailure(r.Context(), "verifyhttp: start failed", f)
		return nil, f
	}
	return h.newState(ver), nil
}

// passChallenge checks a start's challenge token, when the handler has a
// Challenge. A check that cannot be made refuses the start too.
func (h *handler) passChallenge(ctx context.Context, r *http.Request, token string) *Failure {
	if h.challenge == nil {
		return nil
	}
	err := h.challenge.Verify(ctx, token, h.clientIP(r))
	if err == nil {
		return nil
	}
	f := &Failure{Code: ChallengeFailed, Err: err}
	if !errors.Is(err, ErrChallengeFailed) {
		f.Code = Unavailable
	}
	h.logFailure(r.Context(), "verifyhttp: challenge not passed", f)
	return f
}

// newState is the state of a verification just started.
func (h *handler) newState(ver *verify.Verification) *state {
	now := h.now()
	exp := ver.ExpiresAt
	if exp.IsZero() {
		exp = now.Add(defaultValidity)
	}
	return &state{
		ID: ver.ID, Phone: ver.Phone, Channel: ver.Channel, Language: ver.Language,
		Sent: now, Expires: exp, Until: later(exp, now).Add(stateGrace),
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// resendIn is how long until st's number can be sent a new code on the
// same channel: the Verifier's resend cooldown from when st's was sent.
// Zero when it can.
func (h *handler) resendIn(st *state) time.Duration {
	return max(st.Sent.Add(h.v.ResendCooldown()).Sub(h.now()), 0)
}

// check checks code against st's verification. It returns the verified
// verification, whose Phone the Verifier has checked against its policy,
// or why not. A check whose code the provider says was already used,
// while its status says the verification succeeded, fails with
// AlreadyUsed: another request won the race (the other submit of a double
// click), or this state is sent again after a success, or the answer to
// the winning check was lost. None of these proves that OnVerified
// succeeded, so the flow never calls it verified. Only that answer of the
// provider leads to a Status call: a wrong code, or the Verifier's own cap
// on checks, costs no more than the check.
func (h *handler) check(r *http.Request, st *state, code string) (*verify.Verification, *Failure) {
	if !h.now().Before(st.Expires) {
		return nil, fail(Expired)
	}
	ctx, cancel := detach(r)
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
		f.ReasonCode = "format" // so a page can say "Enter the 6-digit code"
	}
	h.logFailure(r.Context(), "verifyhttp: check failed", f)
	return nil, f
}

// looksLikeCode reports whether code, as typed, is n digits, give or take
// the spaces and dashes the Verifier ignores. It only labels a refused
// code: the Verifier decides what is well-formed.
func looksLikeCode(code string, n int) bool {
	digits := 0
	for _, c := range code {
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c != ' ' && c != '-' && c != '\t':
			return false
		}
	}
	return digits == n
}

// alreadyVerified reports whether the provider says st's verification
// succeeded.
func (h *handler) alreadyVerified(ctx context.Context, st *state) bool {
	ver, err := h.v.Status(ctx, st.ID)
	return err == nil && ver.Status == verify.StatusVerified && (ver.Phone == "" || ver.Phone == st.Phone)
}

// resend starts a new verification of st's number on channel ch and
// cancels st's, whose code the user no longer needs.
func (h *handler) resend(r *http.Request, st *state, ch verify.Channel, langs []string) (*state, *Failure) {
	ctx, cancel := detach(r)
	defer cancel()
	ver, err := h.v.Start(ctx, st.Phone, verify.WithChannel(ch), verify.WithClientKey(h.clientKey(r)), verify.WithUserLanguage(langs...))
	if err != nil {
		f := classify(err)
		if f.Code == RateLimited {
			f.ReasonCode = reasonResend
		}
		h.logFailure(r.Context(), "verifyhttp: resend failed", f)
		return nil, f
	}
	if err := h.v.Cancel(ctx, st.ID); err != nil && !errors.Is(err, verify.ErrUnsupported) {
		h.logAttrs(r.Context(), slog.LevelDebug, "verifyhttp: cancel of the previous verification failed", slog.String("id", st.ID), slog.String("error", err.Error()))
	}
	return h.newState(ver), nil
}

// runOnVerified runs OnVerified for the one request whose check succeeded
// and reports whether it answered the request itself (an error page, a
// redirect): then the caller must neither write nor seal success. It runs
// under a context of its own: r's values without its cancellation (a
// double click must not interrupt the app's database write), bounded by
// onVerifiedTimeout from when it starts, whatever the provider's call
// took.
func (h *handler) runOnVerified(w http.ResponseWriter, r *http.Request, ver *verify.Verification) (answered bool) {
	if h.onVerified == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), onVerifiedTimeout)
	defer cancel()
	tw := &trackingWriter{ResponseWriter: w}
	h.onVerified(tw, r.WithContext(ctx), ver)
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

// maxUserLanguages bounds the languages passed on from one request.
const maxUserLanguages = 8

// userLanguages returns the languages the call or text should be in, most
// preferred first, for WithUserLanguage: the page's language, then those
// of r's Accept-Language header. A request that names no language names
// none: the call then follows the number's country, whatever language
// the page fell back to.
func userLanguages(r *http.Request, pageLang string) []string {
	tags, _, err := language.ParseAcceptLanguage(boundAcceptLanguage(r.Header.Get("Accept-Language"))) // without the q=0 ones
	if err != nil || len(tags) == 0 {
		return nil
	}
	langs := make([]string, 0, min(len(tags)+1, maxUserLanguages))
	if pageLang != "" {
		langs = append(langs, pageLang)
	}
	for _, t := range tags {
		if len(langs) == maxUserLanguages {
			break
		}
		if t != language.Und && t.String() != "mul" { // "*" parses as "mul"
			langs = append(langs, t.String())
		}
	}
	return langs
}
