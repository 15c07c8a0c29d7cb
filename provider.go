package verify

import (
	"context"
	"time"
)

// Provider sends one-time codes and checks them. The fake and messagebird
// packages implement it; a Verifier adds validation, normalisation and
// policy around it, so a Provider can stay a thin adapter.
//
// Implementations must be safe for concurrent use and must honour ctx:
// when it ends, a call returns promptly with an error that wraps ctx.Err().
//
// Start creates a verification for req and sends its code. Errors:
// ErrInvalidPhone when the provider refuses the recipient, ErrRateLimited,
// ErrUnavailable.
//
// Check submits a code. It returns the verification (with its new status
// and the number, which the Verifier checks against its policies again)
// and a nil error only when the code was right, and otherwise:
// ErrInvalidCode for a wrong code while attempts remain, ErrTooManyAttempts
// when this or an earlier wrong code used up the attempts, ErrExpired when
// the verification expired, was already verified or was canceled,
// ErrNotFound for an unknown id, ErrUnavailable when the provider failed.
// A Verifier treats anything but StatusVerified as a failure, even when a
// Provider returns a nil error.
//
// Errors with upstream detail should be a *ProviderError wrapping the
// sentinel.
//
// A verification's id is 1 to 64 ASCII letters, digits, '-' and '_' (a
// Verifier passes no other id on), and never starts with "test_", which
// a Verifier keeps for its test numbers (WithTestNumbers). Failover
// puts a prefix of 3 or more characters in front of it.
type Provider interface {
	Start(ctx context.Context, req Request) (*Verification, error)
	Check(ctx context.Context, id, code string) (*Verification, error)
}

// StatusProvider is a Provider that can read a verification without
// submitting a code. Status returns ErrNotFound for an unknown id.
type StatusProvider interface {
	Status(ctx context.Context, id string) (*Verification, error)
}

// Canceler is a Provider that can cancel a verification, so that its code
// no longer works. Cancel returns ErrNotFound for an unknown id.
type Canceler interface {
	Cancel(ctx context.Context, id string) error
}

// Request is what a Verifier asks a Provider to send. Every field is set
// and valid: the Verifier fills defaults and checks ranges before calling
// Start.
type Request struct {
	Phone       string        // recipient in E.164, such as "+31612345678"
	Channel     Channel       // Voice or SMS
	TokenLength int           // digits in the code, 6 to 10
	Voice       VoiceGender   // voice of a call
	Language    string        // language of the call or text, one of Languages(), such as "en-gb"
	Template    string        // message text in Language; contains "%token"
	Validity    time.Duration // how long the code stays valid
	MaxAttempts int           // wrong codes allowed before the verification fails
	Originator  string        // sender shown to the recipient; empty for the provider's default
	Reference   string        // caller's reference, passed through; may be empty
	AppName     string        // the app whose code it is (WithAppName), already in a built-in Template; may be empty

	// CustomTemplate is true when Template is the app's own text
	// (WithTemplate) and false for a built-in one, which a provider that
	// writes its own texts, such as Twilio's Verify API, may leave out.
	CustomTemplate bool
}

// A Sender delivers a finished text by SMS, or reads it out in a call. It
// neither makes nor checks codes: the otp package makes them, and a
// Sender is a thin adapter over a plain messaging API (MessageBird's SMS
// and Voice Messages APIs, Twilio's Messaging and Calls, the fake's
// inbox).
//
// Implementations must be safe for concurrent use and must honour ctx.
// Send returns nil once the provider accepted the message, and otherwise
// an error matching ErrInvalidPhone (the provider refused the
// recipient), ErrRateLimited, ErrUnsupported (the channel cannot be
// used), or ErrUnavailable, preferably as a *ProviderError. The text
// holds the code: a Sender must never log it or put it in an error.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Message is what a Sender delivers.
type Message struct {
	Phone      string      // recipient in E.164, such as "+31612345678"
	Channel    Channel     // SMS or Voice
	Text       string      // the whole text, code included; for Voice written to be spoken
	Language   string      // language of the text, one of Languages(), such as "nl-nl"
	Voice      VoiceGender // voice of a call
	Originator string      // sender shown to the recipient; empty for the Sender's default
	Reference  string      // caller's reference, passed through; may be empty
}
