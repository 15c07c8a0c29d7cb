package http_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMessageBirdEmulator runs the pages on the real MessageBird adapter
// against its wire-level emulator: MessageBird's answers to a used code
// ("already been processed") and to a deleted verification (404) must
// lead to the same pages as the fake's.
func TestMessageBirdEmulator(t *testing.T) {
	mb := mbtest.NewServer()
	defer mb.Close()
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(mb.URL))
	require.NoError(t, err)
	v, err := verify.New(p)
	require.NoError(t, err)
	var verified atomic.Int32
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret),
		verifyhttp.WithOnVerified(func(http.ResponseWriter, *http.Request, *verify.Verification) { verified.Add(1) }))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/verify/", http.StripPrefix("/verify", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	b := (&env{t: t, srv: srv, base: srv.URL + "/verify/"}).browser()

	r := b.post("", url.Values{"phone": {testPhone}})
	require.Equalf(t, http.StatusSeeOther, r.status, "start = %d:\n%s", r.status, r.body)
	first, _ := mb.LastCode(testPhone)
	// Switch to SMS: the first verification is deleted at MessageBird.
	r = b.post("resend", url.Values{"channel": {"sms"}})
	require.Equalf(t, http.StatusSeeOther, r.status, "resend = %d:\n%s", r.status, r.body)
	code, _ := mb.LastCode(testPhone)
	r = b.submit("code", url.Values{"code": {wrongCode(code)}})
	require.Equalf(t, http.StatusUnprocessableEntity, r.status, "wrong code = %d", r.status)
	if first != code {
		r := b.submit("code", url.Values{"code": {first}})
		require.Equalf(t, http.StatusUnprocessableEntity, r.status, "the first code = %d, want 422", r.status)
	}

	// Two checks were used above; the Verifier allows 5 in all, and
	// refuses the ones beyond before the provider (too many attempts).
	const n = 3
	results := make([]*response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = b.submit("code", url.Values{"code": {code}}) })
	}
	wg.Wait()
	winners := 0
	for i, r := range results {
		switch {
		case r.status == http.StatusSeeOther && r.location() == "done":
			winners++
		case r.status == http.StatusConflict && strings.Contains(r.body, "This code was already used"):
		default:
			assert.Failf(t, "unexpected answer", "concurrent check %d = %d %q, want 303 to done or 409 already_used:\n%s", i, r.status, r.location(), r.body)
		}
	}
	assert.NotEmpty(t, winners, "no concurrent check reached the success page")
	got := verified.Load()
	require.EqualValuesf(t, 1, got, "OnVerified ran %d times, want 1", got)
	r = b.get("done")
	require.Equalf(t, http.StatusOK, r.status, "GET /done = %d", r.status)
}
