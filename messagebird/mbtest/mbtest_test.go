package mbtest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	mb "github.com/messagebird/go-rest-api/v9"
	mbverify "github.com/messagebird/go-rest-api/v9/verify"

	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/verifytest"
)

// sdk is go-rest-api's own client pointed at an emulator: the emulator
// must work with it unchanged.
type sdk struct {
	c    *mb.DefaultClient
	base string
}

func (s sdk) Request(v any, method, path string, data any) error {
	return s.c.Request(v, method, s.base+"/"+path, data)
}

func newSDK(t *testing.T, opts ...mbtest.Option) (*mbtest.Server, sdk) {
	t.Helper()
	s := mbtest.NewServer(opts...)
	t.Cleanup(s.Close)
	return s, sdk{mb.New(mbtest.AccessKey), s.URL}
}

func apiErr(t *testing.T, err error) mb.Error {
	t.Helper()
	var er mb.ErrorResponse
	if !errors.As(err, &er) || len(er.Errors) != 1 {
		t.Fatalf("got error %v, want one MessageBird API error", err)
	}
	return er.Errors[0]
}

// raw sends a request and returns the status and the body.
func raw(t *testing.T, method, url, key string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "AccessKey "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCreateReturnsANumericRecipientAndTimes(t *testing.T) {
	start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s := mbtest.NewServer(mbtest.WithClock(verifytest.NewClock(start).Now), mbtest.WithCode("123456"))
	t.Cleanup(s.Close)
	status, body := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey,
		`{"recipient":31612345678,"type":"tts","timeout":600,"maxAttempts":3,"reference":"ref1"}`)
	if status != http.StatusCreated {
		t.Fatalf("status %d, body %s", status, body)
	}
	var obj map[string]any
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	if n, ok := obj["recipient"].(json.Number); !ok || n != "31612345678" {
		t.Errorf("recipient = %#v, want the JSON number 31612345678", obj["recipient"])
	}
	want := map[string]any{
		"status": "sent", "type": "tts", "originator": "Code", "reference": "ref1",
		"createdDatetime":    "2026-03-04T05:06:07+00:00",
		"validUntilDatetime": "2026-03-04T05:16:07+00:00",
	}
	for k, v := range want {
		if obj[k] != v {
			t.Errorf("%s = %#v, want %#v", k, obj[k], v)
		}
	}
	if id, _ := obj["id"].(string); len(id) != 32 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("id = %q, want 32 lowercase letters and digits", id)
	}
	m := s.Messages()
	if len(m) != 1 || m[0].Text != "Your code is: 123456" || m[0].Recipient != "31612345678" || m[0].MaxAttempts != 3 || m[0].Timeout != 600 {
		t.Errorf("Messages() = %+v", m)
	}
}

