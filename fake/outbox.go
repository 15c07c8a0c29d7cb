package fake

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/phoneverify/verify"
)

// outbox is what a Provider and a Sender share: the messages "sent", the
// failures FailNext and StallNext inject, the clock and the logger.
type outbox struct {
	now    func() time.Time
	logger *slog.Logger

	mu       sync.Mutex
	messages []Message
	fail     error
	stall    bool
}

func (o *outbox) failNext(err error) {
	o.mu.Lock()
	o.fail = err
	o.mu.Unlock()
}

func (o *outbox) stallNext() {
	o.mu.Lock()
	o.stall = true
	o.mu.Unlock()
}

// intercept runs first in every call: it returns ctx's error, or the
// failure injected with FailNext, or stalls as StallNext asked.
func (o *outbox) intercept(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	err, stall := o.fail, o.stall
	o.fail, o.stall = nil, false
	o.mu.Unlock()
	if stall {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

// record adds m to the messages and logs it, when a logger was given,
// with the code first.
func (o *outbox) record(ctx context.Context, m Message) {
	o.mu.Lock()
	o.messages = append(o.messages, m)
	o.mu.Unlock()
	if o.logger != nil {
		// The code leads the message, where a developer looks first; the
		// number is masked, as in every other log of the library.
		attrs := []slog.Attr{slog.String("phone", verify.MaskPhone(m.Phone)),
			slog.String("channel", string(m.Channel)), slog.String("code", m.Code),
			slog.String("text", m.Text)}
		if m.ID != "" { // a Sender knows no id
			attrs = append([]slog.Attr{slog.String("id", m.ID)}, attrs...)
		}
		o.logger.LogAttrs(ctx, slog.LevelInfo, "fake: code "+m.Code+" sent", attrs...)
	}
}

// lastCode returns the code of the newest message to phone.
func (o *outbox) lastCode(phone string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.messages) - 1; i >= 0; i-- {
		if o.messages[i].Phone == phone {
			return o.messages[i].Code, true
		}
	}
	return "", false
}

// list returns a copy of the messages, oldest first.
func (o *outbox) list() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.messages)
}

// checkRecipient refuses what a real provider would refuse: a number not
// in E.164 form, a channel other than Voice and SMS. A Verifier never
// sends them; a test calling the fake directly might.
func checkRecipient(phone string, ch verify.Channel) error {
	if len(phone) < 3 || phone[0] != '+' || strings.Trim(phone[1:], "0123456789") != "" {
		return &verify.PhoneError{Code: "format", Reason: "the recipient is not in E.164 form"}
	}
	if ch != verify.Voice && ch != verify.SMS {
		return fmt.Errorf("%w: channel %q", verify.ErrInvalidOption, ch)
	}
	return nil
}
