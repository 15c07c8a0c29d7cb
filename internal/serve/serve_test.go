package serve

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true,
		"127.1.2.3:0":    true,
		"[::1]:8080":     true,
		"localhost:8080": true,
		"LOCALHOST:1":    true,
		":8080":          false,
		"0.0.0.0:8080":   false,
		"[::]:8080":      false,
		"10.0.0.1:8080":  false,
		"example.com:80": false,
		"127.0.0.1":      false, // no port: not an address net.Listen takes
	} {
		assert.Equal(t, want, IsLoopback(addr), addr)
	}
}

func TestAddr(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	assert.Equal(t, "127.0.0.1:8080", Addr(env(nil), "8080", true))
	assert.Equal(t, ":8080", Addr(env(nil), "8080", false))
	assert.Equal(t, "127.0.0.1:9000", Addr(env(map[string]string{"PORT": "9000"}), "8080", true))
	assert.Equal(t, ":9000", Addr(env(map[string]string{"PORT": "9000"}), "8080", false))
	assert.Equal(t, ":7000", Addr(env(map[string]string{"ADDR": ":7000", "PORT": "9000"}), "8080", true))
}

// TestLocalOnly: a DNS-rebinding page sends its own Host, and gets nothing.
func TestLocalOnly(t *testing.T) {
	h := LocalOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("code 123456")) }))
	for host, want := range map[string]int{
		"localhost:8080":      http.StatusOK,
		"localhost":           http.StatusOK,
		"127.0.0.1:8080":      http.StatusOK,
		"[::1]:8080":          http.StatusOK,
		"attacker.example":    http.StatusNotFound,
		"attacker.example:80": http.StatusNotFound,
		"192.168.1.2:8080":    http.StatusNotFound,
		"":                    http.StatusNotFound,
	} {
		r := httptest.NewRequest("GET", "/dev/inbox", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, want, w.Code, "Host %q", host)
		if want != http.StatusOK {
			assert.NotContains(t, w.Body.String(), "123456", "Host %q", host)
		}
	}
}
