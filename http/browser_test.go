package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
)

// findBrowser returns the path of a Chromium-like browser. In CI (CI=true)
// a missing browser fails the test: the end-to-end check must not
// silently disappear.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium found in PATH (install it with: apt-get install -y chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + "; skipping the browser test outside CI")
	return ""
}

// TestBrowser runs the whole flow in a real headless Chromium: it types a
// number, switches to SMS, reads the code from the fake, types it and sees
// the success page. Screenshots of each page are kept in
// $TMPDIR/verifyhttp-browser/.
func TestBrowser(t *testing.T) {
	exe := findBrowser(t)

	p := fake.New()
	v, err := verify.New(p)
	if err != nil {
		t.Fatal(err)
	}
	var verified atomic.Int32
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret),
		verifyhttp.WithOnVerified(func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
			if ver.Phone == testPhone {
				verified.Add(1)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/verify/", http.StripPrefix("/verify", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // needed as root, as in containers and CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(480, 860),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	shots := filepath.Join(os.TempDir(), "verifyhttp-browser")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	text := func(sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("browser: text of %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("browser: screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lastCode := func() string {
		t.Helper()
		c, ok := p.LastCode(testPhone)
		if !ok {
			t.Fatal("the fake sent no code")
		}
		return c
	}

	do("open the phone form", chromedp.Navigate(srv.URL+"/verify/"), chromedp.WaitVisible(chromedp.ID("phone")))
	shot("1-phone")
	do("type the number",
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("code")))
	lead := text(chromedp.CSS(".lead"))
	shot("2-code-voice")

	// Ask for a text instead: the resend form and its relative action
	// work from the code page.
	do("text me instead",
		chromedp.Click(chromedp.Search(`//button[contains(., "Text me instead")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Check your messages")]`)))
	code := lastCode()

	// A wrong code is refused on the same page.
	wrong := wrongCode(code)
	do("type a wrong code",
		chromedp.SendKeys(chromedp.ID("code"), wrong),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("alert")))
	bad := text(chromedp.CSS("#alert"))
	shot("3-code-wrong")

	do("type the code",
		chromedp.SendKeys(chromedp.ID("code"), code[:3]+" "+code[3:]),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".done")))
	heading := text(chromedp.CSS("h1"))
	url, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	shot("4-success")

	// The pages in dark mode, on a narrow phone screen.
	do("dark mode",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
			})
			return err
		}),
		chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(srv.URL+"/verify/"),
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("alert")))
	shot("5-phone-dark-narrow")
	t.Logf("screenshots in %s", shots)

	if !strings.Contains(lead, "We are calling +31 6 •••• 5678") {
		t.Errorf("code page says %q", lead)
	}
	if !strings.Contains(bad, "That code is not right") {
		t.Errorf("wrong code alert = %q", bad)
	}
	if heading != "Your number is verified" || url != srv.URL+"/verify/done" {
		t.Errorf("ended on %s with %q", url, heading)
	}
	if n := verified.Load(); n != 1 {
		t.Errorf("OnVerified ran %d times, want 1", n)
	}
	if msgs := p.Messages(); len(msgs) != 2 || msgs[1].Channel != verify.SMS {
		t.Errorf("messages = %+v, want a call then a text", msgs)
	}
}
