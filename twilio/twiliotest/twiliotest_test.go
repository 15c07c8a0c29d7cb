package twiliotest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify/twilio/twiliotest"
)

// client speaks to a Server as any Twilio client does: Basic auth, forms,
// JSON answers.
type client struct {
	t *testing.T
	s *twiliotest.Server
}

func (c client) do(method, path string, form url.Values) (int, map[string]any, http.Header) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, "https://verify.twilio.com"+path, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
	res, err := c.s.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m, res.Header
}

const base = "/v2/Services/" + twiliotest.ServiceSID

func (c client) start(to string) (int, map[string]any) {
	st, m, _ := c.do("POST", base+"/Verifications", url.Values{"To": {to}, "Channel": {"sms"}})
	return st, m
}

func (c client) check(sid, code string) (int, map[string]any) {
	st, m, _ := c.do("POST", base+"/VerificationCheck", url.Values{"VerificationSid": {sid}, "Code": {code}})
	return st, m
}

func want(t *testing.T, what string, status int, m map[string]any, wantStatus, wantCode int) {
	t.Helper()
	code, _ := m["code"].(float64)
	if status != wantStatus || int(code) != wantCode {
		t.Errorf("%s: %d %v, want %d with code %d", what, status, m, wantStatus, wantCode)
	}
}

func newClient(t *testing.T, opts ...twiliotest.Option) client {
	s := twiliotest.NewServer(opts...)
	t.Cleanup(s.Close)
	return client{t, s}
}

func TestVerificationLifecycle(t *testing.T) {
	c := newClient(t)
	st, v := c.start("+31612345678")
	if st != 201 || v["status"] != "pending" || v["to"] != "+31612345678" || v["channel"] != "sms" {
		t.Fatalf("start: %d %v", st, v)
	}
	sid := v["sid"].(string)
	code, ok := c.s.Code(sid)
	if !ok || len(code) != 6 {
		t.Fatalf("code %q, %v", code, ok)
	}
	// A second start to the number is the same verification, code and all.
	if _, again := c.start("+31612345678"); again["sid"] != sid || len(again["send_code_attempts"].([]any)) != 2 {
		t.Errorf("second start: %v", again)
	}
	wrong := []byte(code)
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	st, v = c.check(sid, string(wrong))
	if st != 200 || v["status"] != "pending" {
		t.Errorf("wrong code: %d %v", st, v)
	}
	st, v = c.check(sid, code)
	if st != 200 || v["status"] != "approved" || v["valid"] != true {
		t.Errorf("right code: %d %v", st, v)
	}
	// Approved: gone.
	st, v = c.check(sid, code)
	want(t, "check after approval", st, v, 404, 20404)
	st, v, _ = c.do("GET", base+"/Verifications/"+sid, nil)
	want(t, "fetch after approval", st, v, 404, 20404)
}

func TestLimits(t *testing.T) {
	c := newClient(t)
	_, v := c.start("+31612345678")
	sid := v["sid"].(string)
	for i := range twiliotest.MaxChecks {
		if st, v := c.check(sid, "1"); st != 200 || v["status"] != "pending" {
			t.Fatalf("check %d: %d %v", i+1, st, v)
		}
	}
	st, v := c.check(sid, "1")
	want(t, "sixth check", st, v, 429, 60202)

	for range 5 {
		c.start("+31612345679")
	}
	st, v = c.start("+31612345679")
	want(t, "sixth start", st, v, 429, 60203)
}

func TestExpiryAndCancel(t *testing.T) {
	c := newClient(t, twiliotest.WithValidity(5*time.Minute))
	_, v := c.start("+31612345678")
	sid := v["sid"].(string)
	c.s.Advance(5 * time.Minute)
	st, v := c.check(sid, "123456")
	want(t, "check after expiry", st, v, 404, 20404)

	_, v = c.start("+31612345678")
	if v["sid"] == sid {
		t.Fatal("a start after expiry reused the expired verification")
	}
	sid = v["sid"].(string)
	st, v, _ = c.do("POST", base+"/Verifications/"+sid, url.Values{"Status": {"canceled"}})
	if st != 200 || v["status"] != "canceled" {
		t.Fatalf("cancel: %d %v", st, v)
	}
	st, v, _ = c.do("POST", base+"/Verifications/"+sid, url.Values{"Status": {"canceled"}})
	want(t, "cancel again", st, v, 404, 20404)
}

