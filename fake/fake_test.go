package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/verifytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newClock() *verifytest.Clock {
	return verifytest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

func TestConformance(t *testing.T) {
	verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
		c := newClock()
		p := fake.New(fake.WithClock(c.Now))
		return verifytest.Harness{
			Provider: p,
			Code: func(ver *verify.Verification) string {
				code, _ := p.Code(ver.ID)
				return code
			},
			Advance: c.Advance,
			Stall:   p.StallNext,
		}
	})
}

func TestMessagesRecordTheRenderedText(t *testing.T) {
	c := newClock()
	p := fake.New(fake.WithCode("424242"), fake.WithClock(c.Now))
	req := verifytest.Request("+31612345678")
	req.Template = "Code %token, again: %token"
	req.Voice = verify.Male
	req.Language = "nl-nl"
	req.Originator = "MyApp"
	req.Reference = "user42"
	ver, err := p.Start(context.Background(), req)
	require.NoError(t, err)
	msgs := p.Messages()
	require.Len(t, msgs, 1, "Messages()")
	m := msgs[0]
	want := fake.Message{
		ID: ver.ID, Phone: "+31612345678", Channel: verify.Voice,
		Text: "Code 424242, again: 424242", Code: "424242",
		Voice: verify.Male, Language: "nl-nl", Originator: "MyApp", Reference: "user42",
		SentAt: c.Now(), ExpiresAt: c.Now().Add(10 * time.Minute), MaxAttempts: 3,
	}
	require.Equal(t, want, m, "message")
	code, ok := p.LastCode("+31612345678")
	require.True(t, ok, "LastCode")
	require.Equal(t, "424242", code, "LastCode")
	_, ok = p.LastCode("+31600000000")
	require.False(t, ok, "LastCode of a number never sent to reports a code")
	// Messages returns a copy.
	msgs[0].Code = "changed"
	require.Equal(t, "424242", p.Messages()[0].Code, "changing the slice from Messages changed the provider")
}

func TestLastCodeIsTheNewest(t *testing.T) {
	p := fake.New()
	var last string
	for range 3 {
		ver, err := p.Start(context.Background(), verifytest.Request("+31612345678"))
		require.NoError(t, err)
		last, _ = p.Code(ver.ID)
	}
	got, _ := p.LastCode("+31612345678")
	require.Equal(t, last, got, "LastCode, want the newest code")
}

func TestRandomCodes(t *testing.T) {
	p := fake.New()
	seen := map[string]bool{}
	digitCount := [10]int{}
	for range 200 {
		req := verifytest.Request("+31612345678")
		req.TokenLength = 10
		ver, err := p.Start(context.Background(), req)
		require.NoError(t, err)
		code, _ := p.Code(ver.ID)
		require.Regexp(t, `^[0-9]{10}$`, code, "want 10 digits")
		for _, c := range code {
			digitCount[c-'0']++
		}
		require.False(t, seen[code], "code %q was drawn twice", code)
		seen[code] = true
	}
	// 2,000 uniform digits: each appears about 200 times; fewer than 100 or
	// more than 300 would mean the generator is broken, not unlucky.
	for d, n := range digitCount {
		assert.GreaterOrEqual(t, n, 100, "times digit %d appeared in 2000", d)
		assert.LessOrEqual(t, n, 300, "times digit %d appeared in 2000", d)
	}
}

func TestFailNext(t *testing.T) {
	p := fake.New(fake.WithCode("123456"))
	p.FailNext(verify.ErrUnavailable)
	_, err := p.Start(context.Background(), verifytest.Request("+31612345678"))
	require.ErrorIs(t, err, verify.ErrUnavailable, "Start after FailNext")
	require.Empty(t, p.Messages(), "a failed Start recorded a message")
	ver, err := p.Start(context.Background(), verifytest.Request("+31612345678"))
	require.NoError(t, err, "the failure was not used up by one call")
	limited := &verify.RateLimitError{RetryAfter: time.Minute}
	p.FailNext(limited)
	_, err = p.Check(context.Background(), ver.ID, "123456")
	require.ErrorIs(t, err, limited, "Check after FailNext, want the injected error")
	p.FailNext(verify.ErrUnavailable)
	_, err = p.Status(context.Background(), ver.ID)
	require.ErrorIs(t, err, verify.ErrUnavailable, "Status after FailNext")
	p.FailNext(verify.ErrUnavailable)
	require.ErrorIs(t, p.Cancel(context.Background(), ver.ID), verify.ErrUnavailable, "Cancel after FailNext")
	_, err = p.Check(context.Background(), ver.ID, "123456")
	require.NoError(t, err, "Check after the injected failures")
}

