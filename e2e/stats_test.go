package e2e

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
	phoneverify "github.com/phoneverify/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		require.NoError(t, err, "start %s\nterminal:\n%s", phone, terminal.String())
		alert, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.getElementById("alert")||{}).textContent||""`))
		require.NoError(t, err, "start %s: reading the alert", phone)
		return alert
	}
	// verify types the code the terminal shows for e164.
	verify := func(e164, channel string) {
		t.Helper()
		m := regexp.MustCompile(`msg="fake: code \d+ sent" .*phone=` + regexp.QuoteMeta(phoneverify.MaskPhone(e164)) + ` channel=` + channel + ` code=(\d+)`).FindStringSubmatch(terminal.String())
		require.NotNil(t, m, "no code for %s in the terminal:\n%s", e164, terminal.String())
		err := chromedp.Do(bctx,
			chromedp.SendKeys(chromedp.ID("code"), m[1]),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".done")),
		)
		require.NoError(t, err, "verify %s", e164)
	}

	require.Empty(t, start("+44 7400 123456", "sms"), "refused")
	verify("+447400123456", "sms")
	require.Empty(t, start("+44 7400 654321", "sms"), "refused") // never verified
	require.Empty(t, start("+31 6 12345678", "voice"), "refused")
	verify("+31612345678", "voice")
	require.NotEmpty(t, start("+31 900 1234567", "voice"), "a premium-rate number was not refused")

	err := chromedp.Do(bctx, chromedp.Navigate(base+"/dev/stats"), chromedp.WaitVisible(chromedp.ID("chart")))
	require.NoError(t, err, "stats")
	screenshot(t, bctx, "webapp-stats")
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[map[string][]string](`Object.fromEntries([...document.querySelectorAll("#stats tbody tr")].map(r =>
		[r.dataset.region + " " + r.dataset.channel, [...r.cells].slice(2).map(c => c.textContent)]))`))
	require.NoError(t, err)
	// Starts, verified, conversion, refused.
	want := map[string][]string{
		"GB sms":   {"2", "1", "50 %", "0"},
		"NL voice": {"1", "1", "100 %", "1"},
	}
	assert.Equal(t, want, rows, "stats rows")
	totals, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("totals")))
	assert.NoError(t, err, "totals")
	assert.Equal(t, "Starts 3 · verified 2 · refused 1", totals, "totals")
	calls, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("calls")))
	assert.NoError(t, err, "provider calls")
	assert.Equal(t, "5", calls, "provider calls") // three starts and two checks; the refused start called nothing
	reasons, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll("#reasons tbody tr")].map(r =>
		[r.dataset.reason, r.cells[1].textContent]))`))
	assert.NoError(t, err, "refusals")
	assert.Equal(t, map[string]string{"line_type": "1"}, reasons, "refusals: one line_type")
	bars, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#chart rect").length`))
	assert.NoError(t, err, "the chart's bars")
	assert.Equal(t, 4, bars, "the chart's bars: 2 per row")
}
