package main

import (
	"context"
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var legendRE = regexp.MustCompile(`<dt><code>([^<]*)</code></dt><dd>([^<]*)</dd>`)

// readLegend returns the page's legend of refusal reasons: reason →
// meaning.
func readLegend(page string) map[string]string {
	legend := map[string]string{}
	for _, m := range legendRE.FindAllStringSubmatch(page, -1) {
		legend[m[1]] = html.UnescapeString(m[2])
	}
	return legend
}

// TestStatsReasonsAreCodesWithALegend drives real Verifiers into every
// kind of refusal it can on the fake and reads the page: each reason is
// one of the library's snake_case codes (a limit's name, a PhoneError's
// Code, an outcome), and the legend explains each one shown.
func TestStatsReasonsAreCodesWithALegend(t *testing.T) {
	s := newStats(nil)
	ctx := context.Background()
	p := fake.New(fake.WithCode("246810"))
	v, err := verify.New(p, verify.WithObserver(s), verify.WithClientLimit(1, time.Hour),
		verify.WithFailureThrottle(1, time.Minute), verify.WithDeniedRegions("BE"))
	require.NoError(t, err)
	ver, err := v.Start(ctx, "+31 6 12345678", verify.WithClientKey("192.0.2.1"))
	require.NoError(t, err)
	refused := func(_ *verify.Verification, err error) { require.Error(t, err) }
	refused(v.Start(ctx, "+31 6 12345678", verify.WithClientKey("192.0.2.2")))  // resend_cooldown
	refused(v.Start(ctx, "+44 7400 123456", verify.WithClientKey("192.0.2.1"))) // client_limit
	refused(v.Start(ctx, "+31 6"))                                              // too_short
	refused(v.Start(ctx, "call me"))                                            // characters
	refused(v.Start(ctx, "+31 900 1234567"))                                    // line_type
	refused(v.Start(ctx, "+32 470 12 34 56"))                                   // region
	refused(v.Check(ctx, ver.ID, "12"))                                         // invalid_code
	refused(v.Check(ctx, "../admin", "246810"))                                 // not_found
	refused(v.Check(ctx, ver.ID, "135791"))                                     // wrong: no refusal
	refused(v.Check(ctx, ver.ID, "246810"))                                     // failure_throttle

	v2, err := verify.New(p, verify.WithObserver(s), verify.WithResendCooldown(0), verify.WithNumberLimit(1, time.Hour),
		verify.WithMaxAttempts(1), verify.WithFailureThrottle(0, time.Minute))
	require.NoError(t, err)
	ver, err = v2.Start(ctx, "+44 7400 654321")
	require.NoError(t, err)
	refused(v2.Start(ctx, "+44 7400 654321")) // number_limit
	refused(v2.Check(ctx, ver.ID, "135791"))  // wrong: the provider's last attempt
	refused(v2.Check(ctx, ver.ID, "246810"))  // attempts

	page := render(t, s)
	_, reasons := readPage(t, page)
	want := []string{"resend_cooldown", "client_limit", "too_short", "characters", "line_type", "region",
		"invalid_code", "not_found", "failure_throttle", "number_limit", "attempts"}
	assert.ElementsMatch(t, want, keys(reasons))
	legend := readLegend(page)
	assert.ElementsMatch(t, want, keys(legend), "the legend explains the reasons shown, and only them")
	for reason, meaning := range legend {
		assert.Regexp(t, `^[a-z]+(_[a-z]+)*$`, reason)
		assert.NotEmpty(t, reasonMeaning(reason), reason)
		assert.Equal(t, reasonMeaning(reason), meaning, reason)
	}
}

// TestReasonMeaningKnowsEveryCode: every limit name and every PhoneError
// code a refusal can carry has a meaning; an unknown reason has none, and
// the page points to the library's doc for it.
func TestReasonMeaningKnowsEveryCode(t *testing.T) {
	codes := []string{
		// The limits (verify.Event.Limit).
		"resend_cooldown", "number_limit", "client_limit", "network_limit", "global_limit", "pumping_guard", "failure_throttle", "attempts",
		// The codes of verify.PhoneError that the Verifier's own checks give.
		"empty", "characters", "country_code_missing", "country_code", "too_short", "too_long", "area_code_missing", "length", "invalid", "line_type", "region",
		// The outcomes of other refusals.
		"invalid_code", "not_found", "unsupported", "invalid_option", "unavailable", "rate_limited",
	}
	for _, c := range codes {
		assert.NotEmpty(t, reasonMeaning(c), c)
	}
	assert.Empty(t, reasonMeaning("resend cooldown"))

	s := newStats(nil)
	s.Observe(context.Background(), verify.Event{Op: verify.OpStart, Err: &verify.RateLimitError{Limit: "custom_limit"}, Limit: "custom_limit"})
	assert.Equal(t, map[string]string{"custom_limit": "see verify.Event.Reason"}, readLegend(render(t, s)))
}

var providerRE = regexp.MustCompile(`<tr data-provider="([^"]*)"><td>[^<]*</td><td class="calls">(\d+)</td><td class="starts">(\d+)</td><td class="failovers">(\d+)</td><td class="mean">([^<]*)</td></tr>`)

// readProviders returns the page's providers table: name → calls,
// codes sent, failovers and average time.
func readProviders(page string) map[string][4]string {
	got := map[string][4]string{}
	for _, m := range providerRE.FindAllStringSubmatch(page, -1) {
		got[m[1]] = [4]string{m[2], m[3], m[4], m[5]}
	}
	return got
}

// TestStatsShowsWhichProviderServed: the providers table counts the
// calls each provider served, the codes it sent and the providers passed
// over before it, and tells test numbers apart.
func TestStatsShowsWhichProviderServed(t *testing.T) {
	s := newStats(nil)
	observe(s, 2, verify.Event{Op: verify.OpStart, Channel: verify.Voice, Region: "NL", Called: true, Provider: "messagebird", Duration: 40 * time.Millisecond})
	observe(s, 1, verify.Event{Op: verify.OpStart, Channel: verify.Voice, Region: "NL", Called: true, Provider: "twilio", Failovers: 1, Duration: 90 * time.Millisecond})
	observe(s, 1, verify.Event{Op: verify.OpCheck, Channel: verify.Voice, Region: "NL", Called: true, Provider: "twilio", Duration: 30 * time.Millisecond})
	observe(s, 1, verify.Event{Op: verify.OpStart, Region: "BE", Called: true, Provider: "otp", Failovers: 2, Err: verify.ErrUnavailable, Duration: 10 * time.Millisecond})
	observe(s, 1, verify.Event{Op: verify.OpStart, Channel: verify.Voice, Region: "NL", Called: true, Test: true})
	observe(s, 1, verify.Event{Op: verify.OpStart, Err: &verify.PhoneError{Code: "too_short"}}) // no provider call
	assert.Equal(t, map[string][4]string{
		"messagebird":  {"2", "2", "0", "40.0 ms"},
		"twilio":       {"2", "1", "1", "60.0 ms"},
		"otp":          {"1", "0", "2", "10.0 ms"},
		"test numbers": {"1", "1", "0", "0.0 ms"},
	}, readProviders(render(t, s)))
}

// TestStatsPageOfAFailover: through a Verifier whose first provider is
// down, the page names the provider that served and counts the failover.
func TestStatsPageOfAFailover(t *testing.T) {
	s := newStats(nil)
	down := fake.New()
	down.FailNext(verify.ErrUnavailable)
	v, err := verify.New(verify.Failover(down, fake.New()), verify.WithObserver(s))
	require.NoError(t, err)
	_, err = v.Start(context.Background(), "+31 6 12345678")
	require.NoError(t, err)
	got := readProviders(render(t, s))
	require.Contains(t, got, "fake")
	fk := got["fake"]
	assert.Equal(t, []string{"1", "1", "1"}, fk[:3], "calls, codes sent, failovers")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