func TestStartRefusesMalformedRequests(t *testing.T) {
	p := fake.New()
	for name, mutate := range map[string]func(*verify.Request){
		"national number": func(r *verify.Request) { r.Phone = "0612345678" },
		"empty number":    func(r *verify.Request) { r.Phone = "" },
		"channel":         func(r *verify.Request) { r.Channel = "pigeon" },
		"validity":        func(r *verify.Request) { r.Validity = 0 },
		"max attempts":    func(r *verify.Request) { r.MaxAttempts = 0 },
	} {
		req := verifytest.Request("+31612345678")
		mutate(&req)
		_, err := p.Start(context.Background(), req)
		assert.Error(t, err, "%s: Start accepted %+v", name, req)
		if pe := (*verify.PhoneError)(nil); errors.As(err, &pe) {
			assert.Equal(t, "format", pe.Code, "%s: PhoneError code", name)
		}
	}
	require.Empty(t, p.Messages(), "refused requests recorded messages")
}

func TestLoggerWritesTheCode(t *testing.T) {
	var buf bytes.Buffer
	p := fake.New(fake.WithCode("987654"), fake.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	_, err := p.Start(context.Background(), verifytest.Request("+31612345678"))
	require.NoError(t, err)
	require.Contains(t, buf.String(), `msg="fake: code 987654 sent"`, "the log does not lead with the code")
	require.Contains(t, buf.String(), "phone=+31******678", "the log does not mask the number")
	require.NotContains(t, buf.String(), "+31612345678", "the log shows the whole number")
}

func TestInbox(t *testing.T) {
	p := fake.New()
	for _, phone := range []string{"+31612345678", "+31687654321"} {
		_, err := p.Start(context.Background(), verifytest.Request(phone))
		require.NoError(t, err)
	}
	first, _ := p.LastCode("+31612345678")
	second, _ := p.LastCode("+31687654321")

	t.Run("HTML", func(t *testing.T) {
		rec := httptest.NewRecorder()
		p.Inbox().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		body := rec.Body.String()
		require.Equal(t, 200, rec.Code, "status")
		require.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html"), "type %q", rec.Header().Get("Content-Type"))
		i, j := strings.Index(body, second), strings.Index(body, first)
		require.GreaterOrEqual(t, i, 0, "the page does not list %s:\n%s", second, body)
		require.GreaterOrEqual(t, j, 0, "the page does not list %s:\n%s", first, body)
		require.LessOrEqual(t, i, j, "the page does not list %s before %s:\n%s", second, first, body)
		// The text is marked with its language, which the page names.
		lang := verifytest.Request("+31612345678").Language
		require.Contains(t, body, `lang="`+lang+`">`, "the page does not mark the language")
		require.Contains(t, body, " in "+lang+" ·", "the page does not name the language")
	})
	t.Run("JSON", func(t *testing.T) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept", "application/json")
		p.Inbox().ServeHTTP(rec, req)
		var got struct {
			Messages []struct{ Phone, Code, Channel, Language string }
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), rec.Body.String())
		require.Len(t, got.Messages, 2)
		require.Equal(t, second, got.Messages[0].Code, "want newest first")
		require.Equal(t, first, got.Messages[1].Code, "want newest first")
		require.Equal(t, "voice", got.Messages[0].Channel)
		require.Equal(t, verifytest.Request("+31612345678").Language, got.Messages[0].Language)
	})
	t.Run("POST", func(t *testing.T) {
		rec := httptest.NewRecorder()
		p.Inbox().ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
		require.Equal(t, http.StatusMethodNotAllowed, rec.Code, "POST: status")
	})
}
