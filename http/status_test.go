package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusPhone is the fake with a Status that answers phone as the
// verification's number: "" for a provider whose status leaves it out.
type statusPhone struct {
	*fake.Provider
	phone string
}

func (p statusPhone) Status(ctx context.Context, id string) (*verify.Verification, error) {
	ver, err := p.Provider.Status(ctx, id)
	if ver != nil {
		ver.Phone = p.phone
	}
	return ver, err
}

// TestAlreadyUsedNeedsTheSameNumber: a token sent again after its check
// succeeded is refused as already_used (409) when the provider's status
// says verified without naming the number, or naming the token's; when
// it names another number, the token is only expired (410).
func TestAlreadyUsedNeedsTheSameNumber(t *testing.T) {
	for _, tt := range []struct {
		phone      string
		status     int
		code, name string
	}{
		{"", http.StatusConflict, "already_used", "no number"},
		{testPhone, http.StatusConflict, "already_used", "the same number"},
		{"+31687654321", http.StatusGone, "expired", "another number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fp := fake.New()
			h := handlerOn(t, statusPhone{fp, tt.phone}, func(http.ResponseWriter, *http.Request, *verify.Verification) {})
			var out struct{ Token string }
			rec := serveWith(context.Background(), h, "/api/start", "application/json", `{"phone":"`+testPhone+`"}`, nil)
			err := json.Unmarshal(rec.Body.Bytes(), &out)
			require.Nilf(t, err, "start = %d %s", rec.Code, rec.Body)
			require.NotEmptyf(t, out.Token, "start = %d %s", rec.Code, rec.Body)
			code, _ := fp.LastCode(testPhone)
			body := `{"token":"` + out.Token + `","code":"` + code + `"}`
			rec = serveWith(context.Background(), h, "/api/check", "application/json", body, nil)
			require.Equalf(t, http.StatusOK, rec.Code, "check = %d %s", rec.Code, rec.Body)
			rec = serveWith(context.Background(), h, "/api/check", "application/json", body, nil)
			var got struct{ Error struct{ Code string } }
			err = json.Unmarshal(rec.Body.Bytes(), &got)
			require.Nilf(t, err, "check again = %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
			require.Equalf(t, tt.status, rec.Code, "check again = %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
			require.Equalf(t, tt.code, got.Error.Code, "check again = %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
		})
	}
}

// noExpiry is the fake with a Start whose answer gives no expiry, as a
// provider that does not say how long its codes live.
type noExpiry struct{ *fake.Provider }

func (p noExpiry) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	ver, err := p.Provider.Start(ctx, req)
	if ver != nil {
		ver.ExpiresAt = time.Time{}
	}
	return ver, err
}

// TestStartWithoutExpiry: when the provider gives no expiry, the code is
// taken to live 10 minutes, and the API says so.
func TestStartWithoutExpiry(t *testing.T) {
	h := handlerOn(t, noExpiry{fake.New()}, func(http.ResponseWriter, *http.Request, *verify.Verification) {})
	before := time.Now().Truncate(time.Second)
	rec := serveWith(context.Background(), h, "/api/start", "application/json", `{"phone":"`+testPhone+`"}`, nil)
	after := time.Now()
	var out struct {
		ExpiresAt time.Time `json:"expires_at"`
	}
	err := json.Unmarshal(rec.Body.Bytes(), &out)
	require.Nilf(t, err, "start = %d %s", rec.Code, rec.Body)
	require.Equalf(t, http.StatusOK, rec.Code, "start = %d %s", rec.Code, rec.Body)
	assert.Falsef(t, out.ExpiresAt.Before(before.Add(10*time.Minute)) || out.ExpiresAt.After(after.Add(10*time.Minute)), "expires_at %v, want 10 minutes after the start (%v..%v)", out.ExpiresAt, before, after)
}
