package http

// This file holds the pages: what each route of the HTML forms answers,
// and the data its template receives. The flow behind them is in flow.go.

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/internal/phone"
)

// Page is the data every template receives.
type Page struct {
	// Name is the page: "phone", "code", "success" or "error".
	Name string
	// Status is the HTTP status of the response, such as 422.
	Status int
	// Input is the number as the user typed it, to fill the phone form
	// again after an error.
	Input string
	// Phone is the number being verified, or verified, in E.164 (such as
	// "+31612345678"); empty on the phone form.
	Phone string
	// Masked is Phone for display with its middle hidden, such as
	// "+31 6 •••• 5678".
	Masked string
	// Channel is how the code was sent (code page) or the channel chosen
	// (phone form): "voice" or "sms".
	Channel verify.Channel
	// ExpiresAt is when the code stops working (code page); the
	// templates' functions datetime, unixMilli and timeLeft format it.
	ExpiresAt time.Time
	// CanEnterCode reports whether the code page should offer the code
	// field: false once the verification expired or failed.
	CanEnterCode bool
	// Expired reports whether the code has expired (code page): the page
	// then says so in its heading and offers a new code.
	Expired bool
	// Resent reports whether the code replaces an earlier one (code page):
	// the page says that a new code was sent and that only it works.
	Resent bool
	// Error is what went wrong, or nil. Its Message is the text for
	// its Code in the page's language.
	Error *Failure

	// Title is the page's title in its language: the text title_phone,
	// title_code, title_success or title_error of the catalog.
	Title string

	// Lang is the language of the page, a BCP 47 tag such as "de", and
	// Dir its direction, "ltr" or "rtl", for <html lang dir>.
	Lang, Dir string
	// CallLanguage is the language of the call or text, as the verify
	// package names it ("de-de"); code page.
	CallLanguage string
	// CallLanguageNote says which language the call or text is in, such
	// as "The call will be in Dutch." in the page's language, when it is
	// not the page's language; "" when it is, or is not known (code page).
	CallLanguageNote string
	// ResendIn is the number of seconds until a new code can be asked for
	// on Channel (the resend cooldown), 0 when it can be asked for now;
	// SwitchIn the same for the other channel, whose cooldown counts from
	// when a code was last sent on it. Code page.
	ResendIn, SwitchIn int
	// CodeLength is the number of digits in a code, such as 6.
	CodeLength int
	// Example is an example number for the phone form's hint, in the
	// national format of the default region when one is set ("06 12345678"),
	// else in international format.
	Example string
	// AppName is the name of the app whose code it is, from the
	// Verifier's [verify.WithAppName]; "" when it has none.
	AppName string
	// ContinueURL is where the success page's "Continue" link leads; empty
	// for none.
	ContinueURL string
	// Challenge is the widget of the handler's Challenge (WithChallenge),
	// to place in the phone form, and in the code page's resend form when
	// a resend must pass it again; empty otherwise.
	Challenge template.HTML

	// Text is every text of the page's language that takes no argument,
	// by id, escaped for HTML: {{.Text.code_submit}}. The function T
	// formats the others. Templates must not change it: it is shared.
	Text map[string]template.HTML
}

// page returns the page name answering q, with what every page shows.
func (h *handler) page(q *request, name string) *Page {
	p := &Page{
		Name: name, Channel: verify.Voice, CodeLength: h.v.TokenLength(), Example: h.example, AppName: h.v.AppName(),
		Lang: q.lang, Dir: q.loc.dir, Title: q.loc.text(titleID(name)), Text: q.loc.html,
	}
	if name == "phone" && h.challenge != nil {
		p.Challenge = h.challenge.Widget()
	}
	return p
}

// codePageOf is the code page of st.
func (h *handler) codePageOf(q *request, st *state) *Page {
	p := h.page(q, "code")
	p.Phone, p.Masked, p.Channel, p.CallLanguage = st.Phone, phone.MaskForDisplay(st.Phone), st.Channel, st.Language
	p.CallLanguageNote = q.loc.callLanguageNote(st.Language, st.Channel)
	p.ExpiresAt, p.CanEnterCode = st.Expires.Time, h.now().Before(st.Expires.Time)
	p.Expired, p.Resent = !p.CanEnterCode, st.Resent
	p.ResendIn = retrySeconds(h.resendWait(st, st.Channel))
	p.SwitchIn = retrySeconds(h.resendWait(st, otherChannel(st.Channel)))
	if h.challengeDue(st) {
		p.Challenge = h.challenge.Widget()
	}
	return p
}

// otherChannel is the channel a code page offers to switch to.
func otherChannel(ch verify.Channel) verify.Channel {
	if ch == verify.SMS {
		return verify.Voice
	}
	return verify.SMS
}

// formFailure is the failure for a form or body that cannot be read.
func formFailure(err error) *Failure {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &Failure{Code: TooLarge, Err: err}
	}
	return &Failure{Code: InvalidRequest, Err: err}
}

