// Package twilio connects the verify package to Twilio: [New] is a
// verify.Provider over Twilio's Verify API (v2), and [NewSender] a
// verify.Sender over its Messaging and Calls APIs, for the otp package.
// It is its own module, so that only programs that use Twilio depend on
// Twilio's Go client (twilio-go), which does the requests, the models and
// the error type; this package fills that client's gaps without copying
// it.
//
//	p, err := twilio.New(os.Getenv("TWILIO_ACCOUNT_SID"), os.Getenv("TWILIO_AUTH_TOKEN"),
//		os.Getenv("TWILIO_VERIFY_SERVICE_SID"))
//	if err != nil { ... }
//	v, err := verify.New(p, verify.WithAppName("Acme"))
//	if err != nil { ... }
//	ver, err := v.Start(ctx, "+31 6 12345678")   // Twilio calls and speaks the code
//	ver, err = v.Check(ctx, ver.ID, codeTheUserTyped)
//	if err == nil { /* ver.Phone is verified */ }
//
// # What it adds to the bare client
//
//   - Every call honours its context: canceling it or passing its
//     deadline aborts the request in flight, with an error matching both
//     the context's error and verify.ErrUnavailable. A call whose context
//     has no earlier deadline is bounded by 15 seconds (or the Timeout of
//     WithHTTPClient's client). twilio-go itself takes no context. No
//     goroutine is started.
//   - A check is sent at most once. It is a POST, which Go's transport
//     does not resend once it reached Twilio; the Provider also sends it
//     without GetBody, so that no transport resends it either (one that
//     marks requests idempotent, or HTTP/2 after a refused stream). A
//     check whose answer is lost is verify.ErrUnavailable, and Status then
//     reads the verification as expired even if the check went through:
//     Twilio forgets an approved verification. A Sender's texts and calls
//     are sent the same way: a second text would carry the same code.
//     Reads and cancels are resent as usual.
//   - Response bodies are read up to 64 KiB (a Verification is under
//     2 KiB); twilio-go reads them whole.
//   - Redirects are never followed: Twilio's REST API does not redirect,
//     and Go's client would repeat the auth token. A 3xx answer is
//     verify.ErrUnavailable.
//   - Errors map to verify's sentinels (table below), with Twilio's
//     status, code and message in a *verify.ProviderError. The message is
//     scrubbed: should Twilio echo the number (as "+31612345678" or
//     "31612345678"), the code, the auth token or a Sender's text, these
//     read "[number]", "[code]", "[auth token]" and "[text]". Nothing is
//     logged.
//   - twilio-go's process-wide settings are not read: the TWILIO_EDGE and
//     TWILIO_REGION environment variables, which would move requests to
//     another region, are ignored.
//   - Twilio answers 404 for a verification it has forgotten: once
//     approved, canceled, expired or used up, as for one it never had. The
//     Provider keeps a small record of each verification it started (see
//     below), so that Check says verify.ErrExpired for a used code and
//     Status how a verification ended.
//
// # Per Service, per verification
//
// Twilio fixes several things per Verify Service rather than per
// verification: the code length, the code's validity (10 minutes, which
// Twilio's Support can change), the 5 checks of a code, the texts (its
// own, or pre-approved templates) and the call's voice. The Provider
// honours, enforces or refuses each field of verify.Request; none is
// ignored:
//
//	verify.Request   Twilio                          when it cannot be done
//	Phone            To (E.164)                      -
//	Channel          Channel: Voice "call",          -
//	                 SMS "sms"
//	Language         Locale (table in language.go)   Icelandic is sent in English
//	                                                 (Verification.Language says "en-gb")
//	AppName          CustomFriendlyName              over 30 characters: ErrInvalidOption
//	Reference        Tags {"reference": ...}         over 128 bytes: ErrInvalidOption
//	                 (Twilio asks that tags hold no
//	                 personal data)
//	TokenLength      the Service's code length       ErrUnsupported, unless WithCodeLength
//	                 (WithCodeLength, default 6);    or WithService names a Service of
//	                 other lengths: WithService      that length
//	Validity         the Service's (WithValidity,    longer: ErrUnsupported;
//	                 default 10 min)                 shorter: enforced by the Provider
//	MaxAttempts      Twilio's 5 checks               over 5: ErrUnsupported;
//	                                                 fewer: enforced by the Provider
//	Template         Twilio's own text               WithTemplate (CustomTemplate):
//	                                                 ErrUnsupported; a built-in text is
//	                                                 left out, Twilio writes its own
//	Voice            the Service's voice             Male: ErrUnsupported
//	Originator       Twilio's own senders            any: ErrUnsupported
//
// Refusals come from Start, before any request, and name the verify
// option (such as "WithTokenLength(8)"), so that verify.Failover moves on
// to another provider. For a text of your own, a sender of your own or
// another code length, use the otp package over [NewSender].
//
// To enforce a shorter validity or fewer attempts, and to remember how a
// verification ended, the Provider keeps a record of each verification
// in a verify.LimitStore: its number, channel, deadline, attempts and
// state (never the code). A wrong code that uses up the attempts cancels
// the verification at Twilio too. The store is in memory by default (one
// app instance); give app instances behind a load balancer one shared
// store with [WithStore], such as the redislimit module's. A verification
// the store does not know (another instance's, without a shared store)
// is checked by Twilio alone: its 10 minutes and 5 checks, and 404 read as
// verify.ErrNotFound.
//
// # Errors
//
// Every error from the API is a *verify.ProviderError with Provider
// "twilio", the HTTP status, Twilio's code, its message (scrubbed) and the
// parameter it names; errors.Is matches the sentinel:
//
//	answer                                     sentinel
//	Check: 200 "approved"                      nil: verified
//	Check: 200 "pending"                       ErrInvalidCode, or ErrTooManyAttempts when
//	                                           it used up the Request's MaxAttempts
//	60202 max check attempts (429)             ErrTooManyAttempts
//	20404 or 404 on Check, Status, Cancel      ErrExpired for a verification the
//	                                           Provider started (Status: its record's
//	                                           state, pending read as expired);
//	                                           ErrNotFound otherwise
//	20404 or 404 on Start (unknown Service or  ErrUnavailable
//	locale, or account)
//	60200 invalid parameter To on Start        ErrInvalidPhone (a *verify.PhoneError)
//	60200 on another parameter on Start, 400   ErrInvalidOption
//	60200 on Check (the code)                  ErrInvalidCode
//	60203 max send attempts (429)              ErrRateLimited (a *verify.RateLimitError
//	                                           with Retry-After when given)
//	429, 20429                                 ErrRateLimited, as above
//	60410 Fraud Guard blocked the prefix       ErrSuspectedPumping and ErrRateLimited
//	60605 Verify geo permissions (403)         ErrUnsupported
//	20003 or 401 (credentials refused)         ErrUnavailable, "check the configuration"
//	5xx, other 4xx                             ErrUnavailable
//	HTML or malformed body, body over 64 KiB   ErrUnavailable
//	3xx (a redirect not followed)              ErrUnavailable
//	connection failure                         ErrUnavailable (HTTPStatus 0)
//	deadline (the context's or the timeout)    ErrUnavailable and context.DeadlineExceeded
//	canceled context                           ErrUnavailable and context.Canceled
//
// For a Sender: 21211 (invalid To) is ErrInvalidPhone; 21614 (not a
// mobile number) and 21408 (geo permissions) are ErrUnsupported; 60200
// and other 400s ErrInvalidOption; the rest as above.
//
// # The Sender
//
// A Sender sends a Message's text as an SMS from the Sender's number
// (Messages, Body), or, with WithUnscreenedCalls, reads it in a call
// (Calls, inline TwiML: a short
// pause, then <Say> in the Message's language with an Amazon Polly voice
// of the Message's gender; where Polly has no male voice for a language,
// the female one speaks). The text is read as given: the otp package
// spaces the code's digits and says it twice. The caller ID and the
// sender are the Sender's number, or the Message's Originator when it is
// a number in E.164 form.
//
// Calls and answering machines: a code must not land in a voicemail box,
// whose default PIN is a known way to steal it, and the otp package asks
// that of every Sender. This Sender cannot promise it: Twilio's
// answering-machine detection decides who answered, but only a webhook
// of the app's can act on that decision; a call's inline TwiML runs
// whatever it is, and a <Gather> "press a key to hear your code" needs an
// action URL to fetch the code from. So a Sender refuses calls
// (verify.ErrUnsupported, on which verify.Failover moves on) unless
// [WithUnscreenedCalls] accepts the risk; its calls are then placed with
// answering-machine detection (MachineDetection "Enable"), so that Twilio
// starts reading once it has decided who answered, over a machine's
// greeting rather than after its beep, which makes a recorded code less
// likely, not impossible. For calls, use [New]: a Verify Service whose
// "DTMF input required" setting is on asks for a key press before it
// reads the code; or the MessageBird Sender, which hangs up on machines.
//
// # Testing
//
// Package twiliotest is an emulator of these APIs on a loopback port,
// with a controllable clock, the codes and messages it "sent", fault
// injection and the requests it received; this package's tests and the
// verifytest conformance suite run against it, and so can an
// application's:
//
//	s := twiliotest.NewServer()
//	t.Cleanup(s.Close)
//	p, err := twilio.New(twiliotest.AccountSID, twiliotest.AuthToken, twiliotest.ServiceSID,
//		twilio.WithHTTPClient(s.Client()), twilio.WithClock(s.Now))
//
// # Performance
//
// BenchmarkStartCheckPaired alternates, in every iteration and in turns,
// a Start and a right Check with twilio-go called directly and through
// the Provider, on one emulator and one transport, and reports the ratio
// of their times. On 2026-12-04 (linux/amd64, Go 1.26.10, 2 cores shared
// with other work at a load average of 17 to 20), 10 runs of 4000 pairs
// gave a ratio of 1.00 over all 40 000 pairs (0.25 to 0.96 ms a pair on
// loopback), 1.03 as the median of the runs; single runs ranged from 0.66
// to 1.49 with the machine's load. The Provider makes 30 more
// allocations per pair than twilio-go (516 against 486, the emulator's
// included): its records and the calls' contexts.
package twilio
