package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines: the
// app's "terminal".
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNewcomer does what the README asks of a newcomer, in a real headless
// Chromium: open the app, type a number, read the code printed in the
// terminal, type it, and see the success page. In CI (CI=true) a missing
// browser fails the test.
func TestNewcomer(t *testing.T) {
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		const msg = "no Chromium found in PATH (install it with: apt-get install -y chromium)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping the browser test outside CI")
	}

	var terminal syncBuffer
	log := slog.New(slog.NewTextHandler(&terminal, nil))
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "")
	t.Setenv("VERIFY_REGION", "")
	provider, inbox, err := chooseProvider(log)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newHandler(log, provider, inbox, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1024, 768),
	)...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	err = chromedp.Do(bctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "+44 7911 123456"),
		chromedp.Click(chromedp.CSS(`input[value=sms]`)),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#code, #alert")), // fail fast on an error page
	)
	if err != nil {
		t.Fatalf("browser: %v\nterminal:\n%s", err, terminal.String())
	}
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); loc != srv.URL+"/code" {
		t.Fatalf("after the phone form: %s\nterminal:\n%s", loc, terminal.String())
	}
	// The code, as the terminal shows it.
	m := regexp.MustCompile(`msg="fake: code sent" .*phone=\+447911123456 channel=sms code=(\d+)`).FindStringSubmatch(terminal.String())
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
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err == nil {
		dir := filepath.Join(os.TempDir(), "verifyhttp-browser")
		if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(filepath.Join(dir, "webapp-success.png"), shot, 0o644) == nil {
			t.Logf("screenshot: %s", filepath.Join(dir, "webapp-success.png"))
		}
	}
	if !strings.Contains(terminal.String(), `msg="webapp: number verified"`) {
		t.Errorf("the terminal does not report the verification:\n%s", terminal.String())
	}

	// The inbox lists the text.
	err = chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/dev/inbox"))
	body, err2 := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil || err2 != nil || !strings.Contains(body, m[1]) {
		t.Errorf("inbox: %v %v, lacks the code:\n%s", err, err2, body)
	}
}
