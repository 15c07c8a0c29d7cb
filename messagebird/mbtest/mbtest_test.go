package mbtest_test

import (
	"encoding/json"
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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.ErrorAs(t, err, &er, "want a MessageBird API error")
	require.Len(t, er.Errors, 1, "want one MessageBird API error")
	return er.Errors[0]
}

// raw sends a request and returns the status and the body.
func raw(t *testing.T, method, url, key string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "AccessKey "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
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
	require.Equal(t, http.StatusCreated, status, body)
	var obj map[string]any
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	require.NoError(t, d.Decode(&obj))
	assert.Equal(t, json.Number("31612345678"), obj["recipient"], "recipient, want the JSON number")
	want := map[string]any{
		"status": "sent", "type": "tts", "originator": "Code", "reference": "ref1",
		"createdDatetime":    "2026-03-04T05:06:07+00:00",
		"validUntilDatetime": "2026-03-04T05:16:07+00:00",
	}
	for k, v := range want {
		assert.Equal(t, v, obj[k], k)
	}
	id, _ := obj["id"].(string)
	assert.Regexp(t, `^[a-z0-9]{32}$`, id, "id, want 32 lowercase letters and digits")
	m := s.Messages()
	if assert.Len(t, m, 1, "Messages()") {
		assert.Equal(t, "Your code is: 123456", m[0].Text)
		assert.Equal(t, "31612345678", m[0].Recipient)
		assert.Equal(t, 3, m[0].MaxAttempts)
		assert.Equal(t, 600, m[0].Timeout)
	}
}

func TestSDKRoundTrip(t *testing.T) {
	s, c := newSDK(t)
	v, err := mbverify.Create(c, "31612345678", &mbverify.Params{Type: "sms", Timeout: 60, TokenLength: 8, Template: "Code %token"})
	require.NoError(t, err)
	require.Equal(t, "31612345678", v.Recipient, "Create")
	require.Equal(t, "sent", v.Status, "Create")
	require.Equal(t, time.Minute, v.ValidUntilDatetime.Sub(*v.CreatedDatetime), "Create: validity")
	code, ok := s.Code(v.ID)
	require.True(t, ok, "Code(%s)", v.ID)
	require.Len(t, code, 8, "Code(%s)", v.ID)
	last, _ := s.LastCode("+31612345678")
	assert.Equal(t, code, last, "LastCode")

	// An empty token is answered 200 "sent", without an error.
	got, err := mbverify.VerifyToken(c, v.ID, "")
	require.NoError(t, err, "VerifyToken with an empty token")
	require.Equal(t, "sent", got.Status, "VerifyToken with an empty token")
	got, err = mbverify.VerifyToken(c, v.ID, code)
	require.NoError(t, err, "VerifyToken")
	require.Equal(t, "verified", got.Status, "VerifyToken")
	_, err = mbverify.VerifyToken(c, v.ID, code)
	e := apiErr(t, err)
	assert.Equal(t, 10, e.Code, "second VerifyToken")
	assert.Contains(t, e.Description, "already been processed", "second VerifyToken")
	require.NoError(t, mbverify.Delete(c, v.ID), "Delete")
	_, err = mbverify.Read(c, v.ID)
	e = apiErr(t, err)
	assert.Equal(t, 20, e.Code, "Read after Delete")
	assert.Equal(t, "Verify object could not be found", e.Description, "Read after Delete")
	assert.Equal(t, 20, apiErr(t, mbverify.Delete(c, v.ID)).Code, "second Delete")
}

func TestDeleteAnswers204ThenRead404(t *testing.T) {
	s, c := newSDK(t)
	v, err := mbverify.Create(c, "31612345678", nil)
	require.NoError(t, err)
	status, body := raw(t, "DELETE", s.URL+"/verify/"+v.ID, mbtest.AccessKey, "")
	require.Equal(t, http.StatusNoContent, status, "DELETE")
	require.Empty(t, body, "DELETE")
	status, body = raw(t, "GET", s.URL+"/verify/"+v.ID, mbtest.AccessKey, "")
	require.Equal(t, http.StatusNotFound, status, "GET after DELETE")
	require.Contains(t, body, `"code":20`, "GET after DELETE")
}

