// Package otelverify records every call of a verify.Verifier as
// OpenTelemetry metrics and spans. It is a module of its own
// (github.com/phoneverify/verify/otelverify), so that the verify module
// needs no OpenTelemetry.
//
//	obs, err := otelverify.NewObserver() // the global MeterProvider and TracerProvider
//	if err != nil {
//		return err
//	}
//	v, err := verify.New(provider, verify.WithObserver(obs))
//
// # Metrics
//
// Five instruments, named in OpenTelemetry's semantic-convention style,
// whose attributes take few values (operation, outcome, channel, region,
// provider, refusal reason, error type) and never an id, a number or a
// code:
//
//	verify.verifications.started  counter    {verification}  verify.channel, verify.region, verify.provider
//	verify.verifications.refused  counter    {call}          verify.operation, verify.refusal.reason, [verify.channel, verify.region]
//	verify.verifications.checked  counter    {check}         verify.outcome, [verify.provider, verify.channel, verify.region]
//	verify.provider.duration      histogram  s               verify.operation, [verify.provider, error.type]
//	verify.provider.failovers     counter    {provider}      verify.operation, [verify.provider]
//
// Brackets mark attributes set only when known: a check carries the
// channel and region of its verification, failed or not, whenever the
// Verifier knows who started it; verify.provider names the provider that
// served (with verify.Failover, the one that answered), as the provider
// calls itself ("messagebird", "twilio", "otp", ...).
// verify.provider.failovers counts the providers a Failover passed over
// because they failed, under the provider that served in the end: any
// rise means the first provider is failing. Every instrument also has
// verify.test=true for the calls about test numbers
// (verify.WithTestNumbers), and only for them, so that app-store reviews
// and staging checks can be left out with verify_test!="true".
//
// Through OpenTelemetry's Prometheus exporter they become
// verify_verifications_started_total, verify_verifications_refused_total,
// verify_verifications_checked_total, verify_provider_duration_seconds and
// verify_provider_failovers_total, with labels verify_channel,
// verify_region, verify_provider, and so on.
//
// Conversion, the share of codes sent that were verified, per channel and
// region, over the last hour (the "or ... * 0" keeps regions where nothing
// was verified, which are the ones to look at; add verify_provider to the
// "by" lists to compare providers):
//
//	(
//	    sum by (verify_channel, verify_region) (increase(verify_verifications_checked_total{verify_outcome="verified"}[1h]))
//	  or
//	    0 * sum by (verify_channel, verify_region) (increase(verify_verifications_started_total[1h]))
//	)
//	/
//	sum by (verify_channel, verify_region) (increase(verify_verifications_started_total[1h]))
//
// A region with many starts and a conversion near zero is the mark of SMS
// pumping. The README of the repository has an alert rule built on it.
//
// How slow the provider is (95th percentile of Starts over 5 minutes):
//
//	histogram_quantile(0.95, sum by (le) (rate(verify_provider_duration_seconds_bucket{verify_operation="start"}[5m])))
//
// # Traces
//
// One span per call, named "verify.start", "verify.check",
// "verify.status" or "verify.cancel", of kind internal. The Observer is
// also a verify.Tagger: the span starts before the Verifier parses the
// number, so that the provider's HTTP requests, when the provider's client
// is instrumented, become its children. Its attributes are those of the
// metrics plus verify.line_type, verify.language, verify.limit,
// verify.provider.called, verify.provider.failovers (when a Failover
// passed over any) and verify.id, the provider's id of the
// verification, to match the logs; the phone number appears only as its
// region and line type, never in full, and the code never.
//
// A span's status is Error only for a fault: the provider unavailable
// (a network error, a 5xx, a rejected key, the limiter's store down), a
// deadline that passed, an option out of range, or an error that matches
// no sentinel of package verify. A wrong code, an expired verification, a
// refused number, a rate limit or a caller that gave up are outcomes, not
// faults: their spans keep status Unset, with the outcome in verify.outcome.
// A fault also sets error.type, on the span and on the duration histogram.
package otelverify
