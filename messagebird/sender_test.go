package messagebird_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
)

// The code in the texts below, and the number they go to.
const (
	sendCode  = "4817263950"
	smsText   = "Your MyApp code is " + sendCode + "."
	voiceText = "Your code is: 4, 8, 1, 7, 2, 6, 3, 9, 5, 0. Again: 4, 8, 1, 7, 2, 6, 3, 9, 5, 0."
)

// newSender starts an emulator and a Sender talking to it, both closed
// when t ends.
func newSender(t testing.TB, opts ...messagebird.Option) (*mbtest.Server, *messagebird.Sender) {
	t.Helper()
	s := mbtest.NewServer()
	t.Cleanup(s.Close)
	snd, err := messagebird.NewSender(mbtest.AccessKey, append([]messagebird.Option{messagebird.WithEndpoint(s.URL)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(snd.CloseIdleConnections)
	return s, snd
}

func smsMessage() verify.Message {
	return verify.Message{Phone: phone, Channel: verify.SMS, Text: smsText, Language: "en-gb"}
}

func voiceMessage() verify.Message {
	return verify.Message{Phone: phone, Channel: verify.Voice, Text: voiceText, Language: "nl-nl", Voice: verify.Female}
}

// wire decodes the JSON body of the only request the emulator received,
// and checks its path.
func wire(t *testing.T, s *mbtest.Server, path string) map[string]any {
	t.Helper()
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, path, reqs[0].Path)
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(reqs[0].Body)))
	d.UseNumber()
	require.NoError(t, d.Decode(&m))
	return m
}

func TestNewSenderRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opts []messagebird.Option
		says string
	}{
		{"empty key", "", nil, "access key"},
		{"key with a space", "live_ab cd", nil, "access key"},
		{"nil option", "k", []messagebird.Option{nil}, "nil option"},
		{"nil HTTP client", "k", []messagebird.Option{messagebird.WithHTTPClient(nil)}, "WithHTTPClient"},
		{"plain http to a remote host", "k", []messagebird.Option{messagebird.WithEndpoint("http://example.com")}, "endpoint"},
		{"repeat 0", "k", []messagebird.Option{messagebird.WithRepeat(0)}, "WithRepeat"},
		{"repeat 11", "k", []messagebird.Option{messagebird.WithRepeat(11)}, "WithRepeat"},
		{"unknown ifMachine", "k", []messagebird.Option{messagebird.WithIfMachine("record")}, "WithIfMachine"},
		{"empty ifMachine", "k", []messagebird.Option{messagebird.WithIfMachine("")}, "WithIfMachine"},
		{"empty originator", "k", []messagebird.Option{messagebird.WithOriginator("")}, "WithOriginator"},
		{"long originator", "k", []messagebird.Option{messagebird.WithOriginator("MyLongAppName")}, "WithOriginator"},
		{"originator with a space", "k", []messagebird.Option{messagebird.WithOriginator("My App")}, "WithOriginator"},
		{"originator of 16 digits", "k", []messagebird.Option{messagebird.WithOriginator("+1234567890123456")}, "WithOriginator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snd, err := messagebird.NewSender(tt.key, tt.opts...)
			assert.Nil(t, snd)
			require.ErrorIs(t, err, verify.ErrInvalidOption)
			assert.Contains(t, err.Error(), tt.says)
			if len(tt.key) > 1 {
				assert.NotContains(t, err.Error(), tt.key)
			}
		})
	}
	for _, opts := range [][]messagebird.Option{
		{messagebird.WithRepeat(1), messagebird.WithRepeat(10), messagebird.WithIfMachine("continue"), messagebird.WithIfMachine("delay")},
		{messagebird.WithOriginator("MyApp12345X"), messagebird.WithOriginator("+31201234567"), messagebird.WithOriginator("31201234567"),
			messagebird.WithOriginator("+123456789012345")},
		{messagebird.WithHTTPClient(&http.Client{}), messagebird.WithEndpoint("https://example.com")},
	} {
		_, err := messagebird.NewSender("k", opts...)
		assert.NoError(t, err)
	}
}

// TestNewRefusesSenderOptions checks that New names the Sender's options
// it was given, rather than ignore them.
func TestNewRefusesSenderOptions(t *testing.T) {
	for name, o := range map[string]messagebird.Option{
		"WithRepeat": messagebird.WithRepeat(2), "WithIfMachine": messagebird.WithIfMachine("hangup"),
		"WithOriginator": messagebird.WithOriginator("MyApp"),
	} {
		p, err := messagebird.New("k", o)
		assert.Nil(t, p)
		require.ErrorIs(t, err, verify.ErrInvalidOption)
		assert.Contains(t, err.Error(), name+" is an option of NewSender")
	}
}

