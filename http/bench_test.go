package http_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
)

// BenchmarkFlow compares, in one run, the whole verification (start, code
// page, check) through the handler on the fake with a trivial net/http
// handler serving three requests, both over loopback HTTP and in-process.
// The target is a flow at most three times the trivial three.
func BenchmarkFlow(b *testing.B) {
	trivial := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.ParseForm()
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
	})
	p := fake.New()
	// Every request comes from 127.0.0.1: lift the per-client limit, keep
	// the others (each iteration verifies a new number).
	v, err := verify.New(p, verify.WithClientLimit(1<<30, time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret))
	if err != nil {
		b.Fatal(err)
	}

	i := 0 // numbers are never reused: each gets a fresh per-number limit
	for _, mode := range []string{"loopback", "inprocess"} {
		b.Run("trivial-3-requests/"+mode, func(b *testing.B) {
			do := newDoer(b, trivial, mode)
			b.ReportAllocs()
			for b.Loop() {
				do("GET", "/", "", "")
				do("POST", "/", "phone=%2B31612345678", "")
				do("POST", "/code", "code=123456", "")
			}
		})
		b.Run("flow/"+mode, func(b *testing.B) {
			do := newDoer(b, h, mode)
			b.ReportAllocs()
			for b.Loop() {
				// A new number each time, as per-number limits would have it.
				phone := fmt.Sprintf("+3161%07d", i%10000000)
				i++
				res := do("POST", "/", "phone="+strings.Replace(phone, "+", "%2B", 1), "")
				if res.StatusCode != http.StatusSeeOther {
					b.Fatalf("start = %d", res.StatusCode)
				}
				cookie := res.Cookies()[0].Name + "=" + res.Cookies()[0].Value
				if res = do("GET", "/code", "", cookie); res.StatusCode != http.StatusOK {
					b.Fatalf("code page = %d", res.StatusCode)
				}
				code, _ := p.LastCode(phone)
				if res = do("POST", "/code", "code="+code, cookie); res.StatusCode != http.StatusSeeOther {
					b.Fatalf("check = %d", res.StatusCode)
				}
			}
		})
	}
}

// newDoer returns a function that sends one request to h, over a loopback
// server with a keep-alive client or straight to ServeHTTP, and returns
// the response with its body read.
func newDoer(b *testing.B, h http.Handler, mode string) func(method, path, form, cookie string) *http.Response {
	var srv *httptest.Server
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if mode == "loopback" {
		srv = httptest.NewServer(h)
		b.Cleanup(srv.Close)
	}
	return func(method, path, form, cookie string) *http.Response {
		var body io.Reader
		if form != "" {
			body = strings.NewReader(form)
		}
		url := "http://example.com" + path
		if srv != nil {
			url = srv.URL + path
		}
		req, err := http.NewRequest(method, url, body)
		if err != nil {
			b.Fatal(err)
		}
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		if srv == nil {
			req.RequestURI = path
			req.RemoteAddr = "127.0.0.1:1234"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Result()
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
}
