package http_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
)

// TestMessagesPercent: a text of WithMessages writes a percent sign as
// "%%"; a lone "%" at its end, which would show on the page as
// "%!(NOVERB)", is refused by New with a clear error.
func TestMessagesPercent(t *testing.T) {
	v, err := verify.New(fake.New())
	if err != nil {
		t.Fatal(err)
	}
	_, err = verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMessages("en", map[string]string{"phone_submit": "Send 100%"}))
	if !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), `"phone_submit": its arguments "%" differ from the English text's (none)`) {
		t.Errorf("New with a lone %% at the end: %v, want ErrInvalidOption naming the text and its arguments", err)
	}
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMessages("en", map[string]string{"phone_submit": "Send 100%%"}))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "Send 100%</button>") {
		t.Errorf("phone form = %d, want the button \"Send 100%%\":\n%s", rec.Code, body)
	}
}

// TestMessagesArgumentsError: New's error for a text whose arguments
// differ names the English text's arguments, or says it has none.
func TestMessagesArgumentsError(t *testing.T) {
	v, err := verify.New(fake.New())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ id, text, want string }{
		{"code_lead_sms", "SMS gesendet.", `its arguments "" differ from the English text's (%s)`},
		{"phone_submit", "Code an %s", `its arguments "%s" differ from the English text's (none)`},
	} {
		_, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithMessages("de", map[string]string{tt.id: tt.text}))
		if !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s = %q: New = %v, want an error with %s", tt.id, tt.text, err, tt.want)
		}
	}
}
