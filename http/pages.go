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
	// ExpiresAt is when the code stops working (code page).
	ExpiresAt time.Time
	// TimeLeft is the time until ExpiresAt as minutes and seconds, such as
	// "9:58" (code page).
	TimeLeft string
	// ExpiresUTC is ExpiresAt in UTC to the second, for a <time datetime>
	// ("2026-11-30T09:41:00Z"), and ExpiresUnixMilli is ExpiresAt in
	// milliseconds since 1970, for a script (code page). A template reads
	// them faster than it calls ExpiresAt's methods.
	ExpiresUTC       string
	ExpiresUnixMilli int64
	// CanEnterCode reports whether the code page should offer the code
	// field: false once the verification expired or failed.
	CanEnterCode bool
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
	// (the resend cooldown), 0 when it can be asked for now; code page.
	ResendIn int
	// CodeLength is the number of digits in a code, such as 6.
	CodeLength int
	// Example is an example number for the phone form's hint, in the
	// national format of the default region when one is set ("06 12345678"),
	// else in international format.
	Example string
	// ContinueURL is where the success page's "Continue" link leads; empty
	// for none.
	ContinueURL string
	// Challenge is the widget of the handler's Challenge (WithChallenge),
	// to place in the phone form; empty without one.
	Challenge template.HTML

	// Text is every text of the page's language that takes no
	// argument, by id, escaped for HTML: {{.Text.code_submit}}. T
	// formats the others. Templates must not change it: it is shared.
	Text map[string]template.HTML

	loc *localizer // the page's texts, set by localize
}

// page returns the page name answering r, with what every page shows.
func (h *handler) page(r *http.Request, name string) *Page {
	p := &Page{Name: name, Channel: verify.Voice, CodeLength: h.v.TokenLength(), Example: h.example}
	if name == "phone" && h.challenge != nil {
		p.Challenge = h.challenge.Widget()
	}
	h.localize(r, p)
	return p
}

// pageLang is the language of the pages answering r.
func (h *handler) pageLang(r *http.Request) string {
	return h.localizerFor(r).lang
}

// codePageFor is the code page of st.
func (h *handler) codePageFor(r *http.Request, st *state) *Page {
	p := h.page(r, "code")
	left := st.Expires.Sub(h.now())
	p.Phone, p.Masked, p.Channel, p.CallLanguage = st.Phone, maskForDisplay(st.Phone), st.Channel, st.Language
	p.CallLanguageNote = p.loc.callLanguageNote(st.Language, st.Channel)
	p.ExpiresAt, p.TimeLeft, p.CanEnterCode = st.Expires, timeLeft(left), left > 0
	p.ExpiresUTC, p.ExpiresUnixMilli = st.Expires.UTC().Format("2006-01-02T15:04:05Z"), st.Expires.UnixMilli()
	p.ResendIn = retrySeconds(h.resendIn(st))
	return p
}

// form wraps a POST route of the pages: a cross-origin POST gets the
// error page, the others a bounded body.
func (h *handler) form(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f := h.checkPost(w, r); f != nil {
			noteFailure(r, f)
			h.show(w, r, f.Status(), f, nil)
			return
		}
		next(w, r)
	}
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
func (h *handler) phonePage(w http.ResponseWriter, r *http.Request) {
	p := h.page(r, "phone")
	switch e := FailureCode(r.URL.Query().Get("e")); e {
	case SessionInvalid, SessionExpired:
		h.show(w, r, http.StatusOK, fail(e), p)
		return
	}
	if fl := h.readFlash(r, ""); fl != nil {
		p.Input, p.Channel = fl.Input, fl.Channel
		f := h.shown(fl)
		h.show(w, r, f.Status(), f, p)
		return
	}
	h.render(w, r, http.StatusOK, p)
}

