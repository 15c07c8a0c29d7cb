package e2e

import (
	"fmt"
	"reflect"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
	phoneverify "github.com/phoneverify/verify"
)

// TestWebappStats runs a few verifications in a real headless Chromium,
// then opens /dev/stats and checks that its numbers are what was done.
func TestWebappStats(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 1024, 900)
	base, terminal := startWebapp(t)

	// start submits the phone form; it returns the text of the page's alert,
	// if the start was refused.
	start := func(phone, channel string) string {
		t.Helper()
		err := chromedp.Do(bctx,
			chromedp.Navigate(base),
			chromedp.WaitVisible(chromedp.ID("phone")),
			chromedp.Clear(chromedp.ID("phone")),
			chromedp.SendKeys(chromedp.ID("phone"), phone),
			chromedp.Click(chromedp.CSS(`input[value=`+channel+`]`)),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#code, #alert")),
		)
		if err != nil {
			t.Fatalf("start %s: %v\nterminal:\n%s", phone, err, terminal.String())
		}
		alert, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.getElementById("alert")||{}).textContent||""`))
		if err != nil {
			t.Fatalf("start %s: reading the alert: %v", phone, err)
		}
		return alert
	}
	// verify types the code the terminal shows for e164.
	verify := func(e164, channel string) {
		t.Helper()
		m := regexp.MustCompile(`msg="fake: code \d+ sent" .*phone=` + regexp.QuoteMeta(phoneverify.MaskPhone(e164)) + ` channel=` + channel + ` code=(\d+)`).FindStringSubmatch(terminal.String())
		if m == nil {
			t.Fatalf("no code for %s in the terminal:\n%s", e164, terminal.String())
		}
		err := chromedp.Do(bctx,
			chromedp.SendKeys(chromedp.ID("code"), m[1]),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".done")),
		)
		if err != nil {
			t.Fatalf("verify %s: %v", e164, err)
		}
	}

	if alert := start("+44 7400 123456", "sms"); alert != "" {
		t.Fatalf("refused: %s", alert)
	}
	verify("+447400123456", "sms")
	if alert := start("+44 7400 654321", "sms"); alert != "" { // never verified
		t.Fatalf("refused: %s", alert)
	}
	if alert := start("+31 6 12345678", "voice"); alert != "" {
		t.Fatalf("refused: %s", alert)
	}
	verify("+31612345678", "voice")
	if alert := start("+31 900 1234567", "voice"); alert == "" { // premium rate
		t.Fatal("a premium-rate number was not refused")
	}

	err := chromedp.Do(bctx, chromedp.Navigate(base+"/dev/stats"), chromedp.WaitVisible(chromedp.ID("chart")))
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	screenshot(t, bctx, "webapp-stats")
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[map[string][]string](`Object.fromEntries([...document.querySelectorAll("#stats tbody tr")].map(r =>
		[r.dataset.region + " " + r.dataset.channel, [...r.cells].slice(2).map(c => c.textContent)]))`))
	if err != nil {
		t.Fatal(err)
	}
	// Starts, verified, conversion, refused.
	want := map[string][]string{
		"GB sms":   {"2", "1", "50 %", "0"},
		"NL voice": {"1", "1", "100 %", "1"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("stats rows %v, want %v", rows, want)
	}
	totals, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("totals")))
	if want := "Starts 3 · verified 2 · refused 1"; err != nil || totals != want {
		t.Errorf("totals %q, %v; want %q", totals, err, want)
	}
	calls, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("calls")))
	if err != nil || calls != "5" { // three starts and two checks; the refused start called nothing
		t.Errorf("provider calls %q, %v; want 5", calls, err)
	}
	reasons, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll("#reasons tbody tr")].map(r =>
		[r.dataset.reason, r.cells[1].textContent]))`))
	if err != nil || fmt.Sprint(reasons) != "map[line_type:1]" {
		t.Errorf("refusals %v, %v; want one line_type", reasons, err)
	}
	bars, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#chart rect").length`))
	if err != nil || bars != 4 {
		t.Errorf("the chart has %d bars, %v; want 2 per row", bars, err)
	}
}
