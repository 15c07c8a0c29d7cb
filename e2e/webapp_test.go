package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startWebapp builds examples/webapp (a module of its own) and runs it as the README's quick
// start does, on the fake provider, on a free port. It returns the URL the
// app prints and its terminal (standard error). The app is interrupted,
// and waited for, when the test ends.
func startWebapp(t *testing.T) (string, *syncBuffer) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "webapp")
	build := exec.Command("go", "build", "-o", bin, "./webapp")
	build.Dir = "../examples" // the examples' module
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./examples/webapp\n%s", out)

	var terminal syncBuffer
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"PORT=0", // any free port; the app prints the one it got
		"ADDR=",
		"MESSAGEBIRD_ACCESS_KEY=",
		"VERIFY_REGION=",
		"VERIFY_SECRET=0123456789abcdef0123456789abcdef",
	)
	cmd.Stdout, cmd.Stderr = &terminal, &terminal
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			assert.NoError(t, err, "webapp did not stop cleanly\n%s", terminal.String())
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			assert.Fail(t, "webapp ignored SIGTERM", "terminal:\n%s", terminal.String())
		}
	})

	open := regexp.MustCompile(`webapp: open (http://localhost:\d+)`)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(30 * time.Second)
	for {
		if m := open.FindStringSubmatch(terminal.String()); m != nil {
			return m[1], &terminal
		}
		select {
		case err := <-done:
			done <- err // for the cleanup
			require.FailNow(t, "the webapp exited", "%v\n%s", err, terminal.String())
		case <-timeout:
			require.FailNow(t, "the webapp printed no URL to open", "terminal:\n%s", terminal.String())
		case <-tick.C:
		}
	}
}

// TestWebappNewcomer does what the README asks of a newcomer, in a real
// headless Chromium: run the web app, open the URL it prints, type a
// number, read the code printed in the terminal, type it, and see the
// success page; the app's inbox lists the code.
func TestWebappNewcomer(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 1024, 768)
	base, terminal := startWebapp(t)

	err := chromedp.Do(bctx,
		chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "+44 7911 123456"),
		chromedp.Click(chromedp.CSS(`input[value=sms]`)),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#code, #alert")), // fail fast on an error page
	)
	require.NoError(t, err, "browser: the phone form\nterminal:\n%s", terminal.String())
	loc, _ := chromedp.Run(bctx, chromedp.Location())
	require.Equal(t, base+"/code", loc, "after the phone form\nterminal:\n%s", terminal.String())
	// The code, as the terminal shows it.
	m := regexp.MustCompile(`msg="fake: code \d+ sent" .*phone=\+44\*+456 channel=sms code=(\d+)`).FindStringSubmatch(terminal.String())
	require.NotNil(t, m, "no code in the terminal:\n%s", terminal.String())
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("code"), m[1]),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".done")),
	)
	require.NoError(t, err, "browser: the code")
	heading, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("h1")))
	require.NoError(t, err, "browser: the heading")
	require.Equal(t, "Your number is verified", heading, "the heading it ended on")
	screenshot(t, bctx, "webapp-success")
	assert.Contains(t, terminal.String(), `msg="webapp: number verified"`, "the terminal reports the verification")

	// The inbox lists the text.
	err = chromedp.Do(bctx, chromedp.Navigate(base+"/dev/inbox"))
	assert.NoError(t, err, "browser: open the inbox")
	body, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
	assert.NoError(t, err, "browser: read the inbox")
	assert.Contains(t, body, m[1], "the inbox lists the code")
}