// postPhone serves POST /: it starts a verification and redirects to the
// code page, or back to the phone form with the failure.
func (h *handler) postPhone(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.failedStart(w, r, "", verify.Voice, formFailure(err))
		return
	}
	input := r.PostForm.Get("phone")
	ch, f := parseChannel(r.PostForm.Get("channel"), verify.Voice)
	if f != nil {
		h.failedStart(w, r, input, verify.Voice, f)
		return
	}
	var token string
	if h.challenge != nil {
		token = r.PostForm.Get(h.challenge.Field())
	}
	st, f := h.start(r, input, ch, userLanguages(r, h.pageLang(r)), token)
	if f != nil {
		if f.Code == Unsupported {
			ch = verify.Voice // offer what works
		}
		h.failedStart(w, r, input, ch, f)
		return
	}
	if f := h.seal(w, r, st); f != nil {
		h.show(w, r, f.Status(), f, nil)
		return
	}
	h.clearFlash(w, r)
	redirect(w, "code")
}

// failedStart answers a failed start with the phone form again (see
// failed), which shows the number as typed and the channel.
func (h *handler) failedStart(w http.ResponseWriter, r *http.Request, input string, ch verify.Channel, f *Failure) {
	if len(input) > maxInput {
		input = ""
	}
	h.failed(w, r, &flash{Input: input, Channel: ch}, f, "./")
}

// failed answers a failed POST of the pages with a redirect to the page
// that shows f (Post/Redirect/Get), so that Back and Reload never post
// the form again. f goes in the flash cookie fl, which names the
// verification (or the number as typed) the POST was about: the state
// cookie is left as it was, so that the failed submit of a double click
// cannot overwrite the success of the other. When f cannot be sealed, the
// error page shows it at once.
func (h *handler) failed(w http.ResponseWriter, r *http.Request, fl *flash, f *Failure, to string) {
	noteFailure(r, f)
	fl.Failure, fl.At, fl.Until = *f, h.now(), h.now().Add(flashFor)
	fl.Failure.Message, fl.Failure.Err = "", nil
	if err := h.setFlash(w, r, fl); err != nil {
		h.show(w, r, f.Status(), f, nil)
		return
	}
	redirect(w, to)
}

// shown is the failure sealed in fl as it stands now: the time to wait
// of a rate limit counts down from when it was sealed.
func (h *handler) shown(fl *flash) *Failure {
	f := fl.Failure
	if f.Code == RateLimited {
		f.RetryAfter = retryAfterSeconds(fl.At.Add(time.Duration(f.RetryAfter) * time.Second).Sub(h.now()))
	}
	return &f
}

// codePage serves GET /code: where the code is typed, with the failure of
// the check or resend that redirected here, if any.
func (h *handler) codePage(w http.ResponseWriter, r *http.Request) {
	st, f := h.readCookie(r)
	switch {
	case f != nil:
		redirect(w, "./?e="+string(f.Code))
		return
	case st.Verified:
		redirect(w, "done")
		return
	}
	p := h.codePageFor(r, st)
	fl := h.readFlash(r, st.ID)
	switch {
	case fl != nil && (p.CanEnterCode || !fl.Failure.Code.allowsCode()):
		f := h.shown(fl)
		p.CanEnterCode = p.CanEnterCode && f.Code.allowsCode()
		p.ResendIn = max(p.ResendIn, resendWait(f))
		h.show(w, r, f.Status(), f, p)
	case !p.CanEnterCode:
		h.show(w, r, http.StatusGone, fail(Expired), p)
	default:
		h.render(w, r, http.StatusOK, p)
	}
}

// pendingForm reads the sealed state of a verification in progress and
// parses the posted form, for the POSTs of the code page. When there is
// nothing more to do (no valid state, already verified, a malformed form)
// it has answered the request and returns ok false.
func (h *handler) pendingForm(w http.ResponseWriter, r *http.Request) (st *state, ok bool) {
	st, f := h.readCookie(r)
	switch {
	case f != nil:
		noteFailure(r, f)
		redirect(w, "./?e="+string(f.Code))
		return nil, false
	case st.Verified:
		redirect(w, "done")
		return nil, false
	}
	if err := r.ParseForm(); err != nil {
		h.failed(w, r, &flash{ID: st.ID, Channel: st.Channel}, formFailure(err), "code")
		return nil, false
	}
	return st, true
}

