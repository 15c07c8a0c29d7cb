package e2e

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
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
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("browser: %s: %v", js, err)
		}
		return s
	}
	// at fails t unless the browser shows path (under /verify/) with the
	// element sel and the heading h1, in German, after exactly n POSTs.
	at := func(step, path, sel, h1 string, n int32) {
		t.Helper()
		do(step+": wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
		loc, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if loc != srv.URL+"/verify/"+path {
			t.Fatalf("%s: at %s, want /verify/%s", step, loc, path)
		}
		if got := posts.Load(); got != n {
			t.Fatalf("%s: %d POSTs so far, want %d (a form was posted again)", step, got, n)
		}
		if lang := eval(`document.documentElement.lang`); lang != "de-DE" {
			t.Errorf("%s: <html lang=%q>, want de-DE (the browser sent Accept-Language %q)", step, lang, lastAccept.Load())
		}
		if got := eval(`document.querySelector("h1").textContent`); got != h1 {
			t.Errorf("%s: heading %q, want %q", step, got, h1)
		}
	}
	reload := func(step, path, sel, h1 string, n int32) {
		t.Helper()
		do(step+": reload", chromedp.Reload())
		at(step+", reloaded", path, sel, h1, n)
	}

	do("open the phone form", chromedp.Navigate(srv.URL+"/verify/"))
	at("phone form", "", "#phone", "Telefonnummer bestätigen", 0)
	if got := eval(`document.querySelector("button[type=submit]").textContent`); got != "Code anfordern" {
		t.Errorf("phone form button %q", got)
	}
	reload("phone form", "", "#phone", "Telefonnummer bestätigen", 0)

	do("send a code",
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("start", "code", "#code", "Gehen Sie ans Telefon", 1)
	screenshot(t, bctx, "de-1-code-countdown")
	msgs := p.Messages()
	if len(msgs) != 1 || msgs[0].Language != "de-de" {
		t.Fatalf("the fake was asked for %+v, want one call in de-de", msgs)
	}
	// The call is in the page's language: the page does not name it.
	if n := eval(`String(document.querySelectorAll(".call-lang").length)`); n != "0" {
		t.Errorf("the code page names the call's language although it is the page's")
	}

	// The resend cooldown: the button says when, and is disabled, then
	// becomes usable.
	resend := `document.querySelector("#resend button[data-wait]")`
	state := eval(`(function(b){return b.disabled+" "+b.textContent})(` + resend + `)`)
	if !regexp.MustCompile(`^true Erneuter Anruf in 0:0[1-4]$`).MatchString(state) {
		t.Errorf("resend button during the cooldown: %q, want disabled and counting down", state)
	}
	if other := eval(`(function(b){return b.disabled+" "+b.textContent})(document.querySelectorAll("#resend button")[1])`); other != "false Lieber per SMS" {
		t.Errorf("the other channel's button: %q, want usable", other)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`(function(b){return !b.disabled && b.textContent === "Neuen Anruf anfordern"})(`+resend+`)`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the resend button did not become usable after the cooldown: %v; it is %q", err,
			eval(`(function(b){return b.disabled+" "+b.textContent})(`+resend+`)`))
	}
	reload("code page", "code", "#code", "Gehen Sie ans Telefon", 1)

	code, ok := p.LastCode(testPhone)
	if !ok {
		t.Fatal("the fake sent no code")
	}
	do("type a wrong code",
		chromedp.SendKeys(chromedp.ID("code"), wrongCode(code)),
		chromedp.Click(chromedp.CSS("#code-form button[type=submit]")))
	at("wrong code", "code", "#alert", "Gehen Sie ans Telefon", 2)
	if got := eval(`document.getElementById("alert").textContent`); !strings.Contains(got, "Dieser Code stimmt nicht.") {
		t.Errorf("wrong code alert %q", got)
	}
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
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	live, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(function(g){return g.getAttribute("role")+" "+g.getAttribute("aria-live")+" ["+g.textContent+"]"})(document.getElementById("gone"))`))
	if err != nil || live != "status polite []" {
		t.Fatalf("live region before the expiry: %q, %v", live, err)
	}
	const expired = "Der Code ist abgelaufen. Fordern Sie unten einen neuen an."
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("gone").textContent === `+"`"+expired+"`",
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("no expiry announced: %v", err)
	}
	state, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("code").disabled+" "+document.querySelector("#code-form button").disabled+" "+document.getElementById("timer").hidden`))
	screenshot(t, bctx, "de-3-code-expired")
	if err != nil || state != "true true true" {
		t.Errorf("after the expiry: code field, button disabled and timer hidden = %q, %v; want all true", state, err)
	}
}