// TestSenderOnTheWire checks the fields of an SMS and of a call on the
// wire: a call hangs up on an answering machine unless told otherwise,
// and reads the text once.
func TestSenderOnTheWire(t *testing.T) {
	voiceOnly := []string{"language", "voice", "repeat", "ifMachine"}
	tests := []struct {
		name   string
		msg    func() verify.Message
		opts   []messagebird.Option
		edit   func(m *verify.Message)
		want   map[string]any
		absent []string
	}{
		{"sms defaults", smsMessage, nil, nil, map[string]any{"originator": "Code", "datacoding": "auto", "type": "sms",
			"recipients": []any{"31612345678"}, "body": smsText}, voiceOnly},
		{"sms the Sender's originator", smsMessage, []messagebird.Option{messagebird.WithOriginator("MyApp")}, nil,
			map[string]any{"originator": "MyApp"}, voiceOnly},
		{"sms the message's originator", smsMessage, []messagebird.Option{messagebird.WithOriginator("MyApp")},
			func(m *verify.Message) { m.Originator = "+31201234567" }, map[string]any{"originator": "+31201234567"}, voiceOnly},
		{"sms reference", smsMessage, nil, func(m *verify.Message) { m.Reference = "ref42" }, map[string]any{"reference": "ref42"}, voiceOnly},
		{"sms Cyrillic", smsMessage, nil, func(m *verify.Message) { m.Text = "Ваш код: " + sendCode },
			map[string]any{"body": "Ваш код: " + sendCode, "datacoding": "auto"}, voiceOnly},
		{"voice defaults", voiceMessage, nil, nil, map[string]any{"ifMachine": "hangup", "repeat": json.Number("1"), "language": "nl-nl",
			"voice": "female", "recipients": []any{"31612345678"}, "body": voiceText}, []string{"originator", "datacoding", "type"}},
		{"voice repeat", voiceMessage, []messagebird.Option{messagebird.WithRepeat(3)}, nil, map[string]any{"repeat": json.Number("3")}, nil},
		{"voice continue on a machine", voiceMessage, []messagebird.Option{messagebird.WithIfMachine("continue")}, nil,
			map[string]any{"ifMachine": "continue"}, nil},
		{"voice delay on a machine", voiceMessage, []messagebird.Option{messagebird.WithIfMachine("delay")}, nil,
			map[string]any{"ifMachine": "delay"}, nil},
		{"voice male", voiceMessage, nil, func(m *verify.Message) { m.Voice = verify.Male }, map[string]any{"voice": "male"}, nil},
		{"voice no voice", voiceMessage, nil, func(m *verify.Message) { m.Voice = "" }, nil, []string{"voice"}},
		{"voice a Voice Messages language", voiceMessage, nil, func(m *verify.Message) { m.Language = "sv-se" },
			map[string]any{"language": "sv-se"}, nil},
		{"voice no language", voiceMessage, nil, func(m *verify.Message) { m.Language = "" }, nil, []string{"language"}},
		{"voice a number as originator", voiceMessage, nil, func(m *verify.Message) { m.Originator = "+31201234567" },
			map[string]any{"originator": "+31201234567"}, nil},
		{"voice a name as originator is no caller id", voiceMessage, []messagebird.Option{messagebird.WithOriginator("MyApp")}, nil,
			nil, []string{"originator"}},
		{"voice reference", voiceMessage, nil, func(m *verify.Message) { m.Reference = "ref42" }, map[string]any{"reference": "ref42"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, snd := newSender(t, tt.opts...)
			m := tt.msg()
			if tt.edit != nil {
				tt.edit(&m)
			}
			require.NoError(t, snd.Send(bg(), m))
			path := map[verify.Channel]string{verify.SMS: "/messages", verify.Voice: "/voicemessages"}[m.Channel]
			got := wire(t, s, path)
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], "field %s", k)
			}
			for _, k := range tt.absent {
				assert.NotContains(t, got, k)
			}
			text, ok := s.LastText(phone)
			assert.True(t, ok)
			assert.Equal(t, m.Text, text)
		})
	}
}

