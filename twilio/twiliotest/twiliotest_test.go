package twiliotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	req, err := http.NewRequest(method, "https://verify.twilio.com"+path, body)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
	res, err := c.s.Client().Do(req)
	require.NoError(c.t, err, "%s %s", method, path)
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
	assert.Equal(t, wantStatus, status, "%s: the HTTP status of %v", what, m)
	assert.Equal(t, float64(wantCode), m["code"], "%s: Twilio's error code", what)
}

func newClient(t *testing.T, opts ...twiliotest.Option) client {
	s := twiliotest.NewServer(opts...)
	t.Cleanup(s.Close)
	return client{t, s}
}

func TestVerificationLifecycle(t *testing.T) {
	c := newClient(t)
	st, v := c.start("+31612345678")
	require.Equal(t, 201, st, "start: %v", v)
	require.Equal(t, "pending", v["status"], "start")
	require.Equal(t, "+31612345678", v["to"], "start")
	require.Equal(t, "sms", v["channel"], "start")
	sid := v["sid"].(string)
	code, ok := c.s.Code(sid)
	require.True(t, ok, "Code(%s)", sid)
	require.Len(t, code, 6, "Code(%s)", sid)
	// A second start to the number is the same verification, code and all.
	_, again := c.start("+31612345678")
	assert.Equal(t, sid, again["sid"], "second start: want the same verification")
	attempts, _ := again["send_code_attempts"].([]any)
	assert.Len(t, attempts, 2, "second start: send_code_attempts of %v", again)
	wrong := []byte(code)
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	st, v = c.check(sid, string(wrong))
	assert.Equal(t, 200, st, "wrong code: %v", v)
	assert.Equal(t, "pending", v["status"], "wrong code")
	st, v = c.check(sid, code)
	assert.Equal(t, 200, st, "right code: %v", v)
	assert.Equal(t, "approved", v["status"], "right code")
	assert.Equal(t, true, v["valid"], "right code")
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
		st, v := c.check(sid, "1")
		require.Equal(t, 200, st, "check %d: %v", i+1, v)
		require.Equal(t, "pending", v["status"], "check %d", i+1)
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
	require.NotEqual(t, sid, v["sid"], "a start after expiry reused the expired verification")
	sid = v["sid"].(string)
	st, v, _ = c.do("POST", base+"/Verifications/"+sid, url.Values{"Status": {"canceled"}})
	require.Equal(t, 200, st, "cancel: %v", v)
	require.Equal(t, "canceled", v["status"], "cancel")
	st, v, _ = c.do("POST", base+"/Verifications/"+sid, url.Values{"Status": {"canceled"}})
	want(t, "cancel again", st, v, 404, 20404)
}

func TestRefusals(t *testing.T) {
	c := newClient(t)
	st, v := c.start("0612345678")
	want(t, "To not in E.164", st, v, 400, 60200)
	assert.Equal(t, "Invalid parameter: To", v["message"], "To not in E.164: want the message to name To")
	st, v, _ = c.do("POST", base+"/Verifications", url.Values{"To": {"+31612345678"}, "Channel": {"sms"}, "Locale": {"xx"}})
	want(t, "unknown locale", st, v, 404, 20404)
	st, v, _ = c.do("POST", "/v2/Services/VA0123456789abcdef0123456789abcdef/Verifications", url.Values{"To": {"+31612345678"}, "Channel": {"sms"}})
	want(t, "unknown Service", st, v, 404, 20404)

	req, err := http.NewRequest("GET", "https://verify.twilio.com"+base+"/Verifications/VE1", nil)
	require.NoError(t, err)
	req.SetBasicAuth(twiliotest.AccountSID, "wrong")
	res, err := c.s.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 401, res.StatusCode, "wrong token")
}

func TestMessagesAndCalls(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	post := func(path string, form url.Values) int {
		req, err := http.NewRequest("POST", "https://api.twilio.com/2010-04-01/Accounts/"+twiliotest.AccountSID+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
		res, err := s.Client().Do(req)
		require.NoError(t, err, "POST %s", path)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, 201, post("/Messages.json", url.Values{"To": {"+31612345678"}, "From": {"+15005550006"}, "Body": {"Code 123456"}}), "message")
	assert.Equal(t, 201, post("/Calls.json", url.Values{"To": {"+31612345678"}, "From": {"+15005550006"}, "Twiml": {"<Response/>"}, "MachineDetection": {"Enable"}}), "call")
	assert.Equal(t, 400, post("/Messages.json", url.Values{"To": {"123"}, "From": {"+15005550006"}, "Body": {"x"}}), "bad To")
	sent := s.Sent()
	if assert.Len(t, sent, 2, "Sent()") {
		assert.Equal(t, "sms", sent[0].Kind, "the message")
		assert.Equal(t, "Code 123456", sent[0].Body, "the message")
		assert.Equal(t, "call", sent[1].Kind, "the call")
		assert.Equal(t, "Enable", sent[1].MachineDetection, "the call")
	}
	reqs := s.Requests()
	if assert.Len(t, reqs, 3, "Requests()") {
		assert.Equal(t, "api.twilio.com", reqs[0].Host, "the message's request")
	}
}

func TestFaults(t *testing.T) {
	c := newClient(t)
	c.s.Inject(twiliotest.RateLimited(7*time.Second), twiliotest.InternalError(), twiliotest.MalformedJSON(), twiliotest.Drop())
	st, v, h := c.do("GET", base+"/Verifications/VE1", nil)
	want(t, "rate limited", st, v, 429, 20429)
	assert.Equal(t, "7", h.Get("Retry-After"), "rate limited")
	st, v, _ = c.do("GET", base+"/Verifications/VE1", nil)
	want(t, "internal error", st, v, 500, 20500)
	st, _, _ = c.do("GET", base+"/Verifications/VE1", nil)
	assert.Equal(t, 200, st, "malformed JSON")
	req, err := http.NewRequest("POST", "https://verify.twilio.com"+base+"/Verifications", strings.NewReader("To=%2B31612345678&Channel=sms"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
	_, err = c.s.Client().Do(req)
	assert.Error(t, err, "dropped connection: want a transport error")
	assert.NotErrorIs(t, err, http.ErrUseLastResponse, "dropped connection")
	assert.Empty(t, c.s.Sent(), "a dropped start was processed")
}
