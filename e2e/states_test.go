package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// page returns functions that read the page of bctx: eval runs a script
// and returns its string, at waits for sel and returns the location.
func page(t *testing.T, bctx context.Context) (eval func(js string) string, at func(sel string) string) {
	eval = func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		require.NoError(t, err, "browser: %s", js)
		return s
	}
	at = func(sel string) string {
		t.Helper()
		require.NoError(t, chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(sel))), "browser: wait for %s", sel)
		loc, err := chromedp.Run(bctx, chromedp.Location())
		require.NoError(t, err)
		return loc
	}
	return eval, at
}

// waitFor waits until the script cond is true in the page of bctx, or
// fails t after timeout.
func waitFor(t *testing.T, bctx context.Context, what, cond string, timeout time.Duration) {
	t.Helper()
	_, err := chromedp.Run(bctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(timeout)))
	require.NoError(t, err, "browser: wait for %s", what)
}

// buttons describes the resend buttons: for each, whether it is disabled
// and its text.
const buttons = `Array.from(document.querySelectorAll("#resend button")).map(function(b){return b.disabled+" "+b.textContent}).join("|")`

// TestPagesStates walks the code page through its states, as a user with
// JavaScript sees them, and has axe-core check each in light and dark
// mode: the phone form naming the app, a refused number, the code page,
// the page after a switch to SMS (a notice announced to screen readers,
// every resend button disabled with its countdown), a resend clicked too
// early (as without JavaScript), and the success page.
func TestPagesStates(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 900)
	p := fake.New()
	srv, verified := pagesServer(t, p)
	appSrv := newServer(t, pagesHandler(t, fake.New(), []verify.Option{verify.WithAppName("Acme")}))
	do := steps(t, bctx)
	eval, at := page(t, bctx)

	do("open the phone form of an app", chromedp.Navigate(appSrv+"/verify/"))
	at("#phone")
	assert.Equal(t, "Acme will call you and read out a short code, or text it to you if you prefer.", eval(`document.querySelector(".lead").textContent`))
	checkA11y(t, bctx, "phone form")
	do("a premium-rate number",
		chromedp.SendKeys(chromedp.ID("phone"), "+31 906 1234"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("#alert")
	assert.Contains(t, eval(`document.getElementById("alert").textContent`), "Premium-rate numbers cannot be verified.")
	checkA11y(t, bctx, "phone form, premium-rate number")

	// The browser keeps cookies by host, not port: the other server's
	// phone form shows the refused number again.
	do("open the phone form", chromedp.Navigate(srv.URL+"/verify/"))
	at("#phone")
	do("send a code",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("phone").value = ""`),
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("#code")
	assert.Equal(t, "0", eval(`String(document.querySelectorAll("#notice").length)`), "a notice before any resend")
	// With the script, the time left counts down, and the time the code
	// works until is the user's own.
	assert.Equal(t, "false", eval(`String(document.getElementById("timer").hidden)`))
	assert.NotContains(t, eval(`document.getElementById("until").textContent`), "UTC")
	checkA11y(t, bctx, "code page")

	do("text me instead", chromedp.Click(chromedp.Search(`//button[contains(., "Text me instead")]`)))
	at("#notice")
	waitFor(t, bctx, "the notice is said", `document.getElementById("notice").textContent !== ""`, 5*time.Second)
	assert.Equal(t, "status We have texted you a new code. Only the newest code works.", eval(`(function(n){return n.getAttribute("role")+" "+n.textContent})(document.getElementById("notice"))`))
	// Both channels were used within the cooldown: both buttons wait.
	assert.Regexp(t, regexp.MustCompile(`^true Text me again in 0:[0-3]\d\|true Call me again in 0:[0-3]\d$`), eval(buttons))
	screenshot(t, bctx, "states-1-resent")
	checkA11y(t, bctx, "code page after a resend")

	// Without JavaScript the buttons are not disabled: a click too early
	// is told how long to wait.
	do("ask for a call too early", chromedp.Evaluate[chromedp.Void](`(function(b){b.disabled=false;b.click()})(document.querySelectorAll("#resend button")[1])`))
	at("#alert")
	assert.Regexp(t, `You can ask for a new code in \d+ seconds?\.`, eval(`document.getElementById("alert").textContent`))
	assert.Len(t, p.Messages(), 2, "the early click reached the provider")
	checkA11y(t, bctx, "code page, resend too early")

	code, ok := p.LastCode(testPhone)
	require.True(t, ok)
	do("type the code",
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Click(chromedp.CSS("#code-form button[type=submit]")))
	at(".done")
	assert.Equal(t, int32(1), verified.Load())
	checkA11y(t, bctx, "success page")
}

// newServer serves h at /verify/ of a loopback server and returns its URL.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(http.StripPrefix("/verify", h))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestPagesBackAndTheSameNumber: on the code page the user presses Back
// and sends the same number again: the live code page of the verification
// in progress, with no error and no second call.
func TestPagesBackAndTheSameNumber(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860)
	p := fake.New()
	srv, _ := pagesServer(t, p)
	do := steps(t, bctx)
	eval, at := page(t, bctx)
	do("send a code",
		chromedp.Navigate(srv.URL+"/verify/"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("#code")
	do("back", chromedp.NavigateBack())
	at("#phone")
	do("the same number again",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("phone").value = "+31 6 12345678"`),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	loc := at("#code")
	assert.Equal(t, srv.URL+"/verify/code", loc)
	assert.Equal(t, "Answer your phone", eval(`document.querySelector("h1").textContent`))
	assert.Equal(t, "0", eval(`String(document.querySelectorAll("#alert").length)`), "an error on the code page: %s", eval(`document.body.innerText`))
	assert.Len(t, p.Messages(), 1, "a second call was made")
}

// TestPagesCodeExpires: the code expires while the code page is open (the
// fake's clock runs so that its codes expire four seconds after they are
// sent): the page turns into its expired state, with its own heading, a
// clear action for a new code on either channel and no "Missed the
// call?"; a reload shows the same state from the server. axe-core checks
// both.
func TestPagesCodeExpires(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 900)
	p := fake.New(fake.WithClock(func() time.Time { return time.Now().Add(-10*time.Minute + 4*time.Second) }))
	// A cooldown shorter than the code's life, as with the defaults.
	srv := newServer(t, pagesHandler(t, p, []verify.Option{verify.WithResendCooldown(2 * time.Second)}))
	do := steps(t, bctx)
	eval, at := page(t, bctx)
	do("send a code",
		chromedp.Navigate(srv+"/verify/"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("#code")
	expired := func(when string) {
		t.Helper()
		assert.Equal(t, "Your code has expired", eval(`document.querySelector("h1").textContent`), when)
		assert.NotContains(t, eval(`document.body.innerText`), "Missed the call?", when)
		assert.Contains(t, eval(`document.body.innerText`), "Codes work for a short time only.", when)
		assert.Equal(t, "false Call me with a new code|false Text me a new code", eval(buttons), when)
		assert.Equal(t, "", eval(`(function(f){return f && !f.hidden ? "the code form" : ""})(document.getElementById("code-form"))`), when)
	}
	waitFor(t, bctx, "the expiry", `document.querySelector("h1").textContent === "Your code has expired"`, 20*time.Second)
	expired("at the expiry")
	assert.Equal(t, "The code has expired. Ask for a new one below.", eval(`document.getElementById("gone").textContent`))
	screenshot(t, bctx, "states-2-expired")
	checkA11y(t, bctx, "code page at the expiry")
	do("reload", chromedp.Reload())
	at("#resend")
	expired("after a reload")
	screenshot(t, bctx, "states-3-expired-reloaded")
	checkA11y(t, bctx, "code page after the expiry, reloaded")

	do("a new code", chromedp.Click(chromedp.Search(`//button[contains(., "Text me a new code")]`)))
	at("#code")
	assert.Equal(t, "Check your messages", eval(`document.querySelector("h1").textContent`))
	assert.Len(t, p.Messages(), 2)
}

// TestPagesFullWidthDigits: a number and a code typed in full-width
// digits, as a Japanese input method types them, verify.
func TestPagesFullWidthDigits(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860)
	p := fake.New()
	srv, verified := pagesServer(t, p)
	do := steps(t, bctx)
	_, at := page(t, bctx)
	fullWidth := func(s string) string {
		return strings.Map(func(r rune) rune {
			if '0' <= r && r <= '9' {
				return r - '0' + '０'
			}
			return r
		}, s)
	}
	do("type the number in full-width digits",
		chromedp.Navigate(srv.URL+"/verify/"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "＋３１　６　１２３４５６７８"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("#code")
	code, ok := p.LastCode(testPhone)
	require.True(t, ok)
	do("type the code in full-width digits",
		chromedp.SendKeys(chromedp.ID("code"), fullWidth(code)),
		chromedp.Click(chromedp.CSS("#code-form button[type=submit]")))
	at(".done")
	assert.Equal(t, int32(1), verified.Load())
}

// TestPagesTraditionalChinese: a browser in Taiwan gets the pages in
// Traditional characters, labelled zh-Hant-TW.
func TestPagesTraditionalChinese(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860, chromedp.Flag("lang", "zh-TW"), chromedp.Flag("accept-lang", "zh-TW,zh"))
	srv, _ := pagesServer(t, fake.New())
	do := steps(t, bctx)
	eval, at := page(t, bctx)
	do("open the phone form", chromedp.Navigate(srv.URL+"/verify/"))
	at("#phone")
	assert.Equal(t, "zh-Hant-TW", eval(`document.documentElement.lang`))
	assert.Equal(t, "驗證電話號碼", eval(`document.querySelector("h1").textContent`)) // Simplified: 验证电话号码
	checkA11y(t, bctx, "phone form in Traditional Chinese")
	do("send a code",
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("#code")
	assert.Equal(t, "請接聽電話", eval(`document.querySelector("h1").textContent`)) // Simplified: 请接听电话
	checkA11y(t, bctx, "code page in Traditional Chinese")
}
