package messagebird_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/verifytest"
)

// numberFormats are the ways MessageBird may echo +31612345678.
var numberFormats = []string{
	"31612345678", "+31612345678", "+31 6 12345678", "+31 6 1234 5678", "0612345678",
	"06-12345678", "612345678", "0031612345678", "+31 (0)6 12345678", "(06) 1234.5678",
}

// holdsDigits reports whether s holds digits with only separators between
// them, as a number or a code can be echoed.
func holdsDigits(s, digits string) bool {
	squeezed := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" \t-./(),+", r) {
			return -1
		}
		return r
	}, s)
	return strings.Contains(squeezed, digits)
}

// TestEchoedNumbersAreScrubbed checks that the number, in every format
// MessageBird may echo it, and the code leave no trace in the error or a
// Verifier's log, whichever call failed: Start knows the number, Check
// knows the code, and Check, Status and Cancel know no number at all.
func TestEchoedNumbersAreScrubbed(t *testing.T) {
	const code = "4817263950"
	type callFn func(p *messagebird.Provider, v *verify.Verifier, id string) error
	calls := map[string]callFn{
		"start": func(_ *messagebird.Provider, v *verify.Verifier, _ string) error {
			_, err := v.Start(bg(), phone)
			return err
		},
		"check": func(_ *messagebird.Provider, v *verify.Verifier, id string) error {
			_, err := v.Check(bg(), id, code)
			return err
		},
		"status": func(p *messagebird.Provider, _ *verify.Verifier, id string) error {
			_, err := p.Status(bg(), id)
			return err
		},
		"cancel": func(p *messagebird.Provider, _ *verify.Verifier, id string) error {
			return p.Cancel(bg(), id)
		},
	}
	for name, call := range calls {
		for _, format := range numberFormats {
			t.Run(name+" "+format, func(t *testing.T) {
				s, p := newPair(t, mbtest.WithCode(code))
				var log strings.Builder
				v, err := verify.New(p, verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))),
					verify.WithTokenLength(10), verify.WithResendCooldown(0))
				require.NoError(t, err)
				ver, err := v.Start(bg(), phone)
				require.NoError(t, err)
				log.Reset()

				desc := "Recipient " + format + " cannot receive token " + code + " now"
				s.Inject(mbtest.Reply(503, "application/json", errorBody(99, desc, "recipient "+format)))
				err = call(p, v, ver.ID)

				require.ErrorIs(t, err, verify.ErrUnavailable)
				var pe *verify.ProviderError
				require.True(t, errors.As(err, &pe))
				assert.Contains(t, pe.Description, "cannot receive token [", "the rest of the description is kept")
				for _, secret := range []string{"612345678", code} {
					assert.False(t, holdsDigits(err.Error(), secret), "error %q holds %s", err, secret)
					assert.False(t, holdsDigits(log.String(), secret), "log holds %s:\n%s", secret, log.String())
				}
			})
		}
	}
}

// TestEchoedNumberMarks checks what the scrubbed places read: "[number]"
// where the call knew the number, "[digits]" where it did not, and short
// numbers, which are neither a number nor a code, kept.
func TestEchoedNumberMarks(t *testing.T) {
	tests := []struct {
		name  string
		start bool
		desc  string
		want  string
	}{
		{"start, spaced", true, "recipient +31 6 12345678 is invalid", "recipient [number] is invalid"},
		{"start, national", true, "recipient 0612345678 (31612345678) is invalid", "recipient [number] ([number]) is invalid"},
		{"start, another number", true, "originator 3197010203040 is invalid", "originator [digits] is invalid"},
		{"start, short numbers stay", true, "code 10 of 422: max 50", "code 10 of 422: max 50"},
		{"check, number unknown", false, "token for +31 6 12345678 is invalid", "token for [digits] is invalid"},
		{"check, spoken code", false, "body 4, 8, 1, 7 is invalid", "body [digits] is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := newPair(t)
			s.Inject(mbtest.Reply(422, "application/json", errorBody(21, tt.desc, "")))
			var err error
			if tt.start {
				_, err = p.Start(bg(), verifytest.Request(phone))
			} else {
				_, err = p.Check(context.Background(), id32, "123456")
			}
			var pe *verify.ProviderError
			require.True(t, errors.As(err, &pe), "%v", err)
			assert.Equal(t, tt.want, pe.Description)
		})
	}
}
