// Package messagebird is a [verify.Provider] backed by MessageBird's Verify
// API, and a [verify.Sender] backed by its Messages (SMS) and Voice
// Messages APIs (see Sender below). It calls the APIs through
// MessageBird's own Go client (go-rest-api v9: its Client interface,
// DefaultClient, verify.Verify, sms, voicemessage and ErrorResponse) and
// fills that client's gaps without copying it.
//
//	p, err := messagebird.New(os.Getenv("MESSAGEBIRD_ACCESS_KEY"))
//	if err != nil { ... }
//	v, err := verify.New(p, verify.WithOriginator("MyApp"), verify.WithLanguage("nl-nl"))
//	if err != nil { ... }
//	ver, err := v.Start(ctx, "+31 6 12345678")   // MessageBird calls and speaks the code
//	ver, err = v.Check(ctx, ver.ID, codeTheUserTyped)
//	if err == nil { /* ver.Phone is verified */ }
//
// The access key is a live or test key from MessageBird's dashboard
// (Developers, API access). Test keys send nothing, and MessageBird then
// forgets the verification: use them to check the key and the request,
// and use the mbtest emulator to test the whole flow.
//
// # What it adds to the bare client
//
// All of this holds for the Sender too, but for what concerns Check.
//
//   - Every call honours its context: canceling it or passing its deadline
//     aborts the request in flight and returns at once, with an error
//     matching both the context's error and verify.ErrUnavailable; a call
//     whose context has already ended sends nothing and returns the same.
//     A call whose context has no earlier deadline is bounded by 15
//     seconds (or the Timeout given with WithHTTPClient), whose end is
//     reported the same way, as context.DeadlineExceeded. No goroutine is
//     started.
//   - maxAttempts is sent (go-rest-api's Params has no field for it), and
//     the validity too.
//   - Errors keep the HTTP status, which go-rest-api drops, and map to
//     verify's sentinels (tables below), with MessageBird's code,
//     description and parameter in a *verify.ProviderError.
//   - Success is decided on status "verified" only: MessageBird answers
//     an empty code with 200 and status "sent".
//   - A check is sent at most once. Go's transport resends a GET by
//     itself when a reused connection closes before any answer, and
//     MessageBird answers a second check of the right code "already
//     processed". Check's request carries an empty body that cannot be
//     rewound (no GetBody), which the transport resends only when none
//     of it reached the server; on the wire it is still a GET without a
//     body (over HTTP/2 it ends with an empty data frame). A check whose
//     answer is lost is verify.ErrUnavailable: Status tells whether it
//     went through. Reads (Status, and the read after a wrong code) are
//     resent as usual.
//   - Ids that are not 1 to 64 letters and digits, and codes that are not
//     4 to 10 digits, are refused before any request: go-rest-api puts both
//     into the URL unescaped.
//   - Nothing is logged, and no error message holds the code, the access
//     key, the number or a response body (go-rest-api's own errors hold the
//     URL, and so the code, and raw bodies). MessageBird's description and
//     parameter are kept, but should they echo the code, the access key
//     or the number, in any format ("+31 6 12345678", "0612345678",
//     "1, 2, 3"), these read "[code]", "[access key]" and "[number]", and
//     any other 4 digits or more, with only spaces or punctuation between
//     them, read "[digits]": Check, Status and Cancel do not know the
//     number (in ProviderError.Description and Parameter, and so in every
//     log line and message made of them). go-rest-api's process-wide
//     settings (SetErrorReader, DebugLog) are never touched; a program that
//     calls SetErrorReader itself makes API errors read as
//     verify.ErrUnavailable.
//   - Redirects are not followed (the Verify API never redirects, and
//     Go's client repeats the access key to the same host, even from https
//     to http), unless WithHTTPClient gives a CheckRedirect, and even then
//     never to http after https or off loopback.
//   - A response body is read up to 64 KiB (a Verify object is under
//     1 KiB): go-rest-api reads bodies whole, so a broken or hostile server
//     could make one call allocate gigabytes.
//   - Connections are kept alive and shared by all calls of a Provider.
//   - Numbers in E.164 both ways, and MessageBird's numeric recipients
//     read back as "+31612345678".
//
// # Request mapping
//
// Start sends POST /verify with these fields. A zero TokenLength, Validity
// or MaxAttempts, and an empty Template, Originator or Reference, leave the
// field out, so that MessageBird's default applies (6 digits, 30 seconds,
// 1 attempt, "Your code is: %token", "Code"); a Verifier always fills
// them.
//
//	verify.Request            MessageBird field
//	Phone "+31612345678"      recipient "31612345678" (E.164 without "+")
//	Channel Voice             type "tts", with voice and language
//	Channel SMS               type "sms", datacoding "auto" (voice and
//	                          language left out)
//	Voice Female, Male        voice "female", "male"
//	Language "en-gb"          language "en-gb"
//	Template                  template (must contain %token)
//	TokenLength 6..10         tokenLength
//	Validity 30s..72h         timeout, in seconds, rounded up
//	MaxAttempts 1..10         maxAttempts
//	Originator                originator
//	Reference                 reference
//
// MessageBird sends an SMS in plain (GSM 03.38) coding unless told
// otherwise, which would garble a template in Cyrillic, CJK or with most
// accents: datacoding "auto" has it choose unicode when the text needs it.
// (go-rest-api spells this field dataCoding; the API documents datacoding.)
//
// Values out of these ranges, a phone number not in E.164 form and an
// unknown channel or voice are refused before any request
// (verify.ErrInvalidOption, verify.ErrInvalidPhone).
//
// # Response mapping
//
//	MessageBird Verify object       verify.Verification
//	id                              ID
//	recipient 31612345678 (number)  Phone "+31612345678"
//	recipient "31612345678"         Phone "+31612345678"
//	type "tts"                      Channel Voice
//	type "sms", "flash"             Channel SMS
//	status "sent"                   Status StatusPending
//	status "verified"               Status StatusVerified
//	status "expired"                Status StatusExpired
//	status "failed"                 Status StatusFailed
//	status "deleted"                Status StatusCanceled
//	createdDatetime                 CreatedAt
//	validUntilDatetime              ExpiresAt
//
// A response without a valid id, about another id than the one asked
// for, with a recipient that is not a phone number, or with another status
// is verify.ErrUnavailable.
//
// # Errors
//
// Every error from the API is a *verify.ProviderError with Provider
// "messagebird", the HTTP status, and MessageBird's code, description and
// parameter; errors.Is matches the sentinel:
//
//	answer                                        sentinel
//	Check: code 10 "The token is invalid."        ErrInvalidCode, or ErrTooManyAttempts
//	                                              when a read then shows status "failed"
//	Check: code 10 mentioning "expired"           ErrExpired
//	Check: code 10 "already been processed"       ErrExpired (ErrTooManyAttempts if "failed")
//	Check: 200 with status "sent"                 ErrInvalidCode (never a success)
//	Check: 200 with status "failed"               ErrTooManyAttempts
//	Check: 200 with status "expired", "deleted"   ErrExpired
//	code 20, or 404 on an id                      ErrNotFound
//	Start: code 9 or 10 on "recipient"            ErrInvalidPhone (a *verify.PhoneError)
//	Start: code 9 or 10 on another parameter      ErrInvalidOption
//	429                                           ErrRateLimited (a *verify.RateLimitError
//	                                              with Retry-After, 0 to 24 h)
//	401, 403 or code 2 (access key refused)       ErrUnavailable
//	code 25 (not enough balance)                  ErrUnavailable
//	5xx, code 98 or 99, other 4xx                 ErrUnavailable
//	HTML or malformed body                        ErrUnavailable
//	body over 64 KiB, whatever the status         ErrUnavailable
//	3xx (a redirect not followed)                 ErrUnavailable
//	connection failure                            ErrUnavailable (HTTPStatus 0)
//	deadline (the context's or the Provider's     ErrUnavailable and
//	own timeout)                                  context.DeadlineExceeded
//	canceled context                              ErrUnavailable and context.Canceled
//
// MessageBird does not say whether the wrong code that uses up the
// attempts is answered as invalid or with status "failed", so after a
// code 10 "invalid" or "processed" answer Check reads the verification
// once: the extra request is made on wrong codes only, never on the
// success path. If that read fails, the first answer decides.
//
// # Sender
//
// NewSender returns a [Sender], for a Provider that makes and checks its
// codes itself, such as the otp package's: MessageBird then only delivers
// the text, which works on accounts without the Verify API, and costs one
// message or call.
//
//	snd, err := messagebird.NewSender(os.Getenv("MESSAGEBIRD_ACCESS_KEY"))
//	if err != nil { ... }
//	p, err := otp.New(snd, secret)   // the library makes and checks the codes
//	if err != nil { ... }
//	v, err := verify.New(p)
//
// Send maps a [verify.Message] as follows; ranges are checked before any
// request (ErrInvalidPhone for a number not in E.164 form, ErrUnsupported
// for another channel or a language calls cannot speak, ErrInvalidOption
// for the rest).
//
//	verify.Message        SMS: POST /messages            Voice: POST /voicemessages
//	Phone "+31612345678"  recipients ["31612345678"]     recipients ["31612345678"]
//	Text                  body                           body, at most 1,000 characters
//	Originator            originator: a number or 1 to   originator when it is a number,
//	                      11 letters and digits;         else left out (a caller id is
//	                      WithOriginator's when empty    a number)
//	                      ("Code" by default)
//	Reference             reference                      reference
//	Language              -                              language: one of the 34 of the
//	                                                     Voice Messages API (more than
//	                                                     Verify's 19); left out when empty
//	Voice                 -                              voice "female" or "male"
//	-                     type "sms", datacoding "auto"  repeat (WithRepeat, 1 to 10,
//	                                                     default 1), ifMachine (WithIfMachine,
//	                                                     default "hangup")
//
// A call hangs up on an answering machine unless WithIfMachine says
// otherwise, because a code left on a voicemail box can be heard by anyone
// who knows its PIN, often a default one; MessageBird's own default
// ("delay") leaves the message there.
//
// Errors are mapped as Start's in the table above, with "recipients" for
// "recipient", and a refused language as ErrUnsupported. A send is never
// repeated: when its answer is lost it is ErrUnavailable, though
// MessageBird may have sent the message. Should an error echo the text,
// it reads "[text]", and any part of it with 4 digits or more "[digits]".
//
// # Testing
//
// Package mbtest is an emulator of the Verify, Messages and Voice
// Messages APIs on a loopback port, with a controllable clock, the codes
// and texts it "sent", fault injection and the requests it received; this
// package's tests and the verifytest conformance suite run against it, and
// so can an application's:
//
//	s := mbtest.NewServer()
//	t.Cleanup(s.Close)
//	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
//	snd, err := messagebird.NewSender(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
//
// # Performance
//
// BenchmarkStartCheck runs, in one process, Start and a right Check
// against the emulator through a Verifier and this Provider, through the
// Provider alone, and with go-rest-api called directly (verify.Create and
// verify.VerifyToken with the same parameters); BenchmarkStartCheckPaired
// alternates the first and the last in each iteration, for a time ratio
// under the same load. The emulator's own work counts in every line.
// Allocations per Start and Check, the emulator's included, on 2026-11-30
// (linux/amd64, Go 1.26.8):
//
//	go-rest-api directly     326
//	Provider alone           354   +28: the second decode of each answer,
//	                               for its type, 17; the check's one-shot
//	                               body, 8
//	Verifier + Provider      462   +108: parsing and classifying the
//	                               number, limits, language
//
// Times on loopback, 0.3 to 0.6 ms a pair on 2 shared cores, moved more
// with the machine's load than between the lines; a round trip to
// MessageBird costs far more than any of them.
//
// BenchmarkSend sends one SMS and one call with go-rest-api's sms and
// voicemessage packages and through a Sender, and BenchmarkSendPaired
// alternates the two on one emulator. On 2026-12-04 (linux/amd64, Go
// 1.26.10, 2 shared cores): 476 and 473 allocations a pair, the
// emulator's included; time overhead of the Sender in 10 paired runs of
// 3,000 pairs, median about 0 %, from -12 % to +23 % with the load.
package messagebird
