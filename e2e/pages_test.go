package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

const testPhone = "+31612345678"

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// pagesHandler returns the pages of a Verifier over p with vopts, sealed
// with testSecret, with hopts.
func pagesHandler(t *testing.T, p verify.Provider, vopts []verify.Option, hopts ...verifyhttp.Option) http.Handler {
	t.Helper()
	v, err := verify.New(p, vopts...)
	require.NoError(t, err)
	h, err := verifyhttp.New(v, append([]verifyhttp.Option{verifyhttp.WithSecret(testSecret)}, hopts...)...)
	require.NoError(t, err)
	return h
}

// steps returns a function that runs browser steps in bctx and fails t,
// saying what was being done, when one fails.
func steps(t *testing.T, bctx context.Context) func(what string, steps ...chromedp.Action[chromedp.Void]) {
	return func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(bctx, steps...), "browser: %s", what)
	}
}

// pagesServer serves the pages of p at /verify/ of a loopback server, with
// whatever more adds to its mux, and counts the OnVerified calls for
// testPhone.
func pagesServer(t *testing.T, p verify.Provider, more ...func(*http.ServeMux)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var verified atomic.Int32
	h := pagesHandler(t, p, nil, verifyhttp.WithOnVerified(func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
		if ver.Phone == testPhone {
			verified.Add(1)
		}
	}))
	mux := http.NewServeMux()
	mux.Handle("/verify/", http.StripPrefix("/verify", h))
	for _, f := range more {
		f(mux)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &verified
}

// TestPages runs the whole flow in a real headless Chromium: it types a
// number, switches to SMS, reads the code from the fake, types it and sees
// the success page. Screenshots of each page are kept in
// $TMPDIR/verifyhttp-browser/.
func TestPages(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860)
	p := fake.New()
	srv, verified := pagesServer(t, p)

	do := steps(t, bctx)
	text := func(sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		require.NoError(t, err, "browser: text of %s", sel)
		return s
	}
	lastCode := func() string {
		t.Helper()
		c, ok := p.LastCode(testPhone)
		require.True(t, ok, "the fake sent no code")
		return c
	}

	do("open the phone form", chromedp.Navigate(srv.URL+"/verify/"), chromedp.WaitVisible(chromedp.ID("phone")))
	screenshot(t, bctx, "1-phone")
	do("type the number",
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("code")))
	lead := text(chromedp.CSS(".lead"))
	screenshot(t, bctx, "2-code-voice")

	// Ask for a text instead: the resend form and its relative action
	// work from the code page.
	do("text me instead",
		chromedp.Click(chromedp.Search(`//button[contains(., "Text me instead")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Check your messages")]`)))
	code := lastCode()

	// A wrong code is refused on the same page.
	do("type a wrong code",
		chromedp.SendKeys(chromedp.ID("code"), wrongCode(code)),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("alert")))
	bad := text(chromedp.CSS("#alert"))
	screenshot(t, bctx, "3-code-wrong")

	do("type the code",
		chromedp.SendKeys(chromedp.ID("code"), code[:3]+" "+code[3:]),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".done")))
	heading := text(chromedp.CSS("h1"))
	url, err := chromedp.Run(bctx, chromedp.Location())
	require.NoError(t, err)
	screenshot(t, bctx, "4-success")

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
	screenshot(t, bctx, "5-phone-dark-narrow")
	t.Logf("screenshots in %s", filepath.Join(os.TempDir(), "verifyhttp-browser"))

	assert.Contains(t, lead, "We are calling +31 6 •••• 5678", "the code page's lead")
	assert.Contains(t, bad, "That code is not right", "the wrong code's alert")
	assert.Equal(t, srv.URL+"/verify/done", url, "where the flow ended")
	assert.Equal(t, "Your number is verified", heading, "the heading it ended on")
	assert.Equal(t, int32(1), verified.Load(), "OnVerified calls")
	msgs := p.Messages()
	require.Len(t, msgs, 2, "messages: want a call then a text")
	assert.Equal(t, verify.SMS, msgs[1].Channel, "the second message: a text")
}

// slowFirstStart is the fake with a first Start that holds its answer
// until released, after the code was sent: a provider slow to reply.
type slowFirstStart struct {
	*fake.Provider
	held    atomic.Bool
	entered chan struct{}
	release chan struct{}
	starts  atomic.Int32
}

func (p *slowFirstStart) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	p.starts.Add(1)
	ver, err := p.Provider.Start(ctx, req)
	if p.held.CompareAndSwap(false, true) {
		close(p.entered)
		<-p.release
	}
	return ver, err
}

