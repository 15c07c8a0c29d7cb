package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/webapp: %v\n%s", err, out)
	}

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
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("webapp did not stop cleanly: %v\n%s", err, terminal.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("webapp ignored SIGTERM:\n%s", terminal.String())
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
			t.Fatalf("the webapp exited: %v\n%s", err, terminal.String())
		case <-timeout:
			t.Fatalf("the webapp printed no URL to open:\n%s", terminal.String())
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
	if err != nil {
		t.Fatalf("browser: %v\nterminal:\n%s", err, terminal.String())
	}
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); loc != base+"/code" {
		t.Fatalf("after the phone form: %s\nterminal:\n%s", loc, terminal.String())
	}
	// The code, as the terminal shows it.
	m := regexp.MustCompile(`msg="fake: code \d+ sent" .*phone=\+44\*+456 channel=sms code=(\d+)`).FindStringSubmatch(terminal.String())
	if m == nil {
		t.Fatalf("no code in the terminal:\n%s", terminal.String())
	}
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("code"), m[1]),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".done")),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	heading, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || heading != "Your number is verified" {
		t.Fatalf("ended on %q, %v", heading, err)
	}
	screenshot(t, bctx, "webapp-success")
	if !strings.Contains(terminal.String(), `msg="webapp: number verified"`) {
		t.Errorf("the terminal does not report the verification:\n%s", terminal.String())
	}

	// The inbox lists the text.
	err = chromedp.Do(bctx, chromedp.Navigate(base+"/dev/inbox"))
	body, err2 := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil || err2 != nil || !strings.Contains(body, m[1]) {
		t.Errorf("inbox: %v %v, lacks the code:\n%s", err, err2, body)
	}
}