// phonePage serves GET /: the phone form, with the failure of the start
// that redirected here, if any. A redirect after a lost state names the
// reason in the query ("?e=session_expired").
func (h *handler) phonePage(q *request) {
	p := h.page(q, "phone")
	switch e := FailureCode(q.r.URL.Query().Get("e")); e {
	case SessionInvalid, SessionExpired:
		h.shown(q, http.StatusOK, fail(e), p)
		return
	}
	if fl := h.readFlash(q, ""); fl != nil {
		p.Input, p.Channel = fl.Input, fl.Channel
		if f := fl.failure(h.now()); f != nil {
			h.shown(q, f.Status(), f, p)
			return
		}
	}
	h.render(q, http.StatusOK, p)
}

// postPhone serves POST /: it starts a verification and redirects to the
// code page, or back to the phone form with the failure.
func (h *handler) postPhone(q *request) {
	r := q.r
	if err := r.ParseForm(); err != nil {
		h.failedStart(q, "", verify.Voice, formFailure(err))
		return
	}
	input := r.PostForm.Get("phone")
	ch, f := parseChannel(r.PostForm.Get("channel"), verify.Voice)
	if f != nil {
		h.failedStart(q, input, verify.Voice, f)
		return
	}
	if st, _ := h.readState(q); h.resumed(st, input, ch) != nil && !h.usedUp(q, st) {
		// Back to the phone form, and the same number sent again: the
		// code page of the verification in progress, without a new call.
		h.clearFlash(q)
		redirect(q.w, "code")
		return
	}
	var token string
	if h.challenge != nil {
		token = r.PostForm.Get(h.challenge.Field())
	}
	st, f := h.started(q, input, ch, token)
	if f != nil {
		if f.Code == Unsupported {
			ch = verify.Voice // offer what works
		}
		h.failedStart(q, input, ch, f)
		return
	}
	if !h.stored(q, st) {
		return
	}
	h.clearFlash(q)
	redirect(q.w, "code")
}

// usedUp reports whether q's flash says that st's code can no longer be
// used (too many wrong codes, already used): a start then sends a new
// one rather than resume st.
func (h *handler) usedUp(q *request, st *state) bool {
	fl := h.readFlash(q, st.ID)
	return fl != nil && !fl.Failure.Code.allowsCode()
}

// failedStart answers a failed start with the phone form again (see
// failed), which shows the number as typed and the channel.
func (h *handler) failedStart(q *request, input string, ch verify.Channel, f *Failure) {
	if len(input) > maxInput {
		input = ""
	}
	h.failed(q, &flash{Input: input, Channel: ch}, f, "./")
}

// failed answers a failed POST of the pages with a redirect to the page
// that shows f (Post/Redirect/Get), so that Back and Reload never post
// the form again. f goes in the flash cookie fl, which names the
// verification (or the number as typed) the POST was about: the state
// cookie is left as it was, so that the failed submit of a double click
// cannot overwrite the success of the other. When f cannot be sealed, the
// error page shows it at once.
func (h *handler) failed(q *request, fl *flash, f *Failure, to string) {
	h.refused(q, f)
	fl.Failure, fl.At, fl.Until = *f, unixMilli{h.now()}, unixMilli{h.now().Add(flashFor)}
	fl.Failure.Message, fl.Failure.Err = "", nil
	if err := h.writeCookie(q, fl, purposeFlash, flashSuffix); err != nil {
		h.shown(q, f.Status(), f, nil)
		return
	}
	redirect(q.w, to)
}

// failure is the failure of fl as it stands at now: the time to wait of a
// rate limit counts down from when it happened, and once it has passed
// there is nothing left to show (nil).
func (fl *flash) failure(now time.Time) *Failure {
	f := fl.Failure
	if f.Code == RateLimited && f.RetryAfter > 0 {
		left := fl.At.Add(time.Duration(f.RetryAfter) * time.Second).Sub(now)
		if left <= 0 {
			return nil
		}
		f.RetryAfter = retryAfterSeconds(left)
	}
	return &f
}

// pending returns q's state of a verification in progress. When there is
// none it has answered, with a redirect to the phone form (the state is
// lost: f says why) or to the success page (it is verified), and returns
// nil.
func (h *handler) pending(q *request) (st *state, f *Failure) {
	st, f = h.readState(q)
	switch {
	case f != nil:
		redirect(q.w, "./?e="+string(f.Code))
		return nil, f
	case st.Verified:
		redirect(q.w, "done")
		return nil, nil
	}
	return st, nil
}

// codePage serves GET /code: where the code is typed, with the failure of
// the check or resend that redirected here, if any.
func (h *handler) codePage(q *request) {
	st, _ := h.pending(q)
	if st == nil {
		return
	}
	p := h.codePageOf(q, st)
	var f *Failure
	if fl := h.readFlash(q, st.ID); fl != nil {
		f = fl.failure(h.now())
	}
	switch {
	case f != nil && !(p.Expired && (f.Code == InvalidCode || f.Code == Expired)):
		// What the server knows of the last POST: already used, too many
		// attempts, a resend refused (with the wait as it stands now), ...
		// A wrong code, or one too late, is moot once the code expired:
		// the expired state says so.
		p.CanEnterCode = p.CanEnterCode && f.Code.allowsCode()
		p.ResendIn, p.SwitchIn = max(p.ResendIn, resendWait(f)), max(p.SwitchIn, resendWait(f))
		h.shown(q, f.Status(), f, p)
	case p.Expired:
		h.render(q, http.StatusGone, p)
	default:
		h.render(q, http.StatusOK, p)
	}
}

