package twilio

import (
	"context"
	"fmt"

	api "github.com/twilio/twilio-go/rest/api/v2010"
	"github.com/twilio/twilio-go/twiml"

	"github.com/phoneverify/verify"
)

var _ verify.Sender = (*Sender)(nil)

// machineDetection is the MachineDetection of every call: Twilio answers
// the call, decides whether a person or a machine picked up, and only then
// runs the call's TwiML (see the package documentation, "Calls and
// answering machines").
const machineDetection = "Enable"

// Sender delivers finished texts through Twilio's Messaging API (SMS) and
// reads them out in calls through its Calls API (Voice), for the otp
// package: it works with any Twilio account that can send, with or
// without Verify. Create it with NewSender; it is safe for concurrent use.
type Sender struct {
	c     *client
	from  string
	calls bool // WithUnscreenedCalls
}

// WithUnscreenedCalls lets a Sender place calls, which it refuses by
// default with verify.ErrUnsupported: Twilio's Calls API, driven without
// a webhook of the app's, cannot keep a code off an answering machine
// (see the package documentation, "Calls and answering machines"). With
// it, calls are placed with answering-machine detection and may still
// leave a code in a mailbox; give it only when that risk is accepted.
// Without it, verify.Failover moves a call on to the next provider, and
// texts are sent as usual. An option of NewSender only.
func WithUnscreenedCalls() Option {
	return optionFunc(func(cfg *config) { cfg.calls, cfg.senderOnly = true, "WithUnscreenedCalls" })
}

// NewSender returns a Sender that sends from the number from (E.164, a
// number of the account), authenticating as accountSID with authToken. A
// Message's Originator, when it is a number in E.164 form, is the caller
// ID and sender instead. A malformed SID, token or number, or a bad
// option, gives an error matching verify.ErrInvalidOption. NewSender
// makes no request.
func NewSender(accountSID, authToken, from string, opts ...Option) (*Sender, error) {
	cfg, err := newConfig(config{}, opts)
	if err != nil {
		return nil, err
	}
	if cfg.only != "" {
		return nil, optionError("%s is an option of New: a Sender does not take it", cfg.only)
	}
	if !e164(from) {
		return nil, optionError("the sender number is not in international (E.164) form")
	}
	c, err := newClient(accountSID, authToken, &cfg)
	if err != nil {
		return nil, err
	}
	return &Sender{c: c, from: from, calls: cfg.calls}, nil
}

// CloseIdleConnections closes the idle keep-alive connections of the
// Sender's transport (that of WithHTTPClient, when given).
func (s *Sender) CloseIdleConnections() { s.c.closeIdle() }

// maxText bounds the text of a message: Twilio takes at most 1600
// characters in a Body, and 4000 in a call's TwiML.
const maxText = 1600

// Send texts m.Text (SMS) or has it read out in a call (Voice), in
// m.Language's voice of m.Voice. It returns once Twilio accepted the
// message or the call ("queued"); it neither waits for delivery nor
// learns of it.
func (s *Sender) Send(ctx context.Context, m verify.Message) error {
	if !e164(m.Phone) {
		return &verify.PhoneError{Code: "format", Reason: "the number is not in international (E.164) form"}
	}
	if m.Text == "" || len([]rune(m.Text)) > maxText {
		return optionError("the text is empty or longer than %d characters", maxText)
	}
	from := s.from
	if e164(m.Originator) {
		from = m.Originator
	}
	var send func(*call) error
	switch m.Channel {
	case verify.SMS:
		params := &api.CreateMessageParams{}
		params.SetTo(m.Phone)
		params.SetFrom(from)
		params.SetBody(m.Text)
		send = func(k *call) error { _, err := k.api().CreateMessage(params); return err }
	case verify.Voice:
		if !s.calls {
			return fmt.Errorf("%w: twilio: the Sender places no calls without WithUnscreenedCalls: a code could be left on an answering machine", verify.ErrUnsupported)
		}
		doc, err := speech(m)
		if err != nil {
			return err
		}
		params := &api.CreateCallParams{}
		params.SetTo(m.Phone)
		params.SetFrom(from)
		params.SetTwiml(doc)
		params.SetMachineDetection(machineDetection)
		send = func(k *call) error { _, err := k.api().CreateCall(params); return err }
	default:
		return optionError("channel %q is not voice or sms", m.Channel)
	}
	if err := ctx.Err(); err != nil {
		return canceledBefore(err)
	}
	ctx, cancel := s.c.bound(ctx)
	defer cancel()
	k := s.c.newCall(ctx)
	defer k.done()
	// A create is not resent by the transport: a second text or call
	// would carry the same code again.
	k.once = true
	k.hide(m.Phone, "")
	k.secrets = append(k.secrets, secret{m.Text, "[text]"})
	if err := send(k); err != nil {
		return k.fail(opSend, err)
	}
	if k.status/100 != 2 {
		return k.malformed("unexpected status")
	}
	return nil
}

// speech returns the TwiML of a call that reads m.Text in m.Language, in
// the voice of m.Voice.
func speech(m verify.Message) (string, error) {
	v, ok := voices[m.Language]
	switch {
	case m.Language == "":
		v = voices["en-gb"]
	case !ok:
		return "", optionError("language %q is not one of verify.Languages()", m.Language)
	}
	voice := v.female
	switch m.Voice {
	case verify.Male:
		voice = v.male
	case verify.Female, "":
	default:
		return "", optionError("voice %q is not female or male", m.Voice)
	}
	return twiml.Voice([]twiml.Element{
		twiml.VoicePause{Length: "1"},
		twiml.VoiceSay{Message: m.Text, Voice: voice, Language: v.language},
	})
}
