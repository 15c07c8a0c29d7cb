package http

import (
	"errors"
	"testing"
	"time"

	"github.com/phoneverify/verify"
)

// TestStateEncodingRoundTrips: every state the encoding can hold comes
// back whole, from the shortest (no strings, no flags) to one with every
// flag set.
func TestStateEncodingRoundTrips(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_000)
	for name, st := range map[string]*state{
		"empty":      {Sent: at, Expires: at, Until: at, FailedAt: at},
		"every flag": {ID: "id", Phone: "+31612345678", Channel: verify.SMS, Verified: true, FailedStart: true, Sent: at, Expires: at, Until: at, FailedAt: at},
		"failure": {Input: "06 1234", FailedStart: true, Sent: at, Expires: at, Until: at, FailedAt: at,
			Failed: &Failure{Code: RateLimited, ReasonCode: "resend", Field: "phone", Reason: "why", Region: "NL", RetryAfter: 30}},
	} {
		b := st.appendBinary(nil)
		got, err := decodeState(b)
		if err != nil {
			t.Errorf("%s: decodeState(%x) = %v", name, b, err)
			continue
		}
		if got.ID != st.ID || got.Phone != st.Phone || got.Input != st.Input || got.Channel != st.Channel && st.Channel != "" ||
			got.Verified != st.Verified || got.FailedStart != st.FailedStart || !got.Sent.Equal(st.Sent) || !got.Until.Equal(st.Until) ||
			(got.Failed == nil) != (st.Failed == nil) || got.Failed != nil && *got.Failed != *st.Failed {
			t.Errorf("%s: decoded %+v, want %+v", name, got, st)
		}
	}
}

// TestDecodeStateRefusesTruncation: every cut of an encoded state is
// refused as invalid, without a panic.
func TestDecodeStateRefusesTruncation(t *testing.T) {
	b := testState(time.Now()).appendBinary(nil)
	for n := range len(b) {
		if _, err := decodeState(b[:n]); !errors.Is(err, errStateInvalid) {
			t.Fatalf("decodeState of %d of %d bytes = %v, want errStateInvalid", n, len(b), err)
		}
	}
}