// pendingForm returns q's state of a verification in progress, with the
// posted form parsed, for the POSTs of the code page. When there is
// nothing more to do (no valid state, already verified, a malformed form)
// it has answered the request and returns nil.
func (h *handler) pendingForm(q *request) *state {
	st, f := h.pending(q)
	if f != nil {
		h.refused(q, f)
	}
	if st == nil {
		return nil
	}
	if err := q.r.ParseForm(); err != nil {
		h.failed(q, &flash{ID: st.ID, Channel: st.Channel}, formFailure(err), "code")
		return nil
	}
	return st
}

// postCode serves POST /code: it checks the code and, on success, runs
// OnVerified and redirects to the success page. Success is stored only
// after OnVerified returned without writing: if it panics, or answers for
// itself, the state cookie does not say verified.
func (h *handler) postCode(q *request) {
	st := h.pendingForm(q)
	if st == nil {
		return
	}
	ver, f := h.checked(q, st, q.r.PostForm.Get("code"))
	if f != nil {
		h.failed(q, &flash{ID: st.ID, Channel: st.Channel}, f, "code")
		return
	}
	if h.verified(q, ver) {
		return
	}
	done := &state{
		ID: st.ID, Phone: ver.Phone, Channel: st.Channel, Language: st.Language, Sent: st.Sent,
		Expires: st.Expires, Until: unixMilli{h.now().Add(verifiedFor)}, Verified: true,
	}
	if h.stored(q, done) {
		redirect(q.w, "done")
	}
}

// postResend serves POST /resend: it starts a new verification of the
// stored number, on the channel asked for, and cancels the old one.
func (h *handler) postResend(q *request) {
	st := h.pendingForm(q)
	if st == nil {
		return
	}
	ch, f := parseChannel(q.r.PostForm.Get("channel"), st.Channel)
	var token string
	if h.challenge != nil {
		token = q.r.PostForm.Get(h.challenge.Field())
	}
	var next *state
	if f == nil {
		next, f = h.resent(q, st, ch, token)
	}
	if f != nil {
		h.failed(q, &flash{ID: st.ID, Channel: st.Channel}, f, "code")
		return
	}
	if h.stored(q, next) {
		redirect(q.w, "code")
	}
}

// successPage serves GET /done, only after a successful check.
func (h *handler) successPage(q *request) {
	st, f := h.readState(q)
	if f != nil || !st.Verified {
		redirect(q.w, "./")
		return
	}
	p := h.page(q, "success")
	p.Phone, p.Masked, p.Channel, p.ContinueURL = st.Phone, phone.MaskForDisplay(st.Phone), st.Channel, h.continueTo
	h.render(q, http.StatusOK, p)
}

// stored writes st to q's state cookie and reports whether it could; when
// it could not, it has answered with the error page.
func (h *handler) stored(q *request, st *state) bool {
	err := h.writeCookie(q, st, purposeCookie, "")
	if err == nil {
		return true
	}
	h.logAttrs(q.r.Context(), slog.LevelError, "verifyhttp: state not stored", slog.String("error", err.Error()))
	f := &Failure{Code: Unavailable, Err: err}
	h.refused(q, f)
	h.shown(q, f.Status(), f, nil)
	return false
}

// shown answers with the page p (the error page when p is nil) showing f,
// with the given status: f's own, also when a GET shows the failure of
// the POST that redirected to it.
func (h *handler) shown(q *request, status int, f *Failure, p *Page) {
	if status == http.StatusTooManyRequests {
		q.w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	if p == nil {
		p = h.page(q, "error")
	}
	f.Message = q.loc.failureText(f, p.CodeLength, false)
	p.Error = f
	h.render(q, status, p)
}

// render executes the page's template, in q's language, and writes it
// with status.
func (h *handler) render(q *request, status int, p *Page) {
	p.Status = status
	buf := bytes.NewBuffer(make([]byte, 0, 16<<10)) // the default pages are 5 to 9 KB
	if err := q.loc.pages.ExecuteTemplate(buf, p.Name, p); err != nil {
		h.logAttrs(q.r.Context(), slog.LevelError, "verifyhttp: template failed", slog.String("template", p.Name), slog.String("error", err.Error()))
		http.Error(q.w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	hdr := q.w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	setPrivate(hdr)
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len())) // not chunked: the page is whole
	q.w.WriteHeader(status)
	q.w.Write(buf.Bytes())
}

// redirect answers 303 See Other to a location relative to the mount
// point ("code", "done", "./").
func redirect(w http.ResponseWriter, to string) {
	h := w.Header()
	setPrivate(h)
	h.Set("Location", to)
	w.WriteHeader(http.StatusSeeOther)
}

// retrySeconds rounds d up to whole seconds; 0 for none.
func retrySeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return retryAfterSeconds(d)
}
