package http_test

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenPages compares each rendered page with testdata/*.golden.html.
// After an intended change to a template, run: go test ./http -run Golden -update
func TestGoldenPages(t *testing.T) {
	tests := []struct {
		name string
		get  func(e *env, b *browser) *response
	}{
		{"phone", func(e *env, b *browser) *response { return b.get("") }},
		{"phone_invalid", func(e *env, b *browser) *response {
			return b.post("", url.Values{"phone": {"+31 6 123"}, "channel": {"sms"}})
		}},
		{"phone_session", func(e *env, b *browser) *response { return b.get("?e=session_expired") }},
		{"code_voice", func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			e.clock.Advance(2*time.Minute + 15*time.Second)
			return b.get("code")
		}},
		{"code_sms_wrong", func(e *env, b *browser) *response {
			code := b.started(testPhone, "sms")
			return b.post("code", url.Values{"code": {wrongCode(code)}})
		}},
		{"code_expired", func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			e.clock.Advance(11 * time.Minute)
			return b.get("code")
		}},
		{"code_rate_limited", func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			return b.post("resend", url.Values{}) // within the resend cooldown

		}},
		{"code_already_used", func(e *env, b *browser) *response {
			code := b.started(testPhone, "voice")
			old := b.cookie()
			b.post("code", url.Values{"code": {code}})
			b.setCookie(old.Value)
			return b.post("code", url.Values{"code": {code}})
		}},
		{"success", func(e *env, b *browser) *response {
			code := b.started(testPhone, "voice")
			b.post("code", url.Values{"code": {code}})
			return b.get("done")
		}},
		{"error_cross_origin", func(e *env, b *browser) *response {
			return b.postRaw("", "application/x-www-form-urlencoded", "phone=1", "Sec-Fetch-Site", "cross-site")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			b := e.browser()
			r := b.follow(tt.get(e, b)) // a failed POST: the page it redirects to
			path := filepath.Join("testdata", tt.name+".golden.html")
			if *update {
				if err := os.WriteFile(path, []byte(r.body), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if r.body != string(want) {
				t.Errorf("%s differs from %s (status %d); if the change is intended, run with -update:\n%s", tt.name, path, r.status, r.body)
			}
		})
	}
}
