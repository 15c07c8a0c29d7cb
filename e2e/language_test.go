package e2e

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPagesInGerman: a browser set to German gets German pages, with
// <html lang="de-DE">, and the fake is asked for a call in German
// ("de-de"). The resend button counts down and is disabled until the
// cooldown ends. After every step, Reload shows the same page and posts
// no form again; so does Back after the success.
func TestPagesInGerman(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860, chromedp.Flag("lang", "de-DE"), chromedp.Flag("accept-lang", "de-DE,de"))
	p := fake.New()
	h := pagesHandler(t, p, []verify.Option{verify.WithResendCooldown(4 * time.Second)})
	var posts atomic.Int32
	var lastAccept atomic.Value
	srv := httptest.NewServer(http.StripPrefix("/verify", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		lastAccept.Store(r.Header.Get("Accept-Language"))
		h.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)

	do := steps(t, bctx)
	eval, _ := page(t, bctx)
	// at fails t unless the browser shows path (under /verify/) with the
	// element sel and the heading h1, in German, after exactly n POSTs.
	at := func(step, path, sel, h1 string, n int32) {
		t.Helper()
		do(step+": wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
		loc, err := chromedp.Run(bctx, chromedp.Location())
		require.NoError(t, err, step)
		require.Equal(t, srv.URL+"/verify/"+path, loc, "%s: the page shown", step)
		require.Equal(t, n, posts.Load(), "%s: POSTs so far (more: a form was posted again)", step)
		assert.Equal(t, "de-DE", eval(`document.documentElement.lang`), "%s: <html lang> (the browser sent Accept-Language %q)", step, lastAccept.Load())
		assert.Equal(t, h1, eval(`document.querySelector("h1").textContent`), "%s: heading", step)
	}
	reload := func(step, path, sel, h1 string, n int32) {
		t.Helper()
		do(step+": reload", chromedp.Reload())
		at(step+", reloaded", path, sel, h1, n)
	}

	do("open the phone form", chromedp.Navigate(srv.URL+"/verify/"))
	at("phone form", "", "#phone", "Telefonnummer bestätigen", 0)
	assert.Equal(t, "Code anfordern", eval(`document.querySelector("button[type=submit]").textContent`), "phone form button")
	reload("phone form", "", "#phone", "Telefonnummer bestätigen", 0)

	do("send a code",
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("start", "code", "#code", "Gehen Sie ans Telefon", 1)
	screenshot(t, bctx, "de-1-code-countdown")
	msgs := p.Messages()
	require.Len(t, msgs, 1, "the fake was asked for one call")
	assert.Equal(t, "de-de", msgs[0].Language, "the call's language")
	// The call is in the page's language: the page does not name it.
	assert.Equal(t, "0", eval(`String(document.querySelectorAll(".call-lang").length)`), "the code page names the call's language although it is the page's")

	// The resend cooldown: the button says when, and is disabled, then
	// becomes usable.
	resend := `document.querySelector("#resend button[data-wait]")`
	state := `(function(b){return b.disabled+" "+b.textContent})(` + resend + `)`
	assert.Regexp(t, `^true Erneuter Anruf in 0:0[1-4]$`, eval(state), "resend button during the cooldown: disabled and counting down")
	assert.Equal(t, "false Lieber per SMS", eval(`(function(b){return b.disabled+" "+b.textContent})(document.querySelectorAll("#resend button")[1])`), "the other channel's button: usable")
	_, err := chromedp.Run(bctx, chromedp.Poll[bool](`(function(b){return !b.disabled && b.textContent === "Neuen Anruf anfordern"})(`+resend+`)`,
		chromedp.WithPollingTimeout(10*time.Second)))
	assert.NoError(t, err, "the resend button did not become usable after the cooldown; it is %q", eval(state))
	reload("code page", "code", "#code", "Gehen Sie ans Telefon", 1)

	code, ok := p.LastCode(testPhone)
	require.True(t, ok, "the fake sent no code")
	do("type a wrong code",
		chromedp.SendKeys(chromedp.ID("code"), wrongCode(code)),
		chromedp.Click(chromedp.CSS("#code-form button[type=submit]")))
	at("wrong code", "code", "#alert", "Gehen Sie ans Telefon", 2)
	assert.Contains(t, eval(`document.getElementById("alert").textContent`), "Dieser Code stimmt nicht.", "wrong code alert")
	reload("wrong code", "code", "#alert", "Gehen Sie ans Telefon", 2)
	screenshot(t, bctx, "de-2-code-wrong")

	do("type the code",
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Click(chromedp.CSS("#code-form button[type=submit]")))
	at("right code", "done", ".done", "Ihre Nummer ist bestätigt", 3)
	reload("success", "done", ".done", "Ihre Nummer ist bestätigt", 3)
	do("back", chromedp.NavigateBack())
	at("back after the success", "done", ".done", "Ihre Nummer ist bestätigt", 3)
}

// TestCodeExpiresInPage: when the code expires while the code page is
// open, the code form is disabled and the change is announced in a live
// region, in the page's language.
func TestCodeExpiresInPage(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860, chromedp.Flag("lang", "de-DE"), chromedp.Flag("accept-lang", "de-DE,de"))
	// The fake's clock runs ten minutes minus three seconds behind: its
	// codes, valid for ten minutes, expire three seconds from now.
	p := fake.New(fake.WithClock(func() time.Time { return time.Now().Add(-10*time.Minute + 3*time.Second) }))
	srv, _ := pagesServer(t, p)
	err := chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+"/verify/"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("code")))
	require.NoError(t, err, "browser: send a code")
	live, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(function(g){return g.getAttribute("role")+" "+g.getAttribute("aria-live")+" ["+g.textContent+"]"})(document.getElementById("gone"))`))
	require.NoError(t, err, "browser: read the live region")
	assert.Equal(t, "status polite []", live, "live region before the expiry")
	const expired = "Der Code ist abgelaufen. Fordern Sie unten einen neuen an."
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("gone").textContent === `+"`"+expired+"`",
		chromedp.WithPollingTimeout(15*time.Second)))
	require.NoError(t, err, "no expiry announced")
	state, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("code").disabled+" "+document.querySelector("#code-form button").disabled+" "+document.getElementById("timer").hidden`))
	screenshot(t, bctx, "de-3-code-expired")
	require.NoError(t, err, "browser: read the code form")
	assert.Equal(t, "true true true", state, "after the expiry: code field disabled, button disabled, timer hidden")
}
