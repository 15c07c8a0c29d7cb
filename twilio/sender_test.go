package twilio_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/twilio"
	"github.com/phoneverify/verify/twilio/twiliotest"
)

const from = "+15005550006"

func newSender(t *testing.T) (*twiliotest.Server, *twilio.Sender) {
	t.Helper()
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	snd, err := twilio.NewSender(twiliotest.AccountSID, twiliotest.AuthToken, from,
		twilio.WithHTTPClient(s.Client()), twilio.WithUnscreenedCalls())
	require.NoError(t, err)
	t.Cleanup(snd.CloseIdleConnections)
	return s, snd
}

// TestNoCallsByDefault checks that a Sender without WithUnscreenedCalls
// refuses calls, so that Failover moves them on, and sends texts.
func TestNoCallsByDefault(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	snd, err := twilio.NewSender(twiliotest.AccountSID, twiliotest.AuthToken, from, twilio.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	err = snd.Send(context.Background(), verify.Message{Phone: phone, Channel: verify.Voice, Text: "Code 123456"})
	assert.ErrorIs(t, err, verify.ErrUnsupported)
	assert.ErrorContains(t, err, "WithUnscreenedCalls")
	assert.Empty(t, s.Requests())
	require.NoError(t, snd.Send(context.Background(), verify.Message{Phone: phone, Channel: verify.SMS, Text: "Code 123456"}))
	assert.Len(t, s.Sent(), 1)

	_, err = twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID, twilio.WithUnscreenedCalls())
	assert.ErrorIs(t, err, verify.ErrInvalidOption, "an option of NewSender only")
}

func TestNewSenderRefusesBadConfiguration(t *testing.T) {
	for name, f := range map[string]func() error{
		"sender": func() error {
			_, err := twilio.NewSender(twiliotest.AccountSID, twiliotest.AuthToken, "Acme")
			return err
		},
		"account": func() error { _, err := twilio.NewSender("AC1", twiliotest.AuthToken, from); return err },
		"token":   func() error { _, err := twilio.NewSender(twiliotest.AccountSID, "", from); return err },
		"option": func() error {
			_, err := twilio.NewSender(twiliotest.AccountSID, twiliotest.AuthToken, from, nil)
			return err
		},
		"an option of New": func() error {
			_, err := twilio.NewSender(twiliotest.AccountSID, twiliotest.AuthToken, from, twilio.WithValidity(5*time.Minute))
			return err
		},
	} {
		assert.ErrorIs(t, f(), verify.ErrInvalidOption, name)
	}
}

func TestSendSMS(t *testing.T) {
	s, snd := newSender(t)
	err := snd.Send(context.Background(), verify.Message{Phone: phone, Channel: verify.SMS, Text: "Your Acme code is 123456.", Language: "en-gb"})
	require.NoError(t, err)
	err = snd.Send(context.Background(), verify.Message{Phone: phone, Channel: verify.SMS, Text: "Code 654321", Originator: "+15005550009"})
	require.NoError(t, err)
	err = snd.Send(context.Background(), verify.Message{Phone: phone, Channel: verify.SMS, Text: "Code 111111", Originator: "Acme"})
	require.NoError(t, err)
	sent := s.Sent()
	require.Len(t, sent, 3)
	assert.Equal(t, "sms", sent[0].Kind)
	assert.Equal(t, phone, sent[0].To)
	assert.Equal(t, from, sent[0].From)
	assert.Equal(t, "Your Acme code is 123456.", sent[0].Body)
	assert.Equal(t, "+15005550009", sent[1].From, "a number as Originator is the sender")
	assert.Equal(t, from, sent[2].From, "a name as Originator is not a number: the Sender's own")
	assert.Equal(t, "/2010-04-01/Accounts/"+twiliotest.AccountSID+"/Messages.json", s.Requests()[0].Path)
	assert.Equal(t, "api.twilio.com", s.Requests()[0].Host)
}

func TestSendVoice(t *testing.T) {
	s, snd := newSender(t)
	ctx := context.Background()
	text := "Your code is 1 2 3 4 5 6. Again: 1 2 3 4 5 6 <&>"
	require.NoError(t, snd.Send(ctx, verify.Message{Phone: phone, Channel: verify.Voice, Text: text, Language: "nl-nl", Voice: verify.Male}))
	require.NoError(t, snd.Send(ctx, verify.Message{Phone: phone, Channel: verify.Voice, Text: "x", Language: "ro-ro"}))
	require.NoError(t, snd.Send(ctx, verify.Message{Phone: phone, Channel: verify.Voice, Text: "x", Originator: "+15005550009"}))
	sent := s.Sent()
	require.Len(t, sent, 3)
	assert.Equal(t, "call", sent[0].Kind)
	assert.Equal(t, "Enable", sent[0].MachineDetection)
	assert.Equal(t, twiml{Pause: "1", Voice: "Polly.Ruben", Language: "nl-NL", Text: text}, parseTwiML(t, sent[0].Body))
	assert.Equal(t, twiml{Pause: "1", Voice: "Polly.Carmen", Language: "ro-RO", Text: "x"}, parseTwiML(t, sent[1].Body))
	assert.Equal(t, twiml{Pause: "1", Voice: "Polly.Amy", Language: "en-GB", Text: "x"}, parseTwiML(t, sent[2].Body), "no language: British English")
	assert.Equal(t, "+15005550009", sent[2].From)
}

