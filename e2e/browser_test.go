package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
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
		require.FailNow(t, msg)
	}
	t.Skip(msg + "; skipping the browser test outside CI")
	return ""
}

// newBrowser starts a headless Chromium with a window of the given size,
// and the options given, and returns its context, closed when the test
// ends.
func newBrowser(t *testing.T, width, height int, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	exe := findBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	all := append(chromedp.DefaultExecAllocatorOptions[:],
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
		chromedp.WindowSize(width, height))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(all, opts...)...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	return bctx
}

// screenshot saves a PNG of the whole page as
// $TMPDIR/verifyhttp-browser/name.png.
func screenshot(t *testing.T, bctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
	require.NoError(t, err, "browser: screenshot")
	dir := filepath.Join(os.TempDir(), "verifyhttp-browser")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644))
}

// syncBuffer is a bytes.Buffer safe for concurrent writers: a program's
// "terminal".
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
