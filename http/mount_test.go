package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rewrite is a router that maps the path the browser asked for to
// another path of the handler, not by cutting a prefix (as
// http.StripPrefix does) but by replacing it.
func rewrite(h http.Handler, to map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := to[r.URL.Path]; ok {
			r.URL.Path = p
		}
		h.ServeHTTP(w, r)
	})
}

// TestRewrittenPath: behind a router that rewrites the path, the state
// cookie is set for the directory of the URL the browser asked for, and
// the state it carries opens at the next page there.
func TestRewrittenPath(t *testing.T) {
	for _, tt := range []struct{ start, code, dir string }{
		{"/start", "/code", "/"},
		{"/signup/start", "/signup/code", "/signup/"},
	} {
		v, err := verify.New(fake.New())
		require.NoError(t, err)
		vh, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret))
		require.NoError(t, err)
		h := rewrite(vh, map[string]string{tt.start: "/", tt.code: "/code"})
		req := httptest.NewRequest(http.MethodPost, tt.start, strings.NewReader("phone=%2B31612345678"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equalf(t, http.StatusSeeOther, rec.Code, "POST %s = %d:\n%s", tt.start, rec.Code, rec.Body)
		c := stateCookie(t, rec)
		assert.Equalf(t, tt.dir, c.Path, "POST %s: cookie path %q, want %q", tt.start, c.Path, tt.dir)
		req = httptest.NewRequest(http.MethodGet, tt.code, nil)
		req.AddCookie(c)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equalf(t, http.StatusOK, rec.Code, "GET %s with the state = %d %q, want the code form", tt.code, rec.Code, rec.Header().Get("Location"))
		assert.Containsf(t, rec.Body.String(), `name="code"`, "GET %s with the state = %d %q, want the code form", tt.code, rec.Code, rec.Header().Get("Location"))
	}
}

// TestMountUnknown: a request with no RequestURI (built in the process,
// not read by net/http's server) does not say where the handler is
// mounted: without WithMountPath the handler refuses it before any call
// to the provider, rather than bind its state to "/" and share it with
// every handler mounted so. With WithMountPath it serves it, and binds
// the state to that path.
func TestMountUnknown(t *testing.T) {
	p := fake.New()
	v, err := verify.New(p)
	require.NoError(t, err)
	post := func(h http.Handler) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/verify/", strings.NewReader("phone=%2B31612345678"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RequestURI = ""
		rec := httptest.NewRecorder()
		http.StripPrefix("/verify", h).ServeHTTP(rec, req)
		return rec
	}

	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret))
	require.NoError(t, err)
	rec := post(h)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Empty(t, rec.Result().Cookies())
	assert.Empty(t, p.Messages(), "a code was sent for a state that cannot be kept")
	req := httptest.NewRequest(http.MethodPost, "/api/start", strings.NewReader(`{"phone":"+31612345678"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RequestURI = ""
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Empty(t, p.Messages())

	h, err = verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMountPath("/verify/"))
	require.NoError(t, err)
	rec = post(h)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/verify/", stateCookie(t, rec).Path)

	for _, bad := range []string{"verify/", "/verify", "verify"} {
		_, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMountPath(bad))
		assert.ErrorIs(t, err, verify.ErrInvalidOption, bad)
	}
}
