package fake_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

func TestSenderRecordsTheMessage(t *testing.T) {
	c := newClock()
	s := fake.NewSender(fake.WithClock(c.Now), fake.WithCode("999999"))
	m := verify.Message{
		Phone: "+31612345678", Channel: verify.Voice, Text: "Your code is 4, 2, 4, 2, 4, 2. Again: 4, 2, 4, 2, 4, 2.",
		Language: "nl-nl", Voice: verify.Male, Originator: "MyApp", Reference: "user42",
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	want := fake.Message{
		Phone: m.Phone, Channel: m.Channel, Text: m.Text, Code: "424242", Voice: m.Voice,
		Language: m.Language, Originator: m.Originator, Reference: m.Reference, SentAt: c.Now(),
	}
	if got := s.Messages(); len(got) != 1 || got[0] != want {
		t.Fatalf("Messages() = %+v\nwant [%+v]", got, want)
	}
	if code, ok := s.LastCode(m.Phone); !ok || code != "424242" {
		t.Fatalf("LastCode = %q, %v; want 424242, true", code, ok)
	}
	if _, ok := s.LastCode("+31600000000"); ok {
		t.Fatal("LastCode of a number never sent to reports a code")
	}
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
		{"no digits", ""},
	}
	for _, tt := range tests {
		s := fake.NewSender()
		if err := s.Send(context.Background(), verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: tt.text}); err != nil {
			t.Fatal(err)
		}
		if got, ok := s.LastCode("+31612345678"); !ok || got != tt.want {
			t.Errorf("LastCode after %q = %q, %v; want %q", tt.text, got, ok, tt.want)
		}
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
		if err := s.Send(context.Background(), tt.m); !errors.Is(err, tt.want) {
			t.Errorf("%s: Send = %v, want %v", name, err, tt.want)
		}
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("refused messages recorded %d messages", n)
	}
}

func TestSenderFailAndStallNext(t *testing.T) {
	s := fake.NewSender()
	m := verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: "Code 123456"}
	s.FailNext(verify.ErrRateLimited)
	if err := s.Send(context.Background(), m); !errors.Is(err, verify.ErrRateLimited) {
		t.Fatalf("Send after FailNext = %v, want the injected error", err)
	}
	s.StallNext()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := s.Send(ctx, m); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send after StallNext = %v, want the context's error", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("failed sends recorded %d messages", n)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send after the injected failures: %v", err)
	}
}

func TestSenderInbox(t *testing.T) {
	s := fake.NewSender()
	if err := s.Send(context.Background(), verify.Message{Phone: "+31612345678", Channel: verify.SMS, Text: "Code 271828"}); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Inbox().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	if !strings.Contains(body, ">271828<") || strings.Contains(body, "expires") || strings.Contains(body, " id ") {
		t.Fatalf("inbox shows no code, or an expiry or id the Sender does not know:\n%s", body)
	}
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept", "application/json")
	s.Inbox().ServeHTTP(rec, req)
	if body := rec.Body.String(); !strings.Contains(body, `"code":"271828"`) || strings.Contains(body, "expires_at") || strings.Contains(body, `"id"`) {
		t.Fatalf("JSON inbox: %s", body)
	}
}

func TestSenderLoggerWritesTheCode(t *testing.T) {
	var buf bytes.Buffer
	s := fake.NewSender(fake.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if err := s.Send(context.Background(), verify.Message{Phone: "+31612345678", Channel: verify.Voice, Text: "Code 9, 8, 7, 6, 5, 4."}); err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	if !strings.Contains(log, `msg="fake: code 987654 sent"`) || strings.Contains(log, "+31612345678") || strings.Contains(log, "id=") {
		t.Fatalf("log %q: want the code first, the number masked, and no id", log)
	}
}
