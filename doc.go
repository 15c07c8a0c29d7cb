// Package verify checks that a user owns a phone number. It has the
// number called, and a one-time code spoken, or texted; the user types
// the code back; Check tells the application that the number is
// verified. Calls reach every number, landlines included.
//
// A Provider makes the call or the text: MessageBird's Verify API in
// production, an in-memory fake in tests and development.
//
// Around the provider, a Verifier does what production needs and the bare
// API does not: it parses numbers as users type them and refuses invalid
// ones, premium-rate numbers and unwanted regions before any call is paid
// for; it normalises codes and refuses malformed ones locally; it decides
// success on the provider's "verified" alone; it rate-limits starts per
// number, per client and in total, and checks per verification, throttles
// a number's failed checks in a row per client network under a ceiling
// per number, so that a stranger cannot lock the owner out (see
// WithFailureThrottle), and refuses starts to number ranges that look
// pumped, which one network alone cannot make them look (see
// WithPumpingGuard); it honours
// context cancellation; and its errors are typed sentinels that are safe
// to show or log.
//
//	v, err := verify.New(provider,
//		verify.WithDefaultRegion("NL"),      // "06 12345678" is read as +31 6 12345678
//		verify.WithValidity(10*time.Minute), // the default
//	)
//	if err != nil {
//		return err
//	}
//	ver, err := v.Start(ctx, r.FormValue("phone"),
//		verify.WithClientKey(clientIP),
//		verify.WithUserLanguage("de-CH", "de", "en"), // say, from Accept-Language
//	)
//	switch {
//	case errors.Is(err, verify.ErrInvalidPhone):
//		var pe *verify.PhoneError
//		errors.As(err, &pe)
//		show(pe.Reason) // "the number is too short"
//	case errors.Is(err, verify.ErrRateLimited):
//		// try again later: err is a *verify.RateLimitError with RetryAfter
//	case err != nil:
//		return err
//	}
//	// ... later, with the code the user typed:
//	ver, err = v.Check(ctx, ver.ID, r.FormValue("code"))
//	if err == nil {
//		markVerified(user, ver.Phone) // E.164, from the provider's answer
//	}
//
// Each verification speaks the user's language: the first of the
// languages given with WithUserLanguage (such as the browser's) that the
// provider speaks, else the main language of the number's country, else
// British English; WithLanguage fixes it instead. A built-in text in each
// of the 19 languages, for a call and for a text, says the code and warns never to
// share it; WithTemplate replaces it, and WithWebOrigin ends texts with
// the line that lets phones and browsers autofill the code on that site
// only.
//
// Providers: package messagebird (the real one), package fake (tests and
// development), package otp (makes the codes itself and delivers them
// through any Sender, such as a plain SMS or voice API). Failover puts
// several in line, so that an outage of one does not stop
// verifications; WithTestNumbers gives a few numbers fixed codes, for
// app-store review, without any provider. Package http serves the whole
// flow as ready-made net/http handlers, and package verifytest checks
// that a Provider behaves.
//
// An Observer (WithObserver) is told the outcome of every call, as an
// Event: counts, conversion rates, refusals and provider latency come from
// there; module github.com/phoneverify/verify/otelverify turns events into
// OpenTelemetry metrics and spans.
package verify
