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
	if err != nil {
		t.Fatal(err)
	}
	msgs := p.Messages()
	if len(msgs) != 1 {
		t.Fatalf("Messages() has %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	want := fake.Message{
		ID: ver.ID, Phone: "+31612345678", Channel: verify.Voice,
		Text: "Code 424242, again: 424242", Code: "424242",
		Voice: verify.Male, Language: "nl-nl", Originator: "MyApp", Reference: "user42",
		SentAt: c.Now(), ExpiresAt: c.Now().Add(10 * time.Minute), MaxAttempts: 3,
	}
	if m != want {
		t.Fatalf("message\n got %+v\nwant %+v", m, want)
	}
	if code, ok := p.LastCode("+31612345678"); !ok || code != "424242" {
		t.Fatalf("LastCode = %q, %v; want 424242, true", code, ok)
	}
	if _, ok := p.LastCode("+31600000000"); ok {
		t.Fatal("LastCode of a number never sent to reports a code")
	}
	// Messages returns a copy.
	msgs[0].Code = "changed"
	if p.Messages()[0].Code != "424242" {
		t.Fatal("changing the slice from Messages changed the provider")
	}
}

func TestLastCodeIsTheNewest(t *testing.T) {
	p := fake.New()
	var last string
	for range 3 {
		ver, err := p.Start(context.Background(), verifytest.Request("+31612345678"))
		if err != nil {
			t.Fatal(err)
		}
		last, _ = p.Code(ver.ID)
	}
	if got, _ := p.LastCode("+31612345678"); got != last {
		t.Fatalf("LastCode = %q, want the newest code %q", got, last)
	}
}

func TestRandomCodes(t *testing.T) {
	p := fake.New()
	seen := map[string]bool{}
	digitCount := [10]int{}
	for range 200 {
		req := verifytest.Request("+31612345678")
		req.TokenLength = 10
		ver, err := p.Start(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := p.Code(ver.ID)
		if len(code) != 10 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("code %q: want 10 digits", code)
		}
		for _, c := range code {
			digitCount[c-'0']++
		}
		if seen[code] {
			t.Fatalf("code %q was drawn twice", code)
		}
		seen[code] = true
	}
	// 2,000 uniform digits: each appears about 200 times; fewer than 100 or
	// more than 300 would mean the generator is broken, not unlucky.
	for d, n := range digitCount {
		if n < 100 || n > 300 {
			t.Errorf("digit %d appeared %d times in 2000", d, n)
		}
	}
}

func TestFailNext(t *testing.T) {
	p := fake.New(fake.WithCode("123456"))
	p.FailNext(verify.ErrUnavailable)
	if _, err := p.Start(context.Background(), verifytest.Request("+31612345678")); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Start after FailNext: %v, want ErrUnavailable", err)
	}
	if len(p.Messages()) != 0 {
		t.Fatal("a failed Start recorded a message")
	}
	ver, err := p.Start(context.Background(), verifytest.Request("+31612345678"))
	if err != nil {
		t.Fatalf("the failure was not used up by one call: %v", err)
	}
	limited := &verify.RateLimitError{RetryAfter: time.Minute}
	p.FailNext(limited)
	if _, err := p.Check(context.Background(), ver.ID, "123456"); !errors.Is(err, limited) {
		t.Fatalf("Check after FailNext: %v, want the injected error", err)
	}
	p.FailNext(verify.ErrUnavailable)
	if _, err := p.Status(context.Background(), ver.ID); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Status after FailNext: %v", err)
	}
	p.FailNext(verify.ErrUnavailable)
	if err := p.Cancel(context.Background(), ver.ID); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("Cancel after FailNext: %v", err)
	}
	if _, err := p.Check(context.Background(), ver.ID, "123456"); err != nil {
		t.Fatalf("Check after the injected failures: %v", err)
	}
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
		if err == nil {
			t.Errorf("%s: Start accepted %+v", name, req)
		}
		if pe := (*verify.PhoneError)(nil); errors.As(err, &pe) && pe.Code != "format" {
			t.Errorf("%s: PhoneError code %q, want format", name, pe.Code)
		}
	}
	if n := len(p.Messages()); n != 0 {
		t.Fatalf("refused requests recorded %d messages", n)
	}
}

func TestLoggerWritesTheCode(t *testing.T) {
	var buf bytes.Buffer
	p := fake.New(fake.WithCode("987654"), fake.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if _, err := p.Start(context.Background(), verifytest.Request("+31612345678")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `msg="fake: code 987654 sent"`) || !strings.Contains(buf.String(), "phone=+31******678") {
		t.Fatalf("log %q does not lead with the code, or does not mask the number", buf.String())
	}
	if strings.Contains(buf.String(), "+31612345678") {
		t.Fatalf("log %q shows the whole number", buf.String())
	}
}

func TestInbox(t *testing.T) {
	p := fake.New()
	for _, phone := range []string{"+31612345678", "+31687654321"} {
		if _, err := p.Start(context.Background(), verifytest.Request(phone)); err != nil {
			t.Fatal(err)
		}
	}
	first, _ := p.LastCode("+31612345678")
	second, _ := p.LastCode("+31687654321")

	t.Run("HTML", func(t *testing.T) {
		rec := httptest.NewRecorder()
		p.Inbox().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		body := rec.Body.String()
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		i, j := strings.Index(body, second), strings.Index(body, first)
		if i < 0 || j < 0 || i > j {
			t.Fatalf("page does not list %s before %s:\n%s", second, first, body)
		}
		// The text is marked with its language, which the page names.
		lang := verifytest.Request("+31612345678").Language
		if !strings.Contains(body, `lang="`+lang+`">`) || !strings.Contains(body, " in "+lang+" ·") {
			t.Fatalf("page does not show the language %q:\n%s", lang, body)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept", "application/json")
		p.Inbox().ServeHTTP(rec, req)
		var got struct {
			Messages []struct{ Phone, Code, Channel, Language string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		if len(got.Messages) != 2 || got.Messages[0].Code != second || got.Messages[1].Code != first || got.Messages[0].Channel != "voice" ||
			got.Messages[0].Language != verifytest.Request("+31612345678").Language {
			t.Fatalf("got %+v, want newest first", got.Messages)
		}
	})
	t.Run("POST", func(t *testing.T) {
		rec := httptest.NewRecorder()
		p.Inbox().ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("POST: status %d, want 405", rec.Code)
		}
	})
}