// TestSenderRefusesBeforeSending checks what the Sender refuses without
// a request, and that the text never shows in the error.
func TestSenderRefusesBeforeSending(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(m *verify.Message)
		target error
	}{
		{"national number", func(m *verify.Message) { m.Phone = "0612345678" }, verify.ErrInvalidPhone},
		{"number with spaces", func(m *verify.Message) { m.Phone = "+31 6 12345678" }, verify.ErrInvalidPhone},
		{"empty text", func(m *verify.Message) { m.Text = "" }, verify.ErrInvalidOption},
		{"unknown channel", func(m *verify.Message) { m.Channel = "fax" }, verify.ErrUnsupported},
		{"a language calls cannot speak", func(m *verify.Message) { m.Language = "xx-yy" }, verify.ErrUnsupported},
		{"unknown voice", func(m *verify.Message) { m.Voice = "robot" }, verify.ErrInvalidOption},
		{"1001 characters", func(m *verify.Message) { m.Text = strings.Repeat("é", 1001) }, verify.ErrInvalidOption},
		{"bad originator for SMS", func(m *verify.Message) { m.Channel, m.Originator = verify.SMS, "My App" }, verify.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, snd := newSender(t)
			m := voiceMessage()
			tt.edit(&m)
			err := snd.Send(bg(), m)
			require.ErrorIs(t, err, tt.target)
			assert.Empty(t, s.Requests())
			assert.False(t, holdsDigits(err.Error(), sendCode), "error %q holds the code", err)
		})
	}
	// The edge: 1000 characters are read out.
	s, snd := newSender(t)
	m := voiceMessage()
	m.Text = strings.Repeat("é", 1000)
	require.NoError(t, snd.Send(bg(), m))
	assert.Len(t, s.Sent(), 1)
}

// TestSenderErrorMapping checks each fault and each of MessageBird's
// error answers, for SMS and for calls: the sentinel, the detail, and
// that neither the text, the code, the number nor the key shows.
func TestSenderErrorMapping(t *testing.T) {
	reply := func(status, code int, desc, param string) mbtest.Fault {
		e := map[string]any{"code": code, "description": desc, "parameter": nil}
		if param != "" {
			e["parameter"] = param
		}
		b, err := json.Marshal(map[string]any{"errors": []any{e}})
		require.NoError(t, err)
		return mbtest.Reply(status, "application/json", string(b))
	}
	tests := []struct {
		name   string
		fault  mbtest.Fault
		target error
		http   int
		code   int
	}{
		{"500", mbtest.InternalError(), verify.ErrUnavailable, 500, 0},
		{"HTML 502", mbtest.BadGateway(), verify.ErrUnavailable, 502, 0},
		{"malformed JSON", mbtest.MalformedJSON(), verify.ErrUnavailable, 200, 0},
		{"dropped connection", mbtest.Drop(), verify.ErrUnavailable, 0, 0},
		{"answer lost", mbtest.DropAnswer(), verify.ErrUnavailable, 0, 0},
		{"body too large", mbtest.LargeBody(422, 1<<20), verify.ErrUnavailable, 422, 0},
		{"rate limited", reply(429, 21, "Too many requests", ""), verify.ErrRateLimited, 429, 21},
		{"bad key", reply(401, 2, "Request not allowed (incorrect access_key)", "access_key"), verify.ErrUnavailable, 401, 2},
		{"no balance", reply(402, 25, "Not enough balance", ""), verify.ErrUnavailable, 402, 25},
		{"recipient refused", reply(422, 10, "recipients is invalid", "recipients"), verify.ErrInvalidPhone, 422, 10},
		{"language refused", reply(422, 10, "language is invalid", "language"), verify.ErrUnsupported, 422, 10},
		{"originator refused", reply(422, 10, "originator is invalid", "originator"), verify.ErrInvalidOption, 422, 10},
		{"code 20", reply(404, 20, "not found", ""), verify.ErrUnavailable, 404, 20},
		{"404 without a code", reply(404, 98, "API not found", ""), verify.ErrUnavailable, 404, 98},
		{"redirect", mbtest.Reply(302, "text/html", ""), verify.ErrUnavailable, 302, 0},
		{"echoes", reply(422, 10, "Cannot send \""+smsText+"\" / \""+voiceText+"\" to +31 6 12345678 (0612345678) with "+mbtest.AccessKey, "recipients"),
			verify.ErrInvalidPhone, 422, 10},
		{"echoes a part", reply(503, 99, "Body \"code is "+sendCode+"\" or \"4, 8, 1, 7, 2, 6, 3, 9, 5, 0\" to 31612345678", ""),
			verify.ErrUnavailable, 503, 99},
	}
	for _, ch := range []verify.Message{smsMessage(), voiceMessage()} {
		for _, tt := range tests {
			t.Run(string(ch.Channel)+" "+tt.name, func(t *testing.T) {
				s, snd := newSender(t)
				s.Inject(tt.fault)
				err := snd.Send(bg(), ch)
				require.ErrorIs(t, err, tt.target)
				var pe *verify.ProviderError
				require.True(t, errors.As(err, &pe), "%T %v", err, err)
				assert.Equal(t, "messagebird", pe.Provider)
				assert.Equal(t, tt.http, pe.HTTPStatus)
				assert.Equal(t, tt.code, pe.Code)
				for _, secret := range []string{sendCode, "612345678", "481"} {
					assert.False(t, holdsDigits(err.Error(), secret), "error %q holds %q", err, secret)
				}
				assert.NotContains(t, err.Error(), ch.Text)
				if tt.name == "echoes" {
					assert.Contains(t, pe.Description, `"[text]"`)
				}
				assert.NotContains(t, err.Error(), mbtest.AccessKey)
				assert.NotContains(t, err.Error(), "<html")
				assert.LessOrEqual(t, len(s.Sent()), 1, "a send is never repeated")
			})
		}
	}
}