func TestMaxAttemptsThenFailed(t *testing.T) {
	s, c := newSDK(t, mbtest.WithCode("123456"))
	for _, limit := range []int{1, 3} {
		body := `{"recipient":"31612345678","maxAttempts":` + strconv.Itoa(limit) + `}`
		status, resp := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey, body)
		require.Equal(t, 201, status, resp)
		var v mbverify.Verify
		require.NoError(t, json.Unmarshal([]byte(resp), &v))
		for i := 1; i <= limit; i++ {
			_, err := mbverify.VerifyToken(c, v.ID, "654321")
			e := apiErr(t, err)
			require.Equal(t, 10, e.Code, "wrong code %d", i)
			require.Equal(t, "The token is invalid.", e.Description, "wrong code %d", i)
			require.Equal(t, "token", e.Parameter, "wrong code %d", i)
			got, _ := mbverify.Read(c, v.ID)
			want := "sent"
			if i == limit {
				want = "failed"
			}
			require.Equal(t, want, got.Status, "maxAttempts %d: status after %d wrong codes", limit, i)
		}
		_, err := mbverify.VerifyToken(c, v.ID, "123456")
		assert.Equal(t, 10, apiErr(t, err).Code, "right code on a failed verification")
	}
}

func TestExpiry(t *testing.T) {
	s, c := newSDK(t)
	v, err := mbverify.Create(c, "31612345678", &mbverify.Params{Timeout: 30})
	require.NoError(t, err)
	code, _ := s.Code(v.ID)
	s.Advance(31 * time.Second)
	got, err := mbverify.Read(c, v.ID)
	require.NoError(t, err, "Read after the timeout")
	require.Equal(t, "expired", got.Status, "Read after the timeout")
	_, err = mbverify.VerifyToken(c, v.ID, code)
	e := apiErr(t, err)
	assert.Equal(t, 10, e.Code, "right code after the timeout")
	assert.Contains(t, e.Description, "expired", "right code after the timeout")
}

func TestBadKey(t *testing.T) {
	s := mbtest.NewServer(mbtest.WithAccessKey("live_right"))
	t.Cleanup(s.Close)
	for _, key := range []string{"", "live_wrong", mbtest.AccessKey} {
		status, body := raw(t, "POST", s.URL+"/verify", key, `{"recipient":31612345678}`)
		assert.Equal(t, http.StatusUnauthorized, status, "key %q: %s", key, body)
		assert.Contains(t, body, `"code":2`, "key %q", key)
		assert.Contains(t, body, `"parameter":"access_key"`, "key %q", key)
	}
	assert.Empty(t, s.Messages(), "a request with a bad key created a verification")
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
		assert.Equal(t, 422, status, "%s: %s", tt.body, body)
		if assert.NoError(t, json.Unmarshal([]byte(body), &er), tt.body) && assert.Len(t, er.Errors, 1, tt.body) {
			assert.Equal(t, tt.code, er.Errors[0].Code, tt.body)
			assert.Equal(t, tt.param, er.Errors[0].Parameter, tt.body)
		}
	}
	assert.Empty(t, s.Messages(), "an invalid create sent a message")
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
		if !assert.Equal(t, http.StatusCreated, status, "%s: %s", tt.body, body) || !assert.Len(t, m, before+1, tt.body) {
			continue
		}
		got, want := m[len(m)-1], defaults
		if tt.edit != nil {
			tt.edit(&want)
		}
		assert.Len(t, got.Code, want.TokenLength, "%s: code", tt.body)
		assert.Equal(t, "Your code is: "+got.Code, got.Text, "%s: text, want the default template", tt.body)
		want.ID, want.Code, want.Text, want.SentAt = got.ID, got.Code, got.Text, got.SentAt
		assert.Equal(t, want, got, tt.body)
	}
	status, body := raw(t, "POST", s.URL+"/verify", mbtest.AccessKey, `{"recipient":31612345678,"voice":"robot","type":"email","timeout":1}`)
	assert.Equal(t, 422, status, "several bad parameters: %s", body)
	assert.Contains(t, body, `"parameter":"type"`, "several bad parameters: want type named, the first checked")
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
		assert.Equal(t, 201, status, "%s: %s", tt.body, body)
		if m := s.Messages(); assert.Len(t, m, 1, tt.body) {
			assert.Equal(t, tt.want, m[0].DataCoding, "%s: datacoding", tt.body)
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
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode, "form create")
	m := s.Messages()
	require.Len(t, m, 1, "form create")
	require.Equal(t, "tts", m[0].Type, "form create")
	require.Len(t, m[0].Code, 7, "form create")
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault mbtest.Fault
		check func(t *testing.T, err error)
	}{
		{"InternalError", mbtest.InternalError(), func(t *testing.T, err error) {
			assert.ErrorIs(t, err, mb.ErrUnexpectedResponse)
		}},
		{"BadGateway", mbtest.BadGateway(), func(t *testing.T, err error) {
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), "502 Bad Gateway", "want the HTML page in an unmarshal error")
			}
		}},
		{"MalformedJSON", mbtest.MalformedJSON(), func(t *testing.T, err error) {
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), "could not decode", "want a decode error")
			}
		}},
		{"LargeBody", mbtest.LargeBody(422, 1<<20), func(t *testing.T, err error) {
			assert.Equal(t, 10, apiErr(t, err).Code, "want code 10 after the white space")
		}},
		{"Drop", mbtest.Drop(), func(t *testing.T, err error) {
			assert.Error(t, err, "want a transport error")
			assert.NotErrorAs(t, err, new(mb.ErrorResponse), "want a transport error")
		}},
		{"Reply", mbtest.Reply(402, "application/json", `{"errors":[{"code":25,"description":"Not enough balance","parameter":null}]}`), func(t *testing.T, err error) {
			assert.Equal(t, 25, apiErr(t, err).Code)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newSDK(t)
			s.Inject(tt.fault)
			_, err := mbverify.Create(c, "31612345678", nil)
			tt.check(t, err)
			assert.Empty(t, s.Messages(), "a faulted request was processed")
			// The next request is served normally.
			_, err = mbverify.Create(c, "31612345678", nil)
			require.NoError(t, err, "request after the fault")
			r := s.Requests()
			if assert.Len(t, r, 2, "Requests()") {
				assert.Equal(t, "POST", r[0].Method)
				assert.Equal(t, "/verify", r[0].Path)
				assert.Equal(t, "AccessKey "+mbtest.AccessKey, r[0].Header.Get("Authorization"))
				assert.Contains(t, string(r[0].Body), "31612345678")
			}
		})
	}
}

