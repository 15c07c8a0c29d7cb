package messagebird

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/messagebird/go-rest-api/v9/sms"
	"github.com/messagebird/go-rest-api/v9/voicemessage"

	"github.com/phoneverify/verify"
)

var _ verify.Sender = (*Sender)(nil)

// Sender delivers finished texts through MessageBird's Messages API (SMS)
// and Voice Messages API (a call that reads the text out), for a Provider
// that makes and checks its codes itself, such as otp's. Create it with
// NewSender; it is safe for concurrent use and keeps its connections alive
// between calls, so create one and share it.
type Sender struct {
	cl         client
	originator string
	repeat     int
	ifMachine  string
}

// voiceLanguages are the languages of the Voice Messages API, a superset
// of verify.Languages().
var voiceLanguages = strings.Fields("cy-gb da-dk de-de el-gr en-au en-gb en-gb-wls en-in en-us es-es es-mx es-us fr-ca fr-fr id-id is-is it-it ja-jp ko-kr ms-my nb-no nl-nl pl-pl pt-br pt-pt ro-ro ru-ru sv-se ta-in th-th tr-tr vi-vn zh-cn zh-hk")

// maxVoiceText is the most characters the Voice Messages API reads out.
const maxVoiceText = 1000

// senderOption is an option of NewSender alone, named name: set applies
// it and returns why its value is bad, or "".
type senderOption struct {
	name string
	set  func(*config) string
}

func (o senderOption) apply(c *config) {
	c.senderOnly = cmp.Or(c.senderOnly, o.name)
	if why := o.set(c); why != "" {
		c.err = invalidOption("%s: %s", o.name, why)
	}
}

// WithOriginator sets the sender shown for a Message without an
// Originator: for SMS a number with its country code ("+31201234567") or
// 1 to 11 letters and digits; a call shows it only when it is a number.
// Default: "Code", as MessageBird's Verify API. NewSender only.
func WithOriginator(originator string) Option {
	return senderOption{"WithOriginator", func(c *config) string {
		c.originator = originator
		if !validOriginator(originator) {
			return fmt.Sprintf("%q is not a number or 1 to 11 letters and digits", originator)
		}
		return ""
	}}
}

// WithRepeat sets how many times a call reads the text out, 1 to 10.
// Default: 1, since a text made for speech already says the code twice.
// NewSender only.
func WithRepeat(n int) Option {
	return senderOption{"WithRepeat", func(c *config) string {
		c.repeat = n
		if n < 1 || n > 10 {
			return fmt.Sprintf("%d is not within 1 to 10", n)
		}
		return ""
	}}
}

// WithIfMachine sets what a call does when an answering machine picks up:
// "hangup" (end the call), "continue" (read the text regardless) or
// "delay" (wait for the greeting to end, then read it: it is left on the
// voicemail). Default: "hangup", because a code must never be left on a
// voicemail box, where default PINs let others listen to it; MessageBird's
// own default is "delay". NewSender only.
func WithIfMachine(action string) Option {
	return senderOption{"WithIfMachine", func(c *config) string {
		c.ifMachine = action
		if action != "hangup" && action != "continue" && action != "delay" {
			return fmt.Sprintf("%q is not hangup, continue or delay", action)
		}
		return ""
	}}
}

// NewSender returns a Sender that authenticates with accessKey. It takes
// the options of New (WithEndpoint, WithHTTPClient) and its own
// (WithOriginator, WithRepeat, WithIfMachine). An empty or malformed key,
// or a bad option, gives an error matching verify.ErrInvalidOption; the
// key never appears in it.
func NewSender(accessKey string, opts ...Option) (*Sender, error) {
	cl, cfg, err := newClient(accessKey, opts)
	if err != nil {
		return nil, err
	}
	return &Sender{cl: cl, originator: cfg.originator, repeat: cfg.repeat, ifMachine: cfg.ifMachine}, nil
}

// CloseIdleConnections closes the idle keep-alive connections of the
// Sender's transport (that of WithHTTPClient, when given).
func (s *Sender) CloseIdleConnections() { s.cl.closeIdleConnections() }

// Send has MessageBird text m.Text (SMS) or read it out in a call
// (Voice), and returns once MessageBird accepted the message. See the
// package documentation for the mapping and the errors. Neither the text
// nor the number ever appears in an error.
func (s *Sender) Send(ctx context.Context, m verify.Message) error {
	if !e164(m.Phone) {
		return &verify.PhoneError{Code: "format", Reason: "the number is not in international (E.164) form"}
	}
	if m.Text == "" {
		return invalidOption("the text is empty")
	}
	originator := cmp.Or(m.Originator, s.originator)
	var create func(c *call) error
	recipients := []string{m.Phone[1:]}
	switch m.Channel {
	case verify.SMS:
		if !validOriginator(originator) {
			return invalidOption("originator %q is not a number or 1 to 11 letters and digits", originator)
		}
		// MessageBird's default is plain (GSM 03.38): a text in Cyrillic,
		// CJK or with most accents would arrive garbled.
		params := &sms.Params{Type: "sms", Reference: m.Reference, DataCoding: "auto"}
		create = func(c *call) error {
			_, err := sms.Create(c, originator, recipients, m.Text, params)
			return err
		}
	case verify.Voice:
		if n := utf8.RuneCountInString(m.Text); n > maxVoiceText {
			return invalidOption("the text has %d characters; a call reads at most %d", n, maxVoiceText)
		}
		if m.Language != "" && !slices.Contains(voiceLanguages, m.Language) {
			return fmt.Errorf("%w: messagebird: calls cannot speak %q", verify.ErrUnsupported, m.Language)
		}
		switch m.Voice {
		case "", verify.Female, verify.Male:
		default:
			return invalidOption("voice %q is not female or male", m.Voice)
		}
		if !isNumber(originator) {
			originator = "" // a caller id is a number: MessageBird's own then
		}
		params := &voicemessage.Params{Originator: originator, Reference: m.Reference, Language: m.Language,
			Voice: string(m.Voice), Repeat: s.repeat, IfMachine: s.ifMachine}
		create = func(c *call) error {
			_, err := voicemessage.Create(c, recipients, m.Text, params)
			return err
		}
	default:
		return fmt.Errorf("%w: messagebird: channel %q is not sms or voice", verify.ErrUnsupported, m.Channel)
	}
	ctx, cancel := s.cl.bound(ctx)
	defer cancel()
	c := s.cl.newCall(ctx)
	c.number, c.text = m.Phone[1:], m.Text
	if err := create(c); err != nil {
		return c.fail(opSend, err)
	}
	return nil
}

// isNumber reports whether s is a phone number as an originator: up to 15
// digits, "+" allowed before them.
func isNumber(s string) bool {
	d := strings.TrimPrefix(s, "+")
	return len(d) <= 15 && only(d, isDigit)
}

// validOriginator reports whether s can be the originator of an SMS: a
// number, or 1 to 11 letters and digits.
func validOriginator(s string) bool { return isNumber(s) || len(s) <= 11 && only(s, isAlnum) }
