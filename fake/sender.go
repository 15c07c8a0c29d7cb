package fake

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/phoneverify/verify"
)

var _ verify.Sender = (*Sender)(nil)

// Sender is the fake verify.Sender: it records each message instead of
// sending it. Put it under the otp package's Provider, which makes the
// codes, to run an app or its tests without any messaging API. Create it
// with NewSender.
type Sender struct {
	box outbox
}

// NewSender returns a Sender that has sent nothing yet. It takes WithClock
// and WithLogger; WithCode does nothing to it.
func NewSender(opts ...Option) *Sender {
	s := newSettings(opts)
	return &Sender{box: outbox{now: s.now, logger: s.logger}}
}

// Send records m, with the code read from its text (see LastCode). It
// refuses a number not in E.164 form (a *verify.PhoneError), a channel
// other than Voice and SMS and an empty text (verify.ErrInvalidOption).
func (s *Sender) Send(ctx context.Context, m verify.Message) error {
	if err := s.box.intercept(ctx); err != nil {
		return err
	}
	if err := checkRecipient(m.Phone, m.Channel); err != nil {
		return err
	}
	if m.Text == "" || !utf8.ValidString(m.Text) {
		return fmt.Errorf("%w: the text is empty or not UTF-8", verify.ErrInvalidOption)
	}
	s.box.record(ctx, Message{
		Phone:      m.Phone,
		Channel:    m.Channel,
		Text:       m.Text,
		Code:       codeIn(m.Text),
		Voice:      m.Voice,
		Language:   m.Language,
		Originator: m.Originator,
		Reference:  m.Reference,
		SentAt:     s.box.now(),
	})
	return nil
}

// FailNext makes the next Send return err without doing anything. Use it
// to test how your code handles a messaging API's failures, for example
// FailNext(verify.ErrUnavailable).
func (s *Sender) FailNext(err error) { s.box.failNext(err) }

// StallNext makes the next Send wait, without doing anything, until its
// context ends, and then return the context's error.
func (s *Sender) StallNext() { s.box.stallNext() }

// LastCode returns the code of the newest message sent to phone (E.164,
// such as "+31612345678"), read from its text as a user would read it:
// the longest run of digits with nothing but spaces and commas (",", "、",
// "，") between them, the first of the longest when several are as long.
// So "Your code is 1, 2, 3, 4, 5, 6." gives "123456", and so does a text
// that says the code twice or ends with a WebOTP line. It reports false
// when nothing was sent to phone, and an empty code when the text holds
// no digits.
func (s *Sender) LastCode(phone string) (string, bool) { return s.box.lastCode(phone) }

// Messages returns a copy of every message sent, oldest first.
func (s *Sender) Messages() []Message { return s.box.list() }

// Inbox returns a handler that lists the messages sent, as Provider.Inbox
// does.
func (s *Sender) Inbox() http.Handler { return s.box.inbox() }

// codeIn returns the code a user would read in text (see LastCode).
func codeIn(text string) string {
	var best, run []byte
	for _, r := range text {
		switch {
		case '0' <= r && r <= '9':
			run = append(run, byte(r))
		case len(run) > 0 && (r == ' ' || r == '\u00a0' || r == ',' || r == '、' || r == '，'):
			// between the digits of a code read out one by one
		default:
			if len(run) > len(best) {
				best = run
			}
			run = nil
		}
	}
	if len(run) > len(best) {
		best = run
	}
	return string(best)
}