// TestDropAnswer checks that DropAnswer lets the request take effect and
// closes the connection without the answer.
func TestDropAnswer(t *testing.T) {
	s, c := newSDK(t, mbtest.WithCode("123456"))
	v, err := mbverify.Create(c, "31612345678", nil)
	require.NoError(t, err)
	s.Inject(mbtest.DropAnswer())
	// A raw request on a new connection: nothing resends it.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	req, _ := http.NewRequest("GET", s.URL+"/verify/"+v.ID+"?token=123456", nil)
	req.Header.Set("Authorization", "AccessKey "+mbtest.AccessKey)
	if resp, err := tr.RoundTrip(req); err == nil {
		resp.Body.Close()
		require.FailNowf(t, "an answer arrived", "got %s, want no answer", resp.Status)
	}
	got, err := mbverify.Read(c, v.ID)
	require.NoError(t, err, "Read after the lost answer")
	require.Equal(t, "verified", got.Status, "Read after the lost answer")
	assert.Len(t, s.Requests(), 3, "requests")
}

func TestDelayGivesUpWithTheClient(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	s.Inject(mbtest.Delay(time.Hour))
	c := mb.New(mbtest.AccessKey)
	c.HTTPClient.Timeout = 50 * time.Millisecond
	_, err := mbverify.Create(sdk{c, s.URL}, "31612345678", nil)
	require.Error(t, err, "a delayed request succeeded before its client's timeout")
	s.Close() // returns once the delayed handler has given up
	assert.Empty(t, s.Messages(), "the abandoned request was processed")
}

func TestConnectionsCountsTCPConnections(t *testing.T) {
	s, c := newSDK(t)
	for range 5 {
		_, err := mbverify.Create(c, "31612345678", nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, s.Connections(), "Connections() after 5 sequential requests on one keep-alive client")
	s.Inject(mbtest.Drop())
	mbverify.Create(c, "31612345678", nil)
	_, err := mbverify.Create(c, "31612345678", nil)
	require.NoError(t, err)
	assert.Equal(t, 2, s.Connections(), "Connections() after a dropped connection")
}
