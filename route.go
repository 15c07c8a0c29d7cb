package verify

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// This file decides which backend serves a call of a Verifier, its
// provider or the stand-in for test numbers (testnumbers.go), and what
// the call's Event learns from it.

// startWith returns what serves a start to e164: the test numbers'
// stand-in for a test number, else the provider. It marks ev for a test
// number.
func (v *Verifier) startWith(e164 string, ev *Event) Provider {
	if v.tests != nil && v.tests.has(e164) {
		ev.Test = true
		return v.tests
	}
	return v.provider
}

// serving returns what serves the verification id: the test numbers'
// stand-in for a test verification, else the provider. It marks ev for a
// test verification.
func (v *Verifier) serving(id string, ev *Event) Provider {
	if v.tests != nil && isTestID(id) {
		ev.Test = true
		return v.tests
	}
	return v.provider
}

// callStart has p start req, timing the call on ev and learning from a
// Failover the providers it passed over, which it logs and counts.
func (v *Verifier) callStart(ctx context.Context, p Provider, req Request, ev *Event) (*Verification, error) {
	ctx, report := withFailoverReport(ctx)
	t0 := time.Now()
	ver, err := p.Start(ctx, req)
	ev.reached(t0, ver, err)
	ev.Failovers = len(report.failures)
	if v.log != nil {
		for _, f := range report.failures {
			attrs := []slog.Attr{slog.Int("provider", f.provider)}
			if pe, ok := errors.AsType[*ProviderError](f.err); ok && pe.Provider != "" {
				attrs = append(attrs, slog.String("name", pe.Provider))
			}
			attrs = append(attrs, slog.String("error", f.err.Error()), slog.String("phone", MaskPhone(req.Phone)))
			v.log.LogAttrs(ctx, slog.LevelWarn, "verify: provider failed; trying the next", attrs...)
		}
	}
	return ver, err
}

// reached records on e a call that reached the provider (or the stand-in
// for test numbers) at t0 and returned ver and err.
func (e *Event) reached(t0 time.Time, ver *Verification, err error) {
	e.Called, e.Duration = true, time.Since(t0)
	switch {
	case ver != nil && ver.Provider != "":
		e.Provider = ver.Provider
	case err != nil:
		if pe, ok := errors.AsType[*ProviderError](err); ok {
			e.Provider = pe.Provider
		}
	}
}