// postCode serves POST /code: it checks the code and, on success, runs
// OnVerified and redirects to the success page. Success is sealed only
// after OnVerified returned without writing: if it panics, or answers for
// itself, the state cookie does not say verified.
func (h *handler) postCode(w http.ResponseWriter, r *http.Request) {
	st, ok := h.pendingForm(w, r)
	if !ok {
		return
	}
	ver, f := h.check(r, st, r.PostForm.Get("code"))
	if f != nil {
		h.failed(w, r, &flash{ID: st.ID, Channel: st.Channel}, f, "code")
		return
	}
	if h.runOnVerified(w, r, ver) {
		return
	}
	done := &state{
		ID: st.ID, Phone: ver.Phone, Channel: st.Channel, Language: st.Language, Sent: st.Sent,
		Expires: st.Expires, Until: h.now().Add(verifiedFor), Verified: true,
	}
	if f := h.seal(w, r, done); f != nil {
		h.show(w, r, f.Status(), f, nil)
		return
	}
	redirect(w, "done")
}

// postResend serves POST /resend: it starts a new verification of the
// sealed number, on the channel asked for, and cancels the old one.
func (h *handler) postResend(w http.ResponseWriter, r *http.Request) {
	st, ok := h.pendingForm(w, r)
	if !ok {
		return
	}
	ch, f := parseChannel(r.PostForm.Get("channel"), st.Channel)
	var next *state
	if f == nil {
		next, f = h.resend(r, st, ch, userLanguages(r, h.pageLang(r)))
	}
	if f != nil {
		h.failed(w, r, &flash{ID: st.ID, Channel: st.Channel}, f, "code")
		return
	}
	if f := h.seal(w, r, next); f != nil {
		h.show(w, r, f.Status(), f, nil)
		return
	}
	redirect(w, "code")
}

// successPage serves GET /done, only after a successful check.
func (h *handler) successPage(w http.ResponseWriter, r *http.Request) {
	st, f := h.readCookie(r)
	if f != nil || !st.Verified {
		redirect(w, "./")
		return
	}
	p := h.page(r, "success")
	p.Phone, p.Masked, p.Channel, p.ContinueURL = st.Phone, maskForDisplay(st.Phone), st.Channel, h.continueTo
	h.render(w, r, http.StatusOK, p)
}

// seal writes st to the state cookie; the failure, when it cannot, is
// r's.
func (h *handler) seal(w http.ResponseWriter, r *http.Request, st *state) *Failure {
	if err := h.setCookie(w, r, st); err != nil {
		h.logAttrs(r.Context(), slog.LevelError, "verifyhttp: state not sealed", slog.String("error", err.Error()))
		f := &Failure{Code: Unavailable, Err: err}
		noteFailure(r, f)
		return f
	}
	return nil
}

// show answers with the page p (the error page when p is nil) showing f,
// with the given status: f's own, also when a GET shows the failure of
// the POST that redirected to it.
func (h *handler) show(w http.ResponseWriter, r *http.Request, status int, f *Failure, p *Page) {
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	if p == nil {
		p = h.page(r, "error")
	}
	p.Error = f
	h.render(w, r, status, p)
}

// render executes the page's template and writes it with status.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, p *Page) {
	p.Status = status
	h.localize(r, p)
	buf := h.bufs.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		h.bufs.Put(buf)
	}()
	if err := h.templatesFor(p).ExecuteTemplate(buf, p.Name, p); err != nil {
		h.logAttrs(r.Context(), slog.LevelError, "verifyhttp: template failed", slog.String("template", p.Name), slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	setPrivate(hdr)
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len())) // not chunked: the page is whole
	w.WriteHeader(status)
	w.Write(buf.Bytes())
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