func TestSDKRoundTrip(t *testing.T) {
	s, c := newSDK(t)
	v, err := mbverify.Create(c, "31612345678", &mbverify.Params{Type: "sms", Timeout: 60, TokenLength: 8, Template: "Code %token"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Recipient != "31612345678" || v.Status != "sent" || v.ValidUntilDatetime.Sub(*v.CreatedDatetime) != time.Minute {
		t.Fatalf("Create = %+v", v)
	}
	code, ok := s.Code(v.ID)
	if !ok || len(code) != 8 {
		t.Fatalf("Code(%s) = %q, %v", v.ID, code, ok)
	}
	if last, _ := s.LastCode("+31612345678"); last != code {
		t.Errorf("LastCode = %q, want %q", last, code)
	}

	// An empty token is answered 200 "sent", without an error.
	got, err := mbverify.VerifyToken(c, v.ID, "")
	if err != nil || got.Status != "sent" {
		t.Fatalf("VerifyToken with an empty token = %+v, %v; want status sent, no error", got, err)
	}
	got, err = mbverify.VerifyToken(c, v.ID, code)
	if err != nil || got.Status != "verified" {
		t.Fatalf("VerifyToken = %+v, %v", got, err)
	}
	_, err = mbverify.VerifyToken(c, v.ID, code)
	if e := apiErr(t, err); e.Code != 10 || !strings.Contains(e.Description, "already been processed") {
		t.Errorf("second VerifyToken: %+v", e)
	}
	if err := mbverify.Delete(c, v.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = mbverify.Read(c, v.ID)
	if e := apiErr(t, err); e.Code != 20 || e.Description != "Verify object could not be found" {
		t.Errorf("Read after Delete: %+v", e)
	}
	if err := mbverify.Delete(c, v.ID); apiErr(t, err).Code != 20 {
		t.Errorf("second Delete: %v", err)
	}
}

func TestDeleteAnswers204ThenRead404(t *testing.T) {
	s, c := newSDK(t)
	v, err := mbverify.Create(c, "31612345678", nil)
	if err != nil {
		t.Fatal(err)
	}
	status, body := raw(t, "DELETE", s.URL+"/verify/"+v.ID, mbtest.AccessKey, "")
	if status != http.StatusNoContent || body != "" {
		t.Fatalf("DELETE: %d %q, want 204 and no body", status, body)
	}
	status, body = raw(t, "GET", s.URL+"/verify/"+v.ID, mbtest.AccessKey, "")
	if status != http.StatusNotFound || !strings.Contains(body, `"code":20`) {
		t.Fatalf("GET after DELETE: %d %s", status, body)
	}
}

func TestMaxAttemptsThenFailed(t *testing.T) {
	s, c := newSDK(t, mbtest.WithCode("123456"))
	for _, limit := range []int{1, 3} {
		body := `{"recipient":"31612345678","maxAttempts":` + strconv.Itoa(limit) + `}`
		status, resp := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey, body)
		if status != 201 {
			t.Fatal(resp)
		}
		var v mbverify.Verify
		if err := json.Unmarshal([]byte(resp), &v); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= limit; i++ {
			_, err := mbverify.VerifyToken(c, v.ID, "654321")
			if e := apiErr(t, err); e.Code != 10 || e.Description != "The token is invalid." || e.Parameter != "token" {
				t.Fatalf("wrong code %d: %+v", i, e)
			}
			got, _ := mbverify.Read(c, v.ID)
			want := "sent"
			if i == limit {
				want = "failed"
			}
			if got.Status != want {
				t.Fatalf("maxAttempts %d: status after %d wrong codes = %q, want %q", limit, i, got.Status, want)
			}
		}
		_, err := mbverify.VerifyToken(c, v.ID, "123456")
		if e := apiErr(t, err); e.Code != 10 {
			t.Errorf("right code on a failed verification: %+v", e)
		}
	}
}

func TestExpiry(t *testing.T) {
	s, c := newSDK(t)
	v, err := mbverify.Create(c, "31612345678", &mbverify.Params{Timeout: 30})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := s.Code(v.ID)
	s.Advance(31 * time.Second)
	got, err := mbverify.Read(c, v.ID)
	if err != nil || got.Status != "expired" {
		t.Fatalf("Read after the timeout = %+v, %v", got, err)
	}
	_, err = mbverify.VerifyToken(c, v.ID, code)
	if e := apiErr(t, err); e.Code != 10 || !strings.Contains(e.Description, "expired") {
		t.Errorf("right code after the timeout: %+v", e)
	}
}

func TestBadKey(t *testing.T) {
	s := mbtest.NewServer(mbtest.WithAccessKey("live_right"))
	t.Cleanup(s.Close)
	for _, key := range []string{"", "live_wrong", mbtest.AccessKey} {
		status, body := raw(t, "POST", s.URL+"/verify", key, `{"recipient":31612345678}`)
		if status != http.StatusUnauthorized || !strings.Contains(body, `"code":2`) || !strings.Contains(body, `"parameter":"access_key"`) {
			t.Errorf("key %q: %d %s, want 401 with code 2", key, status, body)
		}
	}
	if len(s.Messages()) != 0 {
		t.Error("a request with a bad key created a verification")
	}
}

func TestCreateValidation(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	tests := []struct {
		body  string
		code  int
		param string
	}{
		{`{}`, 9, "recipient"},
		{`{"recipient":"+31 6 1234"}`, 10, "recipient"},
		{`{"recipient":"06123456"}`, 10, "recipient"},
		{`{"recipient":31612345678,"type":"email"}`, 10, "type"},
		{`{"recipient":31612345678,"template":"no token"}`, 10, "template"},
		{`{"recipient":31612345678,"type":"tts","language":"xx-yy"}`, 10, "language"},
		{`{"recipient":31612345678,"type":"tts","voice":"robot"}`, 10, "voice"},
		{`{"recipient":31612345678,"timeout":29}`, 10, "timeout"},
		{`{"recipient":31612345678,"timeout":259201}`, 10, "timeout"},
		{`{"recipient":31612345678,"tokenLength":5}`, 10, "tokenLength"},
		{`{"recipient":31612345678,"tokenLength":11}`, 10, "tokenLength"},
		{`{"recipient":31612345678,"maxAttempts":0}`, 10, "maxAttempts"},
		{`{"recipient":31612345678,"maxAttempts":11}`, 10, "maxAttempts"},
		{`{"recipient":31612345678,"originator":"TwelveChars1"}`, 10, "originator"},
		{`{"recipient":31612345678,"reference":"a b"}`, 10, "reference"},
		{`{"recipient":31612345678,"datacoding":"utf8"}`, 10, "datacoding"},
	}
	for _, tt := range tests {
		status, body := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey, tt.body)
		var er mb.ErrorResponse
		if err := json.Unmarshal([]byte(body), &er); err != nil || status != 422 || len(er.Errors) != 1 ||
			er.Errors[0].Code != tt.code || er.Errors[0].Parameter != tt.param {
			t.Errorf("%s: %d %s, want 422 with code %d on %s", tt.body, status, body, tt.code, tt.param)
		}
	}
	if len(s.Messages()) != 0 {
		t.Error("an invalid create sent a message")
	}
}

// TestCreateEdgesAndDefaults checks the values at the edges of each
// range, which must be accepted, the defaults of absent parameters, and
// that the first bad parameter is the one named.
func TestCreateEdgesAndDefaults(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	defaults := mbtest.Message{Recipient: "31612345678", Type: "sms", Originator: "Code", DataCoding: "plain",
		Voice: "female", Language: "en-gb", Timeout: 30, TokenLength: 6, MaxAttempts: 1}
	tests := []struct {
		body string
		edit func(m *mbtest.Message)
	}{
		{`{"recipient":31612345678}`, nil},
		{`{"recipient":"+31612345678","type":"","voice":"","language":"","originator":""}`, nil},
		{`{"recipient":12345678}`, func(m *mbtest.Message) { m.Recipient = "12345678" }},
		{`{"recipient":123456789012345}`, func(m *mbtest.Message) { m.Recipient = "123456789012345" }},
		{`{"recipient":31612345678,"type":"flash"}`, func(m *mbtest.Message) { m.Type = "flash" }},
		{`{"recipient":31612345678,"type":"tts","voice":"male","language":"ro-ro"}`, func(m *mbtest.Message) {
			m.Type, m.Voice, m.Language = "tts", "male", "ro-ro"
		}},
		{`{"recipient":31612345678,"originator":"ElevenChars"}`, func(m *mbtest.Message) { m.Originator = "ElevenChars" }},
		{`{"recipient":31612345678,"originator":"+123456789012345"}`, func(m *mbtest.Message) { m.Originator = "+123456789012345" }},
		{`{"recipient":31612345678,"reference":"abcXYZ09"}`, func(m *mbtest.Message) { m.Reference = "abcXYZ09" }},
		{`{"recipient":31612345678,"timeout":259200}`, func(m *mbtest.Message) { m.Timeout = 259200 }},
		{`{"recipient":31612345678,"tokenLength":10,"maxAttempts":10}`, func(m *mbtest.Message) { m.TokenLength, m.MaxAttempts = 10, 10 }},
	}
	for _, tt := range tests {
		before := len(s.Messages())
		status, body := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey, tt.body)
		m := s.Messages()
		if status != http.StatusCreated || len(m) != before+1 {
			t.Errorf("%s: %d %s, want 201", tt.body, status, body)
			continue
		}
		got, want := m[len(m)-1], defaults
		if tt.edit != nil {
			tt.edit(&want)
		}
		if len(got.Code) != want.TokenLength || got.Text != "Your code is: "+got.Code {
			t.Errorf("%s: code %q, text %q; want %d digits in the default template", tt.body, got.Code, got.Text, want.TokenLength)
		}
		want.ID, want.Code, want.Text, want.SentAt = got.ID, got.Code, got.Text, got.SentAt
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.body, got, want)
		}
	}
	status, body := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey, `{"recipient":31612345678,"voice":"robot","type":"email","timeout":1}`)
	if status != 422 || !strings.Contains(body, `"parameter":"type"`) {
		t.Errorf("several bad parameters: %d %s, want 422 naming type, the first checked", status, body)
	}
}

