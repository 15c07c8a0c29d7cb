// Package http serves phone verification to browsers and apps: drop-in
// net/http handlers for the classic three pages (enter your number, enter
// the code you heard, you are verified) and a JSON API beside them for
// single-page and mobile apps. Import it as verifyhttp:
//
//	import verifyhttp "github.com/phoneverify/verify/http"
//
//	provider, err := messagebird.New(os.Getenv("MESSAGEBIRD_ACCESS_KEY")) // or fake.New() in development
//	...
//	v, err := verify.New(provider)
//	...
//	h, err := verifyhttp.New(v,
//		verifyhttp.WithSecret([]byte(os.Getenv("VERIFY_SECRET"))), // at least 32 bytes
//		verifyhttp.WithOnVerified(func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
//			// ver.Phone is verified: store it. Write nothing to show the success page.
//		}),
//	)
//	...
//	mux.Handle("/verify/", http.StripPrefix("/verify", h))
//
// # Routes
//
// Relative to where the handler is mounted:
//
//	GET  /            the phone form
//	POST /            fields phone and channel ("voice", the default, "sms" or "auto"): starts, 303 to code
//	GET  /code        the code page: masked number, time left, resend, other channel
//	POST /code        field code: checks; on success runs OnVerified and 303 to done
//	POST /resend      field channel (default: the same): a new code to the same number, 303 to code
//	GET  /done        the success page, only after a successful check
//	POST /api/start   JSON API, see below
//	POST /api/check
//	POST /api/resend
//
// Pages link to each other with relative URLs, so mount the handler at a
// path ending in a slash ("/verify/", or "/"); a request for "/verify" is
// redirected to "/verify/".
//
// # State and safety
//
// What the handler remembers between requests (the verification's id, the
// number, the channel, the call's language, the expiry, whether it
// succeeded, the last failure to show) is sealed with AES-256-GCM in a
// cookie: HttpOnly, SameSite=Lax, its path the mount point, Secure as
// WithSecureCookie says. There is no server-side session, so any number
// of app instances can serve the pages, given the same WithSecret keys
// (and WithScope name). A state is bound to the handler that sealed it,
// its mount point and WithScope name: handlers that share a secret do
// not accept each other's cookies or tokens. A missing, tampered, expired
// or foreign cookie sends the user back to the phone form with a
// message. The verified number comes from the provider's answer to the
// check, which the Verifier re-checks against its policy, never from a
// form field.
//
// Cross-origin POSTs are refused (net/http.CrossOriginProtection, 403);
// bodies are limited to 4 KiB (413); GET never changes state; every
// response is marked no-store. The client's IP address goes with every
// Start, so the Verifier's per-client rate limit applies: an IPv4
// address is a client, an IPv6 address counts by its /64 prefix, and
// requests whose address is unknown share the one client "unknown".
//
// # Behind a reverse proxy
//
// Behind a reverse proxy or load balancer, set WithClientIP: otherwise
// every request comes from the proxy's address, and all users share one
// per-client budget (one user can use it up for everyone). Read the
// address from the header your proxy sets, never from one a client could
// send.
//
// Behind a proxy that terminates TLS the request has no TLS state, so the
// cookie is not marked Secure unless WithSecureCookie(true) is set; it is
// sealed either way. Behind a proxy that rewrites paths, mount the handler
// at the same path as the public one: the cookie's path is the mount
// point as this server sees it.
//
// # Status codes
//
//	303  after every POST of the pages but a cross-origin one (see below)
//	400  malformed form or JSON, unknown channel, missing or untrusted state
//	403  cross-origin POST
//	409  the code was already used by a check that succeeded (already_used)
//	410  the code expired or can no longer be used, or too many wrong codes were entered
//	404  an API route that does not exist (not_found)
//	405  an API route asked with a method other than POST (method_not_allowed)
//	413  body too large
//	422  a number that cannot be verified, a wrong code, SMS to a fixed line
//	429  rate limited, with Retry-After in seconds
//	503  the provider is down
//
// The pages follow Post/Redirect/Get on failures too, so that Back and
// Reload never post a form again: a failed POST is answered 303 to its
// form ("./" or "code"), and the failure travels in a second sealed
// cookie, phoneverify-flash, beside the state cookie, which a failure
// never touches (the losing submit of a double click cannot overwrite
// the success of the other). The form then shows the error, announced to
// screen readers (role="alert", aria-invalid, aria-describedby), with the
// status above, as often as it is reloaded (until the next POST: a start
// that succeeds deletes the cookie); the number as typed comes
// back in the phone form, sealed, never in the URL. A lost or untrusted
// state sends the browser to "./?e=session_invalid" (or
// session_expired). The JSON API answers each failure with its status
// directly.
//
// Every failure is a *Failure whose Code is one of the FailureCode
// constants: the JSON API sends it as "error", the templates receive it as
// Page.Error, and FailureReason returns it to the app, with the
// Verifier's error as its cause (errors.Is(f, verify.ErrInvalidCode)). A
// middleware that wraps the handler reads it after ServeHTTP, from the
// request it passed through TrackFailure.
//
// # Where to look
//
// handler.go has New and the routes; flow.go the flow the pages and the
// API share (start, check, resend, OnVerified), which returns values and
// writes nothing; pages.go what each page answers, api.go what each API
// route answers; failure.go the failures; cookie.go and state.go the
// sealed state; templates.go the templates.
//
// # OnVerified
//
// WithOnVerified's function runs in the request whose code the provider
// accepted, and it is the only authoritative signal of success: store
// the number there, server side. It runs at most once per verification:
// exactly once, unless the provider's answer to the winning check is
// lost (a timeout after the provider verified the code), when it does
// not run. It is not run again when it fails itself (panics, or answers
// with its own error): the user asks for a new code, and it runs for
// that verification. The provider calls of a
// request are not canceled with it (they are bounded by 30 seconds
// instead), so a check that reached the provider is seen through even
// when a double click made the browser abandon it. The function runs
// under a context that the client's going away does not cancel either,
// with a deadline of its own: 30 seconds from when it is called.
//
// The function may write its own response (say, a redirect to the
// account page, or an error page when the number cannot be stored); when
// it writes nothing the success page follows (or the API's JSON). The
// state cookie is marked verified only then, after the function returned
// without writing: if it panics or answers for itself, the cookie does
// not say verified, and the success page cannot be reached.
//
// The request that wins the race shows success; no other does. A check
// whose code the provider says was already used, while its status says
// verified (the other submit of a double click, the old state sent
// again, or a check whose winning answer was lost), is answered as
// already_used (409): the code page again, without the code field, where
// the user can ask for a new code or use another number; the API
// answers the error already_used. It never marks the state verified and
// never runs the function, since nothing tells it whether the function
// succeeded. With the default templates the double submit does not
// happen in the first place: a script sends each form once (see
// "send_once" below). A wrong code, or one refused by the Verifier's cap
// on checks per verification, never costs a status call to the provider;
// the submits of a double click beyond that cap (5 by default) are
// refused as too many attempts.
//
// # Templates
//
// The default templates are embedded: responsive, light and dark, without
// external assets. Their only scripts are the code page's (see
// "code_script" below) and "send_once", a guard that sends each form once: a double click on
// "Send me a code" would otherwise make the browser abandon the first
// request and the second meet the resend cooldown (429, and the state of
// the first is lost), and a double click on "Verify" would show the
// already_used answer of the second submit instead of the success of the
// first. Nothing on the server makes up for a missing guard: a replaced
// "foot" should call {{template "send_once" .}}. The guard marks the
// button aria-disabled and the form aria-busy, and makes the forms usable
// again after 15 seconds (the user may have pressed Stop during a slow
// submit) and when Back or Forward restores the page.
//
// A replaced template runs with the other defaults. Each template
// receives a *Page. The names:
//
//	phone          the phone form (Page.Input, Page.Channel, Page.Error)
//	code           the code page (Masked, Channel, CallLanguage, CallLanguageNote, ExpiresAt, ExpiresUTC, ExpiresUnixMilli, TimeLeft, ResendIn, CanEnterCode, Error)
//	code_script    the code page's script: time left, resend countdown, WebOTP
//	success        the success page (Phone, Masked, ContinueURL)
//	error          any other failure, such as a cross-origin POST (Error)
//	head, foot     the document around every page; "style" is its CSS
//	send_once      the script that sends each form once, called by "foot"
//	title          the <title> of each page, Page.Title
//	lang           the document's language, Page.Lang
//	alert          the error box, when Page.Error is set
//	error_message  the text of an error, given the *Failure: its Message
//
// Page.Error is a *Failure: its Code is that of the JSON API, below.
//
// # Languages
//
// Every text a user reads, on the pages and in the JSON API's messages,
// comes from one catalog (golang.org/x/text/message) with built-in texts
// in English, Dutch, German, French, Spanish, Italian, Portuguese
// (Brazilian and European), Polish, Romanian, Russian, Chinese
// (Simplified and Traditional), Japanese, Korean and Icelandic, the
// languages a call can be made in. Each request gets the language of its
// Accept-Language header that best matches (language.Matcher), else the
// first of WithLanguages: the page says it in <html lang dir>, and the
// call or text is asked for in it (verify.WithUserLanguage), so that the
// page and the call agree. When they do not (the provider cannot speak
// it, or the Verifier fixes the language), the code page says which
// language the call will be in. Numbers of seconds and minutes take the
// plural forms of the language (CLDR: 1 секунду, 2 секунды, 5 секунд);
// regions are named, never shown as codes. Browsers in Taiwan, Hong Kong
// and Macao get Traditional Chinese, those in Portugal and the countries
// that write as it does European Portuguese; <html lang> names the
// variant the text is in (zh-Hant-TW, pt-PT) and keeps the user's region
// where the text has none of its own (de-CH).
//
// WithLanguages restricts or orders the languages; WithMessages changes
// any text, or adds a language, without copying a template:
//
//	verifyhttp.WithMessages("en", map[string]string{"phone_submit": "Get my code"})
//
// The ids are the keys of DefaultMessages("en"). Templates show a text
// with {{.Text.id}}, or {{.T "id" args...}} when it takes arguments.
//
// # JSON API
//
// For single-page and mobile apps, with the same rules and status codes.
// Requests are JSON (Content-Type: application/json). The state travels as
// an opaque sealed token that the client sends back; it cannot be used as
// a cookie, nor a cookie as a token.
//
//	$ curl -s localhost:8080/api/start -H 'Content-Type: application/json' \
//	    -d '{"phone":"+31 6 12345678","channel":"sms"}'
//	{"token":"X5Qm…","channel":"sms","phone_masked":"+31 6 •••• 5678","expires_at":"2026-11-26T01:10:00Z"}
//
//	$ curl -s localhost:8080/api/check -H 'Content-Type: application/json' \
//	    -d '{"token":"X5Qm…","code":"123456"}'
//	{"verified":true,"phone":"+31612345678"}
//
// A check of a token whose code was already used, by a check that
// succeeded, answers the error already_used (409) whatever the code (see
// OnVerified above): only the check that won says verified, and an app
// learns the verified number from OnVerified, on its server.
//
//	$ curl -s localhost:8080/api/resend -H 'Content-Type: application/json' \
//	    -d '{"token":"X5Qm…","channel":"voice"}'
//	{"token":"Lw0c…","channel":"voice","phone_masked":"+31 6 •••• 5678","expires_at":"…"}
//
// Errors have a stable code and a message in the language of the
// request (see Languages above):
//
//	$ curl -s localhost:8080/api/check -H 'Content-Type: application/json' \
//	    -d '{"token":"X5Qm…","code":"000000"}'
//	{"error":{"code":"invalid_code","message":"That code is not right. Check it and try again."}}
//
// The codes, with the status each is answered with, are the FailureCode
// constants; the error object is a Failure: "reason", "reason_code" and
// "region" say why a number is refused (invalid_phone), "reason_code"
// "format" that a code is not as many digits as those sent (invalid_code),
// "retry_after" how many seconds to wait (rate_limited, also in a
// Retry-After header; "reason_code" "resend" when a new code was asked
// for too soon, "suspected_pumping" when the Verifier's SMS-pumping guard
// refused, whose message is neutral), "field" which field is at fault
// (invalid_request).
// A route asked with another method than POST answers method_not_allowed
// (405), an unknown one not_found (404), in the same format.
//
// A browser calling the API from another origin is refused (403), like
// the forms; apps that send no Origin or Sec-Fetch-Site header, such as
// mobile apps and curl, are not affected.
//
// # Bot challenge
//
// WithChallenge puts a CAPTCHA (a Challenge) before every first start:
// the phone form shows its widget, POST /api/start takes its token in the
// field "challenge", and a start whose token does not pass is refused
// with challenge_failed (403) before any provider call; while the
// challenge cannot be checked at all, starts are refused with unavailable
// (503). The turnstile package checks Cloudflare Turnstile tokens:
//
//	c, err := turnstile.New(os.Getenv("TURNSTILE_SITE_KEY"), os.Getenv("TURNSTILE_SECRET"),
//		turnstile.WithHostnames("example.com"))
//	...
//	h, err := verifyhttp.New(v, verifyhttp.WithSecret(key), verifyhttp.WithChallenge(c))
package http