func TestRefusals(t *testing.T) {
	c := newClient(t)
	st, v := c.start("0612345678")
	want(t, "To not in E.164", st, v, 400, 60200)
	if v["message"] != "Invalid parameter: To" {
		t.Errorf("message %q names no To", v["message"])
	}
	st, v, _ = c.do("POST", base+"/Verifications", url.Values{"To": {"+31612345678"}, "Channel": {"sms"}, "Locale": {"xx"}})
	want(t, "unknown locale", st, v, 404, 20404)
	st, v, _ = c.do("POST", "/v2/Services/VA0123456789abcdef0123456789abcdef/Verifications", url.Values{"To": {"+31612345678"}, "Channel": {"sms"}})
	want(t, "unknown Service", st, v, 404, 20404)

	req, _ := http.NewRequest("GET", "https://verify.twilio.com"+base+"/Verifications/VE1", nil)
	req.SetBasicAuth(twiliotest.AccountSID, "wrong")
	res, err := c.s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("wrong token: %d, want 401", res.StatusCode)
	}
}

func TestMessagesAndCalls(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	post := func(path string, form url.Values) int {
		req, _ := http.NewRequest("POST", "https://api.twilio.com/2010-04-01/Accounts/"+twiliotest.AccountSID+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := post("/Messages.json", url.Values{"To": {"+31612345678"}, "From": {"+15005550006"}, "Body": {"Code 123456"}}); st != 201 {
		t.Errorf("message: %d", st)
	}
	if st := post("/Calls.json", url.Values{"To": {"+31612345678"}, "From": {"+15005550006"}, "Twiml": {"<Response/>"}, "MachineDetection": {"Enable"}}); st != 201 {
		t.Errorf("call: %d", st)
	}
	if st := post("/Messages.json", url.Values{"To": {"123"}, "From": {"+15005550006"}, "Body": {"x"}}); st != 400 {
		t.Errorf("bad To: %d", st)
	}
	sent := s.Sent()
	if len(sent) != 2 || sent[0].Kind != "sms" || sent[0].Body != "Code 123456" || sent[1].Kind != "call" || sent[1].MachineDetection != "Enable" {
		t.Errorf("sent: %+v", sent)
	}
	if reqs := s.Requests(); len(reqs) != 3 || reqs[0].Host != "api.twilio.com" {
		t.Errorf("requests: %+v", reqs)
	}
}

func TestFaults(t *testing.T) {
	c := newClient(t)
	c.s.Inject(twiliotest.RateLimited(7*time.Second), twiliotest.InternalError(), twiliotest.MalformedJSON(), twiliotest.Drop())
	st, v, h := c.do("GET", base+"/Verifications/VE1", nil)
	want(t, "rate limited", st, v, 429, 20429)
	if h.Get("Retry-After") != "7" {
		t.Errorf("Retry-After %q", h.Get("Retry-After"))
	}
	st, v, _ = c.do("GET", base+"/Verifications/VE1", nil)
	want(t, "internal error", st, v, 500, 20500)
	if st, _, _ = c.do("GET", base+"/Verifications/VE1", nil); st != 200 {
		t.Errorf("malformed JSON: %d", st)
	}
	req, _ := http.NewRequest("POST", "https://verify.twilio.com"+base+"/Verifications", strings.NewReader("To=%2B31612345678&Channel=sms"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
	if _, err := c.s.Client().Do(req); err == nil || errors.Is(err, http.ErrUseLastResponse) {
		t.Errorf("dropped connection: %v", err)
	}
	if len(c.s.Sent()) != 0 {
		t.Error("a dropped start was processed")
	}
}
