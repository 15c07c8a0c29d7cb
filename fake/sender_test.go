package fake_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSenderRecordsTheMessage(t *testing.T) {
	c := newClock()
	s := fake.NewSender(fake.WithClock(c.Now), fake.WithCode("999999"))
	m := verify.Message{
		Phone: "+31612345678", Channel: verify.Voice, Text: "Your code is 4, 2, 4, 2, 4, 2. Again: 4, 2, 4, 2, 4, 2.",
		Language: "nl-nl", Voice: verify.Male, Originator: "MyApp", Reference: "user42",
	}
	require.NoError(t, s.Send(context.Background(), m))
	want := fake.Message{
		Phone: m.Phone, Channel: m.Channel, Text: m.Text, Code: "424242", Voice: m.Voice,
		Language: m.Language, Originator: m.Originator, Reference: m.Reference, SentAt: c.Now(),
	}
	require.Equal(t, []fake.Message{want}, s.Messages(), "Messages()")
	code, ok := s.LastCode(m.Phone)
	require.True(t, ok, "LastCode")
	require.Equal(t, "424242", code, "LastCode")
	_, ok = s.LastCode("+31600000000")
	require.False(t, ok, "LastCode of a number never sent to reports a code")
}

// TestSenderLastCodeReadsTheText: the code is the longest run of digits
// with only spaces and commas between them, as the otp package writes it
// for each channel and language.
func TestSenderLastCodeReadsTheText(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Your code is 123456.", "123456"},
		{"Your code is 1, 2, 3, 4, 5, 6. Again: 1, 2, 3, 4, 5, 6.", "123456"},
		{"Your Acme 2024 code is 0, 0, 7, 1, 2, 3, 4, 5.", "00712345"},
		{"您的验证码是 1、2、3、4、5、6。", "123456"},
		{"您的验证码是 1，2，3，4，5，6。", "123456"},
		{"Code 654321.\n\n@example.com #654321", "654321"},
		{"1234 then 56789", "56789"},
		{"4321, 8765", "43218765"},
		// Of two runs as long, the first: whether the second ends the text or not.
		{"Code 123456. Help desk: 654321.", "123456"},
		{"Code 123456. Help desk: 654321", "123456"},
		{"no digits", ""},
	}
	for _, tt := range tests {
		s := fake.NewSender()
		require.NoError(t, s.Send(context.Background(), verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: tt.text}))
		got, ok := s.LastCode("+31612345678")
		assert.True(t, ok, "LastCode after %q", tt.text)
		assert.Equal(t, tt.want, got, "LastCode after %q", tt.text)
	}
}

func TestSenderRefusesMalformedMessages(t *testing.T) {
	s := fake.NewSender()
	for name, tt := range map[string]struct {
		m    verify.Message
		want error
	}{
		"national number": {verify.Message{Phone: "0612345678", Channel: verify.SMS, Text: "1"}, verify.ErrInvalidPhone},
		"channel":         {verify.Message{Phone: "+31612345678", Channel: verify.Auto, Text: "1"}, verify.ErrInvalidOption},
		"empty text":      {verify.Message{Phone: "+31612345678", Channel: verify.SMS}, verify.ErrInvalidOption},
		"invalid UTF-8":   {verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: "\xff"}, verify.ErrInvalidOption},
	} {
		assert.ErrorIs(t, s.Send(context.Background(), tt.m), tt.want, "%s: Send", name)
	}
	require.Empty(t, s.Messages(), "refused messages recorded messages")
}

func TestSenderFailAndStallNext(t *testing.T) {
	s := fake.NewSender()
	m := verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: "Code 123456"}
	s.FailNext(verify.ErrRateLimited)
	require.ErrorIs(t, s.Send(context.Background(), m), verify.ErrRateLimited, "Send after FailNext, want the injected error")
	s.StallNext()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.Send(ctx, m), context.DeadlineExceeded, "Send after StallNext, want the context's error")
	require.Empty(t, s.Messages(), "failed sends recorded messages")
	require.NoError(t, s.Send(context.Background(), m), "Send after the injected failures")
}

func TestSenderInbox(t *testing.T) {
	s := fake.NewSender()
	require.NoError(t, s.Send(context.Background(), verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: "Code 271828"}))
	rec := httptest.NewRecorder()
	s.Inbox().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	require.Contains(t, body, ">271828<", "the inbox shows no code")
	require.NotContains(t, body, "expires", "the inbox shows an expiry the Sender does not know")
	require.NotContains(t, body, " id ", "the inbox shows an id the Sender does not know")
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept", "application/json")
	s.Inbox().ServeHTTP(rec, req)
	body = rec.Body.String()
	require.Contains(t, body, `"code":"271828"`, "JSON inbox")
	require.NotContains(t, body, "expires_at", "JSON inbox")
	require.NotContains(t, body, `"id"`, "JSON inbox")
}

func TestSenderLoggerWritesTheCode(t *testing.T) {
	var buf bytes.Buffer
	s := fake.NewSender(fake.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	require.NoError(t, s.Send(context.Background(), verify.Message{Phone: "+31612345678", Channel: verify.Voice, Text: "Code 9, 8, 7, 6, 5, 4."}))
	log := buf.String()
	require.Contains(t, log, `msg="fake: code 987654 sent"`, "want the code first")
	require.NotContains(t, log, "+31612345678", "want the number masked")
	require.NotContains(t, log, "id=", "want no id")
}
