package http_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
)

// langTransport sends every request with an Accept-Language header, as a
// browser set to that language does.
type langTransport struct{ accept string }

func (t langTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", t.accept)
	return http.DefaultTransport.RoundTrip(r)
}

// speaking returns a browser of e whose language is accept.
func (e *env) speaking(accept string) *browser {
	b := e.browser()
	b.c.Transport = langTransport{accept}
	return b
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
			got := r.get(e, e.speaking(r.accept))
			path := filepath.Join("testdata", r.file+".golden.html")
			if *update {
				if err := os.WriteFile(path, []byte(got.body), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got.body != string(want) {
				t.Errorf("%s differs from %s (status %d); if the change is intended, run with -update:\n%s", r.file, path, got.status, got.body)
			}
		})
	}
}

// TestAPIMessagesLocalized checks that the JSON API's messages come from
// the catalog, in the language of the request.
func TestAPIMessagesLocalized(t *testing.T) {
	e := newEnv(t, envConfig{})
	tests := []struct {
		accept, path, body, want string
	}{
		{"de-DE", "api/start", `{"phone":"+31 6 123"}`, `"message":"Die Nummer ist zu kurz."`},
		{"", "api/start", `{"phone":"+31 6 123"}`, `"message":"The number is too short."`},
		{"ru", "api/start", `{"phone":"+31612345678","channel":"pigeon"}`, `"message":"Поле «channel» отсутствует или заполнено неверно."`},
		{"fr-CA,fr;q=0.9", "api/check", `{"token":"garbage","code":"123456"}`, `"message":"Le jeton est mal formé, a été modifié ou a été émis par un autre serveur."`},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(http.MethodPost, e.base+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", tt.accept)
		r := e.browser().do(req)
		if !strings.Contains(r.body, tt.want) {
			t.Errorf("%s %s (Accept-Language %q) = %d %s, want %s", tt.path, tt.body, tt.accept, r.status, r.body, tt.want)
		}
	}

	// A resend too soon says when a new code can be asked for, with the
	// number of seconds in words.
	req, _ := http.NewRequest(http.MethodPost, e.base+"api/start", strings.NewReader(`{"phone":"`+testPhone+`"}`))
	req.Header.Set("Content-Type", "application/json")
	r := e.browser().do(req)
	_, tok, _ := strings.Cut(r.body, `"token":"`)
	tok, _, _ = strings.Cut(tok, `"`)
	req, _ = http.NewRequest(http.MethodPost, e.base+"api/resend", strings.NewReader(`{"token":"`+tok+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "pl")
	r = e.browser().do(req)
	if want := `"message":"O nowy kod możesz poprosić za 30 sekund."`; r.status != http.StatusTooManyRequests || !strings.Contains(r.body, want) {
		t.Errorf("resend too soon = %d %s, want 429 with %s", r.status, r.body, want)
	}
}

// TestPumpingRefusalIsNeutral: a start the SMS-pumping guard refuses is
// told a neutral text, on the page and in the API, neither the reason nor
// a time to wait.
func TestPumpingRefusalIsNeutral(t *testing.T) {
	e := newEnv(t, envConfig{verifyOpts: []verify.Option{verify.WithPumpingGuard(2, 100, time.Hour)}})
	b := e.speaking("en")
	for _, n := range []string{"+31612340001", "+31612340002"} { // the same range of 10,000 numbers
		if r := b.post("", url.Values{"phone": {n}}); r.status != http.StatusSeeOther || r.location() != "code" {
			t.Fatalf("start %s = %d %s", n, r.status, r.location())
		}
	}
	const neutral = "We cannot send a code to this number right now. Please try again later."
	page := b.follow(b.post("", url.Values{"phone": {"+31612340003"}}))
	if !strings.Contains(page.body, neutral) || strings.Contains(page.body, "Too many requests") {
		t.Errorf("refused start: %d\n%s", page.status, page.body)
	}
	req, _ := http.NewRequest(http.MethodPost, e.base+"api/start", strings.NewReader(`{"phone":"+31612340004"}`))
	req.Header.Set("Content-Type", "application/json")
	r := e.browser().do(req)
	if !strings.Contains(r.body, `"message":"`+neutral+`"`) || !strings.Contains(r.body, `"reason_code":"suspected_pumping"`) {
		t.Errorf("refused API start: %d %s", r.status, r.body)
	}
}