// TestSenderAgainstTheEmulator checks the emulator's own refusals.
func TestSenderAgainstTheEmulator(t *testing.T) {
	s, snd := newSender(t)
	m := smsMessage()
	m.Phone = "+1234567" // E.164, but shorter than MessageBird takes
	err := snd.Send(bg(), m)
	require.ErrorIs(t, err, verify.ErrInvalidPhone)
	var pe *verify.ProviderError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "recipients", pe.Parameter)
	assert.Empty(t, s.Sent())

	other := mbtest.NewServer(mbtest.WithAccessKey("live_other"))
	t.Cleanup(other.Close)
	snd2, err := messagebird.NewSender(mbtest.AccessKey, messagebird.WithEndpoint(other.URL))
	require.NoError(t, err)
	err = snd2.Send(bg(), voiceMessage())
	require.ErrorIs(t, err, verify.ErrUnavailable)
	assert.Contains(t, err.Error(), "access key was refused")
	assert.NotContains(t, err.Error(), mbtest.AccessKey)
}

// TestSenderContext checks that canceling the context aborts a send in
// flight, that a deadline does too, and that a send whose context has
// already ended sends nothing.
func TestSenderContext(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		s, snd := newSender(t)
		s.Inject(mbtest.Delay(10 * time.Second))
		ctx, cancel := context.WithCancel(bg())
		go func() { waitRequest(s, 1); cancel() }()
		err := snd.Send(ctx, voiceMessage())
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, verify.ErrUnavailable)
		s.Close() // waits for the delayed handler: it must have seen the client go
		assert.Empty(t, s.Sent(), "the aborted send was processed")
	})
	t.Run("deadline", func(t *testing.T) {
		s, snd := newSender(t)
		s.Inject(mbtest.Delay(10 * time.Second))
		ctx, cancel := context.WithTimeout(bg(), 20*time.Millisecond)
		defer cancel()
		err := snd.Send(ctx, smsMessage())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, verify.ErrUnavailable)
	})
	t.Run("already canceled", func(t *testing.T) {
		s, snd := newSender(t)
		ctx, cancel := context.WithCancel(bg())
		cancel()
		err := snd.Send(ctx, smsMessage())
		require.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, s.Requests())
	})
	t.Run("own timeout", func(t *testing.T) {
		s := mbtest.NewServer()
		t.Cleanup(s.Close)
		snd, err := messagebird.NewSender(mbtest.AccessKey, messagebird.WithEndpoint(s.URL),
			messagebird.WithHTTPClient(&http.Client{Timeout: 20 * time.Millisecond}))
		require.NoError(t, err)
		s.Inject(mbtest.Delay(10 * time.Second))
		err = snd.Send(bg(), voiceMessage())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "no answer within 20ms")
	})
}

// TestSenderFollowsNoRedirect checks that a redirect is not followed, so
// that the key and the text go nowhere else.
func TestSenderFollowsNoRedirect(t *testing.T) {
	var hits int
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits++ }))
	t.Cleanup(elsewhere.Close)
	s, snd := newSender(t)
	s.Inject(mbtest.Reply(307, "text/plain", ""))
	srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/messages", http.StatusTemporaryRedirect))
	t.Cleanup(srv.Close)
	snd2, err := messagebird.NewSender(mbtest.AccessKey, messagebird.WithEndpoint(srv.URL))
	require.NoError(t, err)
	for _, x := range []*messagebird.Sender{snd, snd2} {
		err := x.Send(bg(), smsMessage())
		require.ErrorIs(t, err, verify.ErrUnavailable)
		assert.Contains(t, err.Error(), "redirect")
	}
	assert.Zero(t, hits)
}

// TestSenderKeepAlive checks that sends share connections.
func TestSenderKeepAlive(t *testing.T) {
	s, snd := newSender(t)
	for i := range 50 {
		m := smsMessage()
		if i%2 == 1 {
			m = voiceMessage()
		}
		require.NoError(t, snd.Send(bg(), m))
	}
	assert.LessOrEqual(t, s.Connections(), 2)
	assert.Len(t, s.Sent(), 50)
}
