package e2e

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/require"
)

// TestPagesBackAndReload: one wrong code, then the right one, then Reload
// and Back through every step. Every POST, failed or not, was answered
// with a redirect, so the history holds only GETs: Reload and Back never
// post a form again (no "Confirm Form Resubmission", no error page), the
// reloaded error is shown again, and Back after the success lands on the
// success page.
func TestPagesBackAndReload(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, 480, 860)
	p := fake.New()
	h := pagesHandler(t, p, nil)
	var posts atomic.Int32
	srv := httptest.NewServer(http.StripPrefix("/verify", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		h.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)

	do := steps(t, bctx)
	// at fails t unless the browser shows path (under /verify/) with the
	// element sel, after exactly n POSTs in all.
	at := func(step, path, sel string, n int32) {
		t.Helper()
		do(step+": wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
		loc, err := chromedp.Run(bctx, chromedp.Location())
		require.NoError(t, err, step)
		// Equal to a page of the server: not a chrome-error: page either.
		require.Equal(t, srv.URL+"/verify/"+path, loc, "%s: the page shown", step)
		require.Equal(t, n, posts.Load(), "%s: POSTs so far (more: a form was posted again)", step)
	}

	do("open the phone form", chromedp.Navigate(srv.URL+"/verify/"))
	at("open", "", "#phone", 0)
	do("send a code",
		chromedp.SendKeys(chromedp.ID("phone"), "+31 6 12345678"),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("start", "code", "#code", 1)
	code, ok := p.LastCode(testPhone)
	require.True(t, ok, "the fake sent no code")
	do("type a wrong code",
		chromedp.SendKeys(chromedp.ID("code"), wrongCode(code)),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("wrong code", "code", "#alert", 2)
	do("reload the error", chromedp.Reload())
	at("reload after the wrong code", "code", "#alert", 2)

	do("type the code",
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit]")))
	at("right code", "done", ".done", 3)
	do("reload the success", chromedp.Reload())
	at("reload after the success", "done", ".done", 3)

	// Back: the code page after the wrong code, then the code page after
	// the start, both now leading to the success page; then the form.
	do("back", chromedp.NavigateBack())
	at("back once", "done", ".done", 3)
	do("back", chromedp.NavigateBack())
	at("back twice", "done", ".done", 3)
	do("back", chromedp.NavigateBack())
	at("back to the start", "", "#phone", 3)
}
