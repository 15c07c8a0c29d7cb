package http_test

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenPages compares each rendered page with testdata/*.golden.html.
// After an intended change to a template, run: go test ./http -run Golden -update
func TestGoldenPages(t *testing.T) {
	tests := []struct {
		name string
		get  func(e *env, b *browser) *response
		cfg  envConfig
	}{
		{"phone", func(e *env, b *browser) *response { return b.get("") }, envConfig{}},
		{"phone_app", func(e *env, b *browser) *response { return b.get("") }, envConfig{verifyOpts: []verify.Option{verify.WithAppName("Acme")}}},
		{"phone_premium_rate", func(e *env, b *browser) *response {
			return b.post("", url.Values{"phone": {"+31 906 1234"}, "channel": {"voice"}})
		}, envConfig{}},
		{"phone_invalid", func(e *env, b *browser) *response {
			return b.post("", url.Values{"phone": {"+31 6 123"}, "channel": {"sms"}})
		}, envConfig{}},
		{"phone_session", func(e *env, b *browser) *response { return b.get("?e=session_expired") }, envConfig{}},
		{"code_voice", func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			e.clock.Advance(2*time.Minute + 15*time.Second)
			return b.get("code")
		}, envConfig{}},
		{"code_sms_wrong", func(e *env, b *browser) *response {
			code := b.started(testPhone, "sms")
			return b.post("code", url.Values{"code": {wrongCode(code)}})
		}, envConfig{}},
		{"code_expired", func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			e.clock.Advance(11 * time.Minute)
			return b.get("code")
		}, envConfig{}},
		{"code_rate_limited", func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			return b.post("resend", url.Values{}) // within the resend cooldown

		}, envConfig{}},
		{"code_resent", func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			e.clock.Advance(12 * time.Second)
			b.post("resend", url.Values{"channel": {"sms"}}) // a switch: both channels in their cooldowns
			e.clock.Advance(5 * time.Second)
			return b.get("code")
		}, envConfig{}},
		{"code_already_used", func(e *env, b *browser) *response {
			code := b.started(testPhone, "voice")
			old := b.cookie()
			b.post("code", url.Values{"code": {code}})
			b.setCookie(old.Value)
			return b.post("code", url.Values{"code": {code}})
		}, envConfig{}},
		{"code_too_many_attempts", func(e *env, b *browser) *response {
			code := b.started(testPhone, "voice")
			for range 4 {
				b.post("code", url.Values{"code": {wrongCode(code)}})
			}
			return b.post("code", url.Values{"code": {wrongCode(code)}}) // the fifth: the fake's last attempt
		}, envConfig{}},
		{"success", func(e *env, b *browser) *response {
			code := b.started(testPhone, "voice")
			b.post("code", url.Values{"code": {code}})
			return b.get("done")
		}, envConfig{}},
		{"error_cross_origin", func(e *env, b *browser) *response {
			return b.postRaw("", "application/x-www-form-urlencoded", "phone=1", "Sec-Fetch-Site", "cross-site")
		}, envConfig{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			b := e.browser()
			r := b.follow(tt.get(e, b)) // a failed POST: the page it redirects to
			checkGolden(t, tt.name, r, tt.name == "phone")
		})
	}
}

// checkGolden compares the page r with testdata/name.golden.html, which
// holds its <main> element, or the whole page when whole is set (one
// page is kept whole: the document around <main>, and its style, is the
// same on every page). With -update it writes the file instead.
func checkGolden(t *testing.T, name string, r *response, whole bool) {
	t.Helper()
	got := r.body
	if !whole {
		start, end := strings.Index(got, "<main"), strings.Index(got, "</main>")
		require.True(t, start >= 0 && end > start, "no <main> in the page (status %d):\n%s", r.status, got)
		got = got[start:end+len("</main>")] + "\n"
	}
	path := filepath.Join("testdata", name+".golden.html")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), got, "%s differs from %s (status %d); if the change is intended, run with -update", name, path, r.status)
}

// TestGoldenLanguages compares pages in each built-in language with
// testdata/lang_*.golden.html. After an intended change to a template or
// a text, run: go test ./http -run GoldenLanguages -update
func TestGoldenLanguages(t *testing.T) {
	type page struct {
		name string
		cfg  envConfig
		get  func(e *env, b *browser) *response
	}
	perLanguage := []page{
		{"phone_invalid", envConfig{}, func(e *env, b *browser) *response {
			return b.follow(b.post("", url.Values{"phone": {"+31 6 123"}, "channel": {"sms"}}))
		}},
		{"code_sms_wrong", envConfig{}, func(e *env, b *browser) *response {
			code := b.started(testPhone, "sms")
			e.clock.Advance(12 * time.Second)
			return b.follow(b.post("code", url.Values{"code": {wrongCode(code)}}))
		}},
	}
	type run struct {
		file, accept string
		page
	}
	var runs []run
	// English without a region is TestGoldenPages' phone_invalid and
	// code_sms_wrong; lang_en_phone_region below covers an en-US browser.
	for _, lang := range []string{"nl", "de", "fr", "es", "it", "pt-BR", "pt-PT", "pl", "ro", "ru", "zh-Hans", "zh-Hant", "ja", "ko", "is"} {
		for _, p := range perLanguage {
			runs = append(runs, run{"lang_" + lang + "_" + p.name, lang, p})
		}
	}
	runs = append(runs,
		// The call is in English: the German page says so, in German.
		run{"lang_de_code_call_language", "de-DE,de;q=0.9", page{"", envConfig{verifyOpts: []verify.Option{verify.WithLanguage("en-gb")}}, func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			return b.get("code")
		}}},
		// A region refused: its name, not its ISO code.
		run{"lang_en_phone_region", "en-US", page{"", envConfig{verifyOpts: []verify.Option{verify.WithAllowedRegions("DE")}}, func(e *env, b *browser) *response {
			return b.follow(b.post("", url.Values{"phone": {testPhone}, "channel": {"voice"}}))
		}}},
		// Too early for a new code, in Russian, with the plural form.
		run{"lang_ru_code_resend_early", "ru-RU", page{"", envConfig{}, func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			e.clock.Advance(9 * time.Second)
			return b.follow(b.post("resend", url.Values{"channel": {"voice"}}))
		}}},
		// A malformed code: how many digits.
		run{"lang_pl_code_malformed", "pl", page{"", envConfig{}, func(e *env, b *browser) *response {
			b.started(testPhone, "voice")
			return b.follow(b.post("code", url.Values{"code": {"12 34"}}))
		}}},
		// The success page with a way on.
		run{"lang_ja_success", "ja", page{"", envConfig{httpOpts: []verifyhttp.Option{verifyhttp.WithContinueURL("/account")}}, func(e *env, b *browser) *response {
			code := b.started(testPhone, "sms")
			b.post("code", url.Values{"code": {code}})
			return b.get("done")
		}}},
	)
	for _, r := range runs {
		t.Run(r.file, func(t *testing.T) {
			e := newEnv(t, r.cfg)
			checkGolden(t, r.file, r.get(e, e.speaking(r.accept)), false)
		})
	}
}
