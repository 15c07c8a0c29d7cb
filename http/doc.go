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
// Relative to where the handler is mounted, at a path ending in a slash
// ("/verify/", or "/"; a request for "/verify" is redirected there, since
// the pages link to each other with relative URLs):
//
//	GET  /            the phone form
//	POST /            fields phone and channel ("voice", the default, "sms" or "auto"): starts, 303 to code
//	GET  /code        the code page: masked number, time left, resend, other channel; once expired, a new code
//	POST /code        field code: checks; on success runs OnVerified and 303 to done
//	POST /resend      field channel (default: the same): a new code to the same number, 303 to code
//	GET  /done        the success page, only after a successful check
//	POST /api/start   JSON API, see below
//	POST /api/check
//	POST /api/resend
//
// # State and safety
//
// What the handler remembers between requests (the verification's id, the
// number, the channel, the expiry, whether it succeeded) is sealed with
// AES-256-GCM in a cookie (HttpOnly, SameSite=Lax, its path the mount
// point, Secure as [WithSecureCookie] says) or, for the JSON API, in a
// token. There is no server-side session: any number of instances serve
// the pages, given the same [WithSecret] keys. A sealed state is bound to
// the mount point and the [WithScope] name of the handler that sealed it
// ([WithMountPath] names the mount point where requests do not say it),
// and with [WithSessionBinding] the cookies to the app's own session.
// The verified number comes from the provider's answer to the check, which
// the Verifier re-checks against its policy, never from a form field.
//
// Cross-origin POSTs are refused (net/http.CrossOriginProtection); bodies
// are limited to 4 KiB; GET never changes state; every response is marked
// no-store. The client's IP address goes with every Start, for the
// Verifier's per-client limit (see [WithClientIP], which an app behind a
// reverse proxy must set).
//
// The user who goes Back from the code page and sends the same number on
// the same channel again, while its code works, lands on the code page of
// the verification in progress: no second call, no error. The resend
// cooldown ([verify.Verifier.ResendCooldown]) counts each channel apart,
// as the Verifier does: each resend button of the code page is disabled,
// with a countdown, until its channel's cooldown has passed (a click too
// early, without JavaScript, is told how long to wait, computed when the
// page is shown). After a resend the page says, to screen readers too,
// that a new code was sent and that only it works. An expired code has a
// state of its own: its heading, a new code on either channel. Without
// JavaScript the page says the time the code works until, in UTC; the
// script says it in the user's time zone and counts down. A code or
// number typed in another script's digits (full-width, Arabic-Indic,
// Persian) reads as the same digits. The phone form names the app when
// the Verifier has one ([verify.WithAppName] given to verify.New), as the
// calls and texts do.
//
// # Status codes
//
//	303  after every POST of the pages but a cross-origin one
//	400  malformed form or JSON, unknown channel, missing or untrusted state
//	403  cross-origin POST, or a failed bot challenge
//	404  an API route that does not exist
//	405  an API route asked with a method other than POST
//	409  the code was already used by a check that succeeded
//	410  the code expired or can no longer be used, or too many wrong codes
//	413  body too large
//	415  an API request that is not JSON
//	422  a number that cannot be verified, a wrong code, SMS to a fixed line
//	429  rate limited, with Retry-After in seconds
//	503  the provider is down
//
// The pages follow Post/Redirect/Get on failures too, so that Back and
// Reload never post a form again: a failed POST is answered 303 to its
// form, and the failure travels in a second sealed cookie,
// phoneverify-flash, which the form shows, with the status above, until
// the next POST. A failure never touches the state cookie, so the losing
// submit of a double click cannot overwrite the success of the other.
//
// Every failure is a [*Failure] whose Code is one of the [FailureCode]
// constants and whose cause is the Verifier's error (errors.Is(f,
// verify.ErrInvalidCode)): the JSON API sends it as "error", the templates
// receive it as Page.Error, and [WithOnFailure]'s function receives it.
//
// # OnVerified
//
// [WithOnVerified]'s function is the one authoritative signal of success;
// its doc says when it runs. Only the request that wins the race shows
// success: a check whose code was already used by a check that succeeded
// is answered already_used (409) and never runs the function again.
//
// # Templates
//
// The default templates are embedded: responsive, light and dark, without
// external assets. [WithTemplates] replaces any of them; each receives a
// [*Page] and can call the functions listed at [DefaultTemplates]. The
// names:
//
//	phone          the phone form (Page.Input, Page.Channel, Page.AppName, Page.Error)
//	code           the code page (Masked, Channel, CallLanguageNote, ExpiresAt, ResendIn, SwitchIn, CanEnterCode, Expired, Resent, Error)
//	code_script    the code page's script: time left, expiry, resend countdowns, notice, WebOTP
//	success        the success page (Phone, Masked, ContinueURL)
//	error          any other failure, such as a cross-origin POST (Error)
//	head, foot     the document around every page; "style" is its CSS
//	send_once      the script that sends each form once, called by "foot"
//	title          the <title> of each page, Page.Title
//	lang           the document's language, Page.Lang
//	alert          the error box, when Page.Error is set
//	error_message  the text of an error, given the *Failure: its Message
//
// A replaced "foot" should call {{template "send_once" .}}: without it a
// double click on "Send me a code" meets the resend cooldown, and one on
// "Verify" shows the already_used answer of the second submit.
//
// # Languages
//
// Every text a user reads, on the pages and in the JSON API's messages,
// comes from one catalog (golang.org/x/text/message) with built-in texts
// in the languages a call can be made in (Chinese in Simplified and
// Traditional, Portuguese in Brazilian and European). Each request gets
// the language of its Accept-Language header that best matches, else the
// first of [WithLanguages]; <html lang> names the variant the text is in
// (zh-Hant-TW, pt-PT). The call or text is asked for in it too, and the
// code page says so when the provider speaks another. [WithMessages] changes
// any text, or adds a language, without copying a template:
//
//	verifyhttp.WithMessages("en", map[string]string{"phone_submit": "Get my code"})
//
// # JSON API
//
// For single-page and mobile apps, with the same rules and status codes.
// Requests are JSON; the state travels as an opaque sealed token that the
// client sends back (it cannot be used as a cookie, nor a cookie as a
// token). A browser calling the API from another origin is refused, like
// the forms; apps that send no Origin or Sec-Fetch-Site header, such as
// mobile apps and curl, are not affected.
//
//	$ curl -s localhost:8080/api/start -H 'Content-Type: application/json' \
//	    -d '{"phone":"+31 6 12345678","channel":"sms"}'
//	{"id":"a41f…","token":"X5Qm…","channel":"sms","phone_masked":"+31 6 •••• 5678","expires_at":"2026-11-26T01:10:00Z"}
//
//	$ curl -s localhost:8080/api/check -H 'Content-Type: application/json' \
//	    -d '{"token":"X5Qm…","code":"123456"}'
//	{"verified":true,"phone":"+31612345678"}
//
//	$ curl -s localhost:8080/api/resend -H 'Content-Type: application/json' \
//	    -d '{"token":"X5Qm…","channel":"voice"}'
//	{"id":"9c2e…","token":"Lw0c…","channel":"voice","phone_masked":"+31 6 •••• 5678","expires_at":"…"}
//
// A start that also sends the "token" of the verification in progress,
// for the same number and channel while its code works, answers with that
// verification (the same "id") and sends no second code.
//
// A failed call answers the [Failure] as "error", with its message in the
// request's language:
//
//	{"error":{"code":"invalid_code","message":"That code is not right. Check it and try again."}}
//
// # Bot challenge
//
// [WithChallenge] puts a CAPTCHA (a [Challenge]) before every first start:
// the phone form shows its widget, POST /api/start takes its token in the
// field "challenge", and a start whose token does not pass is refused
// with challenge_failed (403) before any provider call. A passed challenge
// covers three resends or ten minutes; then the code page shows the widget
// in its resend form, and POST /api/resend takes the token in "challenge". The turnstile
// package checks Cloudflare Turnstile tokens.
package http
