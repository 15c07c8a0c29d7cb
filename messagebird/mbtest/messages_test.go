package mbtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/messagebird/go-rest-api/v9/sms"
	"github.com/messagebird/go-rest-api/v9/voicemessage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify/messagebird/mbtest"
)

// TestMessagesWithTheSDK sends an SMS and a voice message with
// go-rest-api's own sms and voicemessage packages, which must work
// against the emulator unchanged, and reads them back.
func TestMessagesWithTheSDK(t *testing.T) {
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	s, c := newSDK(t, mbtest.WithClock(func() time.Time { return start }))

	m, err := sms.Create(c, "MyApp", []string{"31612345678"}, "Ваш код: 123456",
		&sms.Params{Type: "sms", Reference: "ref1", DataCoding: "auto"})
	require.NoError(t, err)
	assert.Len(t, m.ID, 32)
	assert.Equal(t, "Ваш код: 123456", m.Body)
	assert.Equal(t, "auto", m.DataCoding)
	require.Len(t, m.Recipients.Items, 1)
	assert.Equal(t, int64(31612345678), m.Recipients.Items[0].Recipient)
	assert.Equal(t, "sent", m.Recipients.Items[0].Status)
	require.NotNil(t, m.CreatedDatetime)
	assert.True(t, m.CreatedDatetime.Equal(start))

	v, err := voicemessage.Create(c, []string{"4915123456789"}, "Your code is 1, 2, 3.",
		&voicemessage.Params{Language: "sv-se", Voice: "male", Repeat: 2, IfMachine: "hangup"})
	require.NoError(t, err)
	assert.Equal(t, "sv-se", v.Language)
	assert.Equal(t, "male", v.Voice)
	assert.Equal(t, 2, v.Repeat)
	assert.Equal(t, "hangup", v.IfMachine)

	v2, err := voicemessage.Create(c, []string{"4915123456789"}, "Second.", nil)
	require.NoError(t, err)
	assert.Equal(t, "en-gb", v2.Language)
	assert.Equal(t, 1, v2.Repeat)
	assert.Equal(t, "delay", v2.IfMachine, "MessageBird's default leaves the message on an answering machine")

	want := []mbtest.Sent{
		{ID: m.ID, Channel: "sms", Recipients: []string{"31612345678"}, Originator: "MyApp", Body: "Ваш код: 123456",
			Reference: "ref1", Type: "sms", DataCoding: "auto", SentAt: start},
		{ID: v.ID, Channel: "voice", Recipients: []string{"4915123456789"}, Body: "Your code is 1, 2, 3.",
			Language: "sv-se", Voice: "male", Repeat: 2, IfMachine: "hangup", SentAt: start},
		{ID: v2.ID, Channel: "voice", Recipients: []string{"4915123456789"}, Body: "Second.",
			Language: "en-gb", Voice: "female", Repeat: 1, IfMachine: "delay", SentAt: start},
	}
	assert.Equal(t, want, s.Sent())

	text, ok := s.LastText("+31612345678")
	assert.True(t, ok)
	assert.Equal(t, "Ваш код: 123456", text)
	text, ok = s.LastText("4915123456789")
	assert.True(t, ok)
	assert.Equal(t, "Second.", text)
	_, ok = s.LastText("+31600000000")
	assert.False(t, ok)

	got := s.Sent()
	got[0].Recipients[0] = "changed"
	assert.Equal(t, "31612345678", s.Sent()[0].Recipients[0], "Sent returns a copy")
}