// TestEveryLanguageHasAVoice sends a call in every language in both
// voices.
func TestEveryLanguageHasAVoice(t *testing.T) {
	s, snd := newSender(t)
	for _, lang := range verify.Languages() {
		for _, g := range []verify.VoiceGender{verify.Female, verify.Male} {
			assert.NoError(t, snd.Send(context.Background(), verify.Message{Phone: phone, Channel: verify.Voice, Text: "x", Language: lang, Voice: g}), lang)
		}
	}
	assert.Len(t, s.Sent(), 2*len(verify.Languages()))
}

func TestSendErrors(t *testing.T) {
	const text = "Your code is 123456"
	tests := []struct {
		name  string
		msg   verify.Message
		fault *twiliotest.Fault
		want  error
	}{
		{"number not E.164", verify.Message{Phone: "0612345678", Channel: verify.SMS, Text: text}, nil, verify.ErrInvalidPhone},
		{"no text", verify.Message{Phone: phone, Channel: verify.SMS}, nil, verify.ErrInvalidOption},
		{"channel", verify.Message{Phone: phone, Channel: verify.Auto, Text: text}, nil, verify.ErrInvalidOption},
		{"language", verify.Message{Phone: phone, Channel: verify.Voice, Text: text, Language: "xx-yy"}, nil, verify.ErrInvalidOption},
		{"voice", verify.Message{Phone: phone, Channel: verify.Voice, Text: text, Voice: "robot"}, nil, verify.ErrInvalidOption},
		{"21211", verify.Message{Phone: phone, Channel: verify.SMS, Text: text},
			ptr(twiliotest.Error(400, 21211, "Invalid 'To' Phone Number: "+phone)), verify.ErrInvalidPhone},
		{"21614", verify.Message{Phone: phone, Channel: verify.SMS, Text: text},
			ptr(twiliotest.Error(400, 21614, "'To' number is not a valid mobile number")), verify.ErrUnsupported},
		{"21408", verify.Message{Phone: phone, Channel: verify.SMS, Text: text},
			ptr(twiliotest.Error(400, 21408, "Permission to send an SMS has not been enabled for the region")), verify.ErrUnsupported},
		{"429", verify.Message{Phone: phone, Channel: verify.Voice, Text: text}, ptr(twiliotest.RateLimited(0)), verify.ErrRateLimited},
		{"500", verify.Message{Phone: phone, Channel: verify.Voice, Text: text}, ptr(twiliotest.InternalError()), verify.ErrUnavailable},
		{"echoed text", verify.Message{Phone: phone, Channel: verify.SMS, Text: text},
			ptr(twiliotest.Error(400, 21617, "Body too long: "+text)), verify.ErrInvalidOption},
	}
	for _, tt := range tests {
		s, snd := newSender(t)
		if tt.fault != nil {
			s.Inject(*tt.fault)
		}
		err := snd.Send(context.Background(), tt.msg)
		if assert.ErrorIs(t, err, tt.want, tt.name) {
			assert.NotContains(t, err.Error(), "123456", tt.name)
			assert.NotContains(t, err.Error(), phone[1:], tt.name)
		}
	}
}

// TestSendIsNotResent drops the answer to a send on a pooled connection
// under a transport that marks requests idempotent: a second text would
// carry the code again.
func TestSendIsNotResent(t *testing.T) {
	s := twiliotest.NewServer()
	t.Cleanup(s.Close)
	snd, err := twilio.NewSender(twiliotest.AccountSID, twiliotest.AuthToken, from,
		twilio.WithHTTPClient(&http.Client{Transport: idempotent{s.Client().Transport}}))
	require.NoError(t, err)
	msg := verify.Message{Phone: phone, Channel: verify.SMS, Text: "Code 123456"}
	require.NoError(t, snd.Send(context.Background(), msg))
	s.Inject(twiliotest.DropAnswer())
	assert.ErrorIs(t, snd.Send(context.Background(), msg), verify.ErrUnavailable)
	assert.Len(t, s.Sent(), 2)
	assert.Len(t, s.Requests(), 2)
}

// twiml is what a call's TwiML says.
type twiml struct{ Pause, Voice, Language, Text string }

func parseTwiML(t *testing.T, doc string) twiml {
	t.Helper()
	var r struct {
		Pause struct {
			Length string `xml:"length,attr"`
		}
		Say struct {
			Voice    string `xml:"voice,attr"`
			Language string `xml:"language,attr"`
			Text     string `xml:",chardata"`
		}
	}
	require.NoError(t, xml.Unmarshal([]byte(doc), &r))
	return twiml{r.Pause.Length, r.Say.Voice, r.Say.Language, r.Say.Text}
}

func ptr[T any](v T) *T { return &v }

// TestSendHonoursContext cancels a send in flight by the caller's
// deadline.
func TestSendHonoursContext(t *testing.T) {
	s, snd := newSender(t)
	s.Inject(twiliotest.Delay(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := snd.Send(ctx, verify.Message{Phone: phone, Channel: verify.Voice, Text: "Code 123456"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, verify.ErrUnavailable)
	assert.Empty(t, s.Sent())
}
