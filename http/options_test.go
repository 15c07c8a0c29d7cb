package http_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyRecorder is a Limiter that allows everything and records the
// per-client keys it is asked about.
type keyRecorder struct {
	mu   sync.Mutex
	keys []string
}

func (l *keyRecorder) Allow(ctx context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	if client, ok := strings.CutPrefix(key, "client:"); ok {
		l.mu.Lock()
		l.keys = append(l.keys, client)
		l.mu.Unlock()
	}
	return true, 0, nil
}

func (l *keyRecorder) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.keys) == 0 {
		return "(none)"
	}
	return l.keys[len(l.keys)-1]
}

// TestClientKey: the per-client limit keys IPv4 clients by address and
// IPv6 clients by /64, and a client without a usable address does not
// escape the limit.
func TestClientKey(t *testing.T) {
	tests := []struct {
		name       string
		remoteAddr string
		clientIP   func(*http.Request) string // nil: the default
		want       string
	}{
		{"IPv4", "198.51.100.7:50123", nil, "198.51.100.7"},
		{"IPv6 keyed by its /64", "[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:443", nil, "2001:db8:1:2::/64"},
		{"another address in the same /64", "[2001:db8:1:2::1]:443", nil, "2001:db8:1:2::/64"},
		{"IPv6 with a zone", "[fe80::1%eth0]:443", nil, "fe80::/64"},
		{"IPv4-mapped IPv6", "[::ffff:198.51.100.7]:443", nil, "198.51.100.7"},
		{"empty RemoteAddr", "", nil, "unknown"},
		{"unparsable RemoteAddr", "pipe", nil, "unknown"},
		{"WithClientIP: IPv6", "192.0.2.1:1", func(*http.Request) string { return "2001:db8::7" }, "2001:db8::/64"},
		{"WithClientIP: with a port", "192.0.2.1:1", func(*http.Request) string { return "203.0.113.9:8080" }, "203.0.113.9"},
		{"WithClientIP: header missing", "192.0.2.1:1", func(*http.Request) string { return "" }, "unknown"},
		{"WithClientIP: a list", "192.0.2.1:1", func(r *http.Request) string { return "203.0.113.9, 10.0.0.1" }, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &keyRecorder{}
			v, err := verify.New(fake.New(), verify.WithLimiter(l))
			require.NoError(t, err)
			opts := []verifyhttp.Option{verifyhttp.WithSecret(testSecret)}
			if tt.clientIP != nil {
				opts = append(opts, verifyhttp.WithClientIP(tt.clientIP))
			}
			h, err := verifyhttp.New(v, opts...)
			require.NoError(t, err)
			for _, path := range []string{"/", "/api/start"} {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("phone=%2B31612345678"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if path != "/" {
					req = httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"phone":"+31612345678"}`))
					req.Header.Set("Content-Type", "application/json")
				}
				req.RemoteAddr = tt.remoteAddr
				h.ServeHTTP(httptest.NewRecorder(), req)
				got := l.last()
				assert.Equalf(t, tt.want, got, "POST %s from %q: client key %q, want %q", path, tt.remoteAddr, got, tt.want)
			}
		})
	}
}

// TestSecureCookie: the state cookie is Secure on TLS by default, or as
// WithSecureCookie forces; Secure at the root it takes the __Host-
// prefix, and is read back under that name.
func TestSecureCookie(t *testing.T) {
	tests := []struct {
		name     string
		opts     []verifyhttp.Option
		tls      bool
		mount    string
		secure   bool
		wantName string
	}{
		{"auto, plain HTTP", nil, false, "/verify/", false, "phoneverify"},
		{"auto, TLS", nil, true, "/verify/", true, "__Secure-phoneverify"},
		{"auto, TLS, at the root", nil, true, "/", true, "__Host-phoneverify"},
		{"auto, plain HTTP, at the root", nil, false, "/", false, "phoneverify"},
		{"forced on behind a TLS proxy", []verifyhttp.Option{verifyhttp.WithSecureCookie(true)}, false, "/verify/", true, "__Secure-phoneverify"},
		{"forced on at the root", []verifyhttp.Option{verifyhttp.WithSecureCookie(true)}, false, "/", true, "__Host-phoneverify"},
		{"forced off on TLS", []verifyhttp.Option{verifyhttp.WithSecureCookie(false)}, true, "/", false, "phoneverify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verify.New(fake.New())
			require.NoError(t, err)
			h, err := verifyhttp.New(v, append([]verifyhttp.Option{verifyhttp.WithSecret(testSecret)}, tt.opts...)...)
			require.NoError(t, err)
			if tt.mount != "/" {
				h = http.StripPrefix(strings.TrimSuffix(tt.mount, "/"), h)
			}
			send := func(method, path, body string, c *http.Cookie) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, tt.mount+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tt.tls {
					req.TLS = &tls.ConnectionState{}
				}
				if c != nil {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			rec := send(http.MethodPost, "", "phone=%2B31612345678", nil)
			cs := rec.Result().Cookies()
			require.Equalf(t, http.StatusSeeOther, rec.Code, "start = %d, cookies %v", rec.Code, cs)
			require.Equalf(t, 1, len(cs), "start = %d, cookies %v", rec.Code, cs)
			c := cs[0]
			require.Equalf(t, tt.wantName, c.Name, "cookie %s, Secure=%v, Path=%s; want %s, Secure=%v, Path=%s", c.Name, c.Secure, c.Path, tt.wantName, tt.secure, tt.mount)
			require.Equalf(t, tt.secure, c.Secure, "cookie %s, Secure=%v, Path=%s; want %s, Secure=%v, Path=%s", c.Name, c.Secure, c.Path, tt.wantName, tt.secure, tt.mount)
			require.Equalf(t, tt.mount, c.Path, "cookie %s, Secure=%v, Path=%s; want %s, Secure=%v, Path=%s", c.Name, c.Secure, c.Path, tt.wantName, tt.secure, tt.mount)
			require.Equalf(t, "", c.Domain, "cookie %s, Secure=%v, Path=%s; want %s, Secure=%v, Path=%s", c.Name, c.Secure, c.Path, tt.wantName, tt.secure, tt.mount)
			rec = send(http.MethodGet, "code", "", c)
			require.Equalf(t, http.StatusOK, rec.Code, "GET code with the cookie = %d %q, want 200", rec.Code, rec.Header().Get("Location"))
			// The other name is not read.
			other := &http.Cookie{Name: "__Host-phoneverify", Value: c.Value}
			if c.Name == other.Name {
				other.Name = "phoneverify"
			}
			rec = send(http.MethodGet, "code", "", other)
			require.Equalf(t, http.StatusSeeOther, rec.Code, "GET code with the cookie named %s = %d, want a redirect to start again", other.Name, rec.Code)
		})
	}
}