// TestMessagesValidation checks each documented rule of the two APIs on
// raw requests: the error code, the parameter and the HTTP status.
func TestMessagesValidation(t *testing.T) {
	long := strings.Repeat("é", 1001)
	many := make([]string, 51)
	for i := range many {
		many[i] = "3161234567" + string(rune('0'+i%10))
	}
	manyJSON, _ := json.Marshal(many)
	tests := []struct {
		name, path, body string
		status, code     int
		param            string
	}{
		{"sms ok", "/messages", `{"recipients":["31612345678"],"originator":"MyApp","body":"hi"}`, 201, 0, ""},
		{"sms numeric recipients", "/messages", `{"recipients":[31612345678],"originator":"+31612345678","body":"hi"}`, 201, 0, ""},
		{"sms recipients as a list", "/messages", `{"recipients":"31612345678, 4915123456789","originator":"MyApp","body":"hi"}`, 201, 0, ""},
		{"sms 50 recipients", "/messages", `{"recipients":` + string(manyJSON[:len(manyJSON)-15]) + `],"originator":"MyApp","body":"hi"}`, 201, 0, ""},
		{"sms no recipients", "/messages", `{"originator":"MyApp","body":"hi"}`, 422, 9, "recipients"},
		{"sms empty recipients", "/messages", `{"recipients":[],"originator":"MyApp","body":"hi"}`, 422, 9, "recipients"},
		{"sms 51 recipients", "/messages", `{"recipients":` + string(manyJSON) + `,"originator":"MyApp","body":"hi"}`, 422, 10, "recipients"},
		{"sms bad recipient", "/messages", `{"recipients":["0612345678"],"originator":"MyApp","body":"hi"}`, 422, 10, "recipients"},
		{"sms no originator", "/messages", `{"recipients":["31612345678"],"body":"hi"}`, 422, 9, "originator"},
		{"sms long originator", "/messages", `{"recipients":["31612345678"],"originator":"MyLongAppName","body":"hi"}`, 422, 10, "originator"},
		{"sms originator with a space", "/messages", `{"recipients":["31612345678"],"originator":"My App","body":"hi"}`, 422, 10, "originator"},
		{"sms no body", "/messages", `{"recipients":["31612345678"],"originator":"MyApp"}`, 422, 9, "body"},
		{"sms bad type", "/messages", `{"recipients":["31612345678"],"originator":"MyApp","body":"hi","type":"tts"}`, 422, 10, "type"},
		{"sms bad datacoding", "/messages", `{"recipients":["31612345678"],"originator":"MyApp","body":"hi","datacoding":"utf8"}`, 422, 10, "datacoding"},
		{"sms bad mclass", "/messages", `{"recipients":["31612345678"],"originator":"MyApp","body":"hi","mclass":2}`, 422, 10, "mclass"},
		{"sms malformed", "/messages", `{"recipients":`, 400, 21, ""},
		{"voice ok", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","repeat":10,"ifMachine":"continue"}`, 201, 0, ""},
		{"voice 1000 characters", "/voicemessages", `{"recipients":["31612345678"],"body":"` + long[2:] + `"}`, 201, 0, ""},
		{"voice 1001 characters", "/voicemessages", `{"recipients":["31612345678"],"body":"` + long + `"}`, 422, 10, "body"},
		{"voice no body", "/voicemessages", `{"recipients":["31612345678"]}`, 422, 9, "body"},
		{"voice no recipients", "/voicemessages", `{"body":"hi"}`, 422, 9, "recipients"},
		{"voice alphanumeric originator", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","originator":"MyApp"}`, 422, 10, "originator"},
		{"voice number originator", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","originator":"+31201234567"}`, 201, 0, ""},
		{"voice repeat 0", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","repeat":0}`, 422, 10, "repeat"},
		{"voice repeat 11", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","repeat":11}`, 422, 10, "repeat"},
		{"voice bad ifMachine", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","ifMachine":"record"}`, 422, 10, "ifMachine"},
		{"voice a Voice Messages language", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","language":"tr-tr"}`, 201, 0, ""},
		{"voice bad language", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","language":"xx-yy"}`, 422, 10, "language"},
		{"voice bad voice", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","voice":"robot"}`, 422, 10, "voice"},
		{"voice bad machineTimeout", "/voicemessages", `{"recipients":["31612345678"],"body":"hi","machineTimeout":-1}`, 422, 10, "machineTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mbtest.NewServer()
			t.Cleanup(s.Close)
			status, body := raw(t, http.MethodPost, s.URL+tt.path, mbtest.AccessKey, tt.body)
			assert.Equal(t, tt.status, status, body)
			if tt.code == 0 {
				assert.Len(t, s.Sent(), 1)
				return
			}
			assert.Empty(t, s.Sent(), "a refused message is not sent")
			var e struct {
				Errors []struct {
					Code      int
					Parameter *string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(body), &e))
			require.Len(t, e.Errors, 1)
			assert.Equal(t, tt.code, e.Errors[0].Code)
			if tt.param == "" {
				assert.Nil(t, e.Errors[0].Parameter)
			} else if assert.NotNil(t, e.Errors[0].Parameter) {
				assert.Equal(t, tt.param, *e.Errors[0].Parameter)
			}
		})
	}
}

func TestMessagesNeedTheAccessKey(t *testing.T) {
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	for _, path := range []string{"/messages", "/voicemessages"} {
		status, body := raw(t, http.MethodPost, s.URL+path, "wrong", `{"recipients":["31612345678"],"originator":"MyApp","body":"hi"}`)
		assert.Equal(t, 401, status)
		assert.Contains(t, body, `"code":2`)
	}
	assert.Empty(t, s.Sent())
}

// TestFaultOn checks that a fault restricted to a path waits for a
// request to it, while faults without a path play on the next request.
func TestFaultOn(t *testing.T) {
	s, c := newSDK(t)
	s.Inject(mbtest.InternalError().On("/voicemessages/"), mbtest.BadGateway())

	_, err := sms.Create(c, "MyApp", []string{"31612345678"}, "one", nil)
	assert.Error(t, err, "the unrestricted BadGateway plays on the SMS")
	_, err = sms.Create(c, "MyApp", []string{"31612345678"}, "two", nil)
	assert.NoError(t, err, "the voice fault passes SMS by")
	_, err = voicemessage.Create(c, []string{"31612345678"}, "three", nil)
	assert.Error(t, err, "the voice fault plays on the call")
	_, err = voicemessage.Create(c, []string{"31612345678"}, "four", nil)
	assert.NoError(t, err)

	var bodies []string
	for _, m := range s.Sent() {
		bodies = append(bodies, m.Body)
	}
	assert.Equal(t, []string{"two", "four"}, bodies)

	s.Inject(mbtest.DropAnswer().On("/messages"))
	_, err = sms.Create(c, "MyApp", []string{"31612345678"}, "five", nil)
	assert.Error(t, err)
	text, _ := s.LastText("31612345678")
	assert.Equal(t, "five", text, "DropAnswer sends the message, then loses the answer")
}