func TestDataCoding(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"recipient":31612345678}`, "plain"},
		{`{"recipient":31612345678,"datacoding":"plain"}`, "plain"},
		{`{"recipient":31612345678,"datacoding":"unicode"}`, "unicode"},
		{`{"recipient":31612345678,"datacoding":"auto","template":"Код: %token"}`, "auto"},
	}
	for _, tt := range tests {
		s := mbtest.NewServer()
		status, body := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey, tt.body)
		if m := s.Messages(); status != 201 || len(m) != 1 || m[0].DataCoding != tt.want {
			t.Errorf("%s: %d %s, messages %+v; want 201 and datacoding %q", tt.body, status, body, m, tt.want)
		}
		s.Close()
	}
}

func TestFormBody(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	req, _ := http.NewRequest("POST", s.URL+"/verify", strings.NewReader("recipient=31612345678&type=tts&tokenLength=7"))
	req.Header.Set("Authorization", "AccessKey "+mbtest.AccessKey)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if m := s.Messages(); resp.StatusCode != 201 || len(m) != 1 || m[0].Type != "tts" || len(m[0].Code) != 7 {
		t.Fatalf("form create: %d, %+v", resp.StatusCode, m)
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault mbtest.Fault
		check func(t *testing.T, err error)
	}{
		{"InternalError", mbtest.InternalError(), func(t *testing.T, err error) {
			if !errors.Is(err, mb.ErrUnexpectedResponse) {
				t.Errorf("got %v, want ErrUnexpectedResponse", err)
			}
		}},
		{"BadGateway", mbtest.BadGateway(), func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
				t.Errorf("got %v, want the HTML page in an unmarshal error", err)
			}
		}},
		{"MalformedJSON", mbtest.MalformedJSON(), func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "could not decode") {
				t.Errorf("got %v, want a decode error", err)
			}
		}},
		{"LargeBody", mbtest.LargeBody(422, 1<<20), func(t *testing.T, err error) {
			if e := apiErr(t, err); e.Code != 10 {
				t.Errorf("got %+v, want code 10 after the white space", e)
			}
		}},
		{"Drop", mbtest.Drop(), func(t *testing.T, err error) {
			if err == nil || errors.As(err, new(mb.ErrorResponse)) {
				t.Errorf("got %v, want a transport error", err)
			}
		}},
		{"Reply", mbtest.Reply(402, "application/json", `{"errors":[{"code":25,"description":"Not enough balance","parameter":null}]}`), func(t *testing.T, err error) {
			if e := apiErr(t, err); e.Code != 25 {
				t.Errorf("got %+v, want code 25", e)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newSDK(t)
			s.Inject(tt.fault)
			_, err := mbverify.Create(c, "31612345678", nil)
			tt.check(t, err)
			if len(s.Messages()) != 0 {
				t.Error("a faulted request was processed")
			}
			// The next request is served normally.
			if _, err := mbverify.Create(c, "31612345678", nil); err != nil {
				t.Fatalf("request after the fault: %v", err)
			}
			if r := s.Requests(); len(r) != 2 || r[0].Method != "POST" || r[0].Path != "/verify" ||
				r[0].Header.Get("Authorization") != "AccessKey "+mbtest.AccessKey || !strings.Contains(string(r[0].Body), "31612345678") {
				t.Errorf("Requests() = %+v", r)
			}
		})
	}
}

// TestDropAnswer checks that DropAnswer lets the request take effect and
// closes the connection without the answer.
func TestDropAnswer(t *testing.T) {
	s, c := newSDK(t, mbtest.WithCode("123456"))
	v, err := mbverify.Create(c, "31612345678", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(mbtest.DropAnswer())
	// A raw request on a new connection: nothing resends it.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	req, _ := http.NewRequest("GET", s.URL+"/verify/"+v.ID+"?token=123456", nil)
	req.Header.Set("Authorization", "AccessKey "+mbtest.AccessKey)
	if resp, err := tr.RoundTrip(req); err == nil {
		resp.Body.Close()
		t.Fatalf("got %s, want no answer", resp.Status)
	}
	got, err := mbverify.Read(c, v.ID)
	if err != nil || got.Status != "verified" {
		t.Fatalf("Read after the lost answer = %+v, %v; want verified", got, err)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestDelayGivesUpWithTheClient(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	s.Inject(mbtest.Delay(time.Hour))
	c := mb.New(mbtest.AccessKey)
	c.HTTPClient.Timeout = 50 * time.Millisecond
	_, err := mbverify.Create(sdk{c, s.URL}, "31612345678", nil)
	if err == nil {
		t.Fatal("a delayed request succeeded before its client's timeout")
	}
	s.Close() // returns once the delayed handler has given up
	if len(s.Messages()) != 0 {
		t.Error("the abandoned request was processed")
	}
}

func TestConnectionsCountsTCPConnections(t *testing.T) {
	s, c := newSDK(t)
	for range 5 {
		if _, err := mbverify.Create(c, "31612345678", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("Connections() = %d after 5 sequential requests on one keep-alive client, want 1", n)
	}
	s.Inject(mbtest.Drop())
	mbverify.Create(c, "31612345678", nil)
	if _, err := mbverify.Create(c, "31612345678", nil); err != nil {
		t.Fatal(err)
	}
	if n := s.Connections(); n != 2 {
		t.Errorf("Connections() = %d after a dropped connection, want 2", n)
	}
}
