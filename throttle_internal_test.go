package verify

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify/internal/phone"
)

// TestStarterValue: what a Verifier stores of a started verification
// reads back whole, and so does a value written by an earlier release,
// without the number's region and line type (so that Check parses the
// number), without the channel, or without the client either.
func TestStarterValue(t *testing.T) {
	nl := phone.Number{E164: "+31612345678", Region: "NL", LineType: phone.Mobile}
	tests := []struct {
		name  string
		value string
		want  starter
	}{
		{"this release", starter{number: nl.E164, parsed: nl, channel: SMS, provider: "my provider", network: "2001:db8:1::/48", client: "key\nwith newline"}.value(),
			starter{number: nl.E164, parsed: nl, channel: SMS, provider: "my provider", network: "2001:db8:1::/48", client: "key\nwith newline"}},
		{"no client, no provider", starter{number: nl.E164, parsed: nl, channel: Voice}.value(), starter{number: nl.E164, parsed: nl, channel: Voice}},
		{"no line type", "+31612345678 sms NL unknown p\n\nkey", starter{number: "+31612345678", channel: SMS, provider: "p", client: "key"}},
		{"no region", "+31612345678 sms  mobile p\n\nkey", starter{number: "+31612345678", channel: SMS, provider: "p", client: "key"}},
		{"earlier release", "+31612345678\n\nkey", starter{number: "+31612345678", client: "key"}},
		{"earliest release", "+31612345678", starter{number: "+31612345678"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseStarter(tt.value))
		})
	}
}

// notFound is a Provider that knows no verification.
type notFound struct{}

func (notFound) Start(context.Context, Request) (*Verification, error) { return nil, ErrUnavailable }
func (notFound) Check(context.Context, string, string) (*Verification, error) {
	return nil, ErrNotFound
}

// events is an Observer that keeps what it is told.
type events []Event

func (e *events) Observe(_ context.Context, ev Event) { *e = append(*e, ev) }

// The event of a failed check names the region and line type of its
// number also when an earlier release stored the number without them:
// the number is parsed.
func TestDescribeParsesANumberStoredWithoutItsRegion(t *testing.T) {
	var seen events
	store := &MemoryLimiter{}
	v, err := New(notFound{}, WithLimiter(store), WithObserver(&seen))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, store.Put(ctx, keyPhone+"abc", "+447400123456\n\n", time.Hour))

	_, err = v.Check(ctx, "abc", "123456")
	assert.ErrorIs(t, err, ErrNotFound)
	require.Len(t, seen, 1)
	assert.Equal(t, "GB", seen[0].Region)
	assert.Equal(t, "mobile", seen[0].LineType)
}