// TestPagesDoubleClick clicks "Send me a code" a second time while the
// provider is slow to answer the first click. The page sends the form
// once, so the user reaches the code page; a second request would have
// made the browser abandon the first and met the resend cooldown (429).
//
// The clicks run in the page: chromedp's own actions wait for a pending
// navigation to end. The page learns that the first request reached the
// provider from /e2e/entered, and reports the second click to
// /e2e/clicked with a beacon, which outlives the page.
func TestPagesDoubleClick(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860)
	p := &slowFirstStart{Provider: fake.New(), entered: make(chan struct{}), release: make(chan struct{})}
	clicked := make(chan string, 1)
	srv, _ := pagesServer(t, p, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /e2e/entered", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-p.entered:
			case <-r.Context().Done():
			}
		})
		mux.HandleFunc("POST /e2e/clicked", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			select {
			case clicked <- string(b):
			default:
			}
		})
	})
	var once sync.Once
	release := func() { once.Do(func() { close(p.release) }) }
	t.Cleanup(release) // before the server closes, which waits for the held request

	err := chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+"/verify/"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Evaluate[chromedp.Void](`(function(){
			var b = document.querySelector("button[type=submit]");
			b.click();
			fetch("/e2e/entered").then(function(){
				b.click();
				navigator.sendBeacon("/e2e/clicked", b.getAttribute("aria-disabled") || "(none)");
			});
		})()`))
	require.NoError(t, err, "browser: clicks")
	select {
	case busy := <-clicked:
		assert.Equal(t, "true", busy, "the button's aria-disabled after a submit")
	case <-bctx.Done():
		require.FailNow(t, "no second click reported")
	}
	release()
	require.NoError(t, chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("#code, #alert"))), "browser: after the clicks")
	url, err := chromedp.Run(bctx, chromedp.Location())
	require.NoError(t, err)
	body, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
	assert.Equal(t, srv.URL+"/verify/code", url, "after a double click, the page says:\n%s", body)
	assert.Equal(t, int32(1), p.starts.Load(), "starts that reached the provider")
}

// TestPagesStopThenResubmit presses Stop (window.stop, as Esc does) while
// the provider is slow to answer "Send me a code". The guard that sends
// each form once must not leave the form dead until a reload: it re-arms
// after 15 seconds, and the next click submits again.
//
// The page's setTimeout is replaced before the click, so that the test
// learns the delay the guard asked for and runs the timer itself rather
// than wait for it. The page reports to /e2e/state with a beacon.
func TestPagesStopThenResubmit(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860)
	p := &slowFirstStart{Provider: fake.New(), entered: make(chan struct{}), release: make(chan struct{})}
	reported := make(chan string, 1)
	srv, _ := pagesServer(t, p, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /e2e/entered", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-p.entered:
			case <-r.Context().Done():
			}
		})
		mux.HandleFunc("POST /e2e/state", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			select {
			case reported <- string(b):
			default:
			}
		})
	})
	var once sync.Once
	release := func() { once.Do(func() { close(p.release) }) }
	t.Cleanup(release)

	err := chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+"/verify/"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Evaluate[chromedp.Void](`(function(){
			var timers = [], setTimeout0 = window.setTimeout;
			window.setTimeout = function(f, ms) { timers.push({f: f, ms: ms}); return setTimeout0(function(){}, 1e9); };
			var b = document.querySelector("button[type=submit]");
			b.click();
			fetch("/e2e/entered").then(function(){
				window.stop();
				var state = {stopped: b.getAttribute("aria-disabled") || "(none)", delays: timers.map(function(t){ return t.ms; })};
				timers.forEach(function(t){ t.f(); }); // the delay has passed
				state.rearmed = b.getAttribute("aria-disabled") || "(none)";
				state.busy = b.form.getAttribute("aria-busy") || "(none)";
				navigator.sendBeacon("/e2e/state", JSON.stringify(state));
				b.click();
			});
		})()`))
	require.NoError(t, err, "browser: click, Stop, click again")
	const want = `{"stopped":"true","delays":[15000],"rearmed":"(none)","busy":"(none)"}`
	select {
	case got := <-reported:
		require.Equal(t, want, got, "the guard after Stop and its delay")
	case <-bctx.Done():
		require.FailNow(t, "no state reported")
	}
	release()
	// The click after the delay submitted the form: a page answered it
	// (the code page, or the phone form saying the first request's
	// cooldown is running).
	ctx, cancel := context.WithTimeout(bctx, 20*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#code, #alert"))), "browser: the form did not submit again after the guard re-armed")
}
