package http_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMessagesPercent: a text of WithMessages writes a percent sign as
// "%%"; a lone "%" at its end, which would show on the page as
// "%!(NOVERB)", is refused by New with a clear error.
func TestMessagesPercent(t *testing.T) {
	v, err := verify.New(fake.New())
	require.NoError(t, err)
	_, err = verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMessages("en", map[string]string{"phone_submit": "Send 100%"}))
	require.ErrorIsf(t, err, verify.ErrInvalidOption, "New with a lone %% at the end: %v, want ErrInvalidOption naming the text and its arguments", err)
	assert.Containsf(t, err.Error(), `"phone_submit": its arguments "%" differ from the English text's (none)`, "New with a lone %% at the end: %v, want ErrInvalidOption naming the text and its arguments", err)
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMessages("en", map[string]string{"phone_submit": "Send 100%%"}))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	assert.Equalf(t, http.StatusOK, rec.Code, "phone form = %d, want the button \"Send 100%%\":\n%s", rec.Code, body)
	assert.Containsf(t, body, "Send 100%</button>", "phone form = %d, want the button \"Send 100%%\":\n%s", rec.Code, body)
}

// TestMessagesArgumentsError: New's error for a text whose arguments
// differ names the English text's arguments, or says it has none.
func TestMessagesArgumentsError(t *testing.T) {
	v, err := verify.New(fake.New())
	require.NoError(t, err)
	for _, tt := range []struct{ id, text, want string }{
		{"code_lead_sms", "SMS gesendet.", `its arguments "" differ from the English text's (%s)`},
		{"phone_submit", "Code an %s", `its arguments "%s" differ from the English text's (none)`},
	} {
		_, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMessages("de", map[string]string{tt.id: tt.text}))
		require.ErrorIsf(t, err, verify.ErrInvalidOption, "%s = %q: New = %v, want an error with %s", tt.id, tt.text, err, tt.want)
		assert.Containsf(t, err.Error(), tt.want, "%s = %q: New = %v, want an error with %s", tt.id, tt.text, err, tt.want)
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
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", tt.accept)
		r := e.browser().do(req)
		assert.Containsf(t, r.body, tt.want, "%s %s (Accept-Language %q) = %d %s, want %s", tt.path, tt.body, tt.accept, r.status, r.body, tt.want)
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
	want := `"message":"O nowy kod możesz poprosić za 30 sekund."`
	assert.Equalf(t, http.StatusTooManyRequests, r.status, "resend too soon = %d %s, want 429 with %s", r.status, r.body, want)
	assert.Containsf(t, r.body, want, "resend too soon = %d %s, want 429 with %s", r.status, r.body, want)
}

// TestPumpingRefusalIsNeutral: a start the SMS-pumping guard refuses is
// told a neutral text, on the page and in the API, neither the reason nor
// a time to wait.
func TestPumpingRefusalIsNeutral(t *testing.T) {
	e := newEnv(t, envConfig{verifyOpts: []verify.Option{verify.WithPumpingGuard(2, 100, time.Hour)}})
	b := e.speaking("en")
	for _, n := range []string{"+31612340001"} { // one client's share of a range: a tenth of the guard's 2, at least 1
		r := b.post("", url.Values{"phone": {n}})
		require.Equalf(t, http.StatusSeeOther, r.status, "start %s = %d %s", n, r.status, r.location())
		require.Equalf(t, "code", r.location(), "start %s = %d %s", n, r.status, r.location())
	}
	const neutral = "We cannot send a code to this number right now. Please try again later."
	page := b.follow(b.post("", url.Values{"phone": {"+31612340003"}}))
	assert.Containsf(t, page.body, neutral, "refused start: %d\n%s", page.status, page.body)
	assert.NotContainsf(t, page.body, "Too many requests", "refused start: %d\n%s", page.status, page.body)
	req, _ := http.NewRequest(http.MethodPost, e.base+"api/start", strings.NewReader(`{"phone":"+31612340004"}`))
	req.Header.Set("Content-Type", "application/json")
	r := e.browser().do(req)
	assert.Containsf(t, r.body, `"message":"`+neutral+`"`, "refused API start: %d %s", r.status, r.body)
	assert.Containsf(t, r.body, `"reason_code":"suspected_pumping"`, "refused API start: %d %s", r.status, r.body)
}
