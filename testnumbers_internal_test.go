package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// FuzzTestRecord checks that what a test verification keeps in the
// store reads back as written, and that any other value, such as one
// damaged in a shared store, reads as none rather than a panic.
func FuzzTestRecord(f *testing.F) {
	f.Add("+31612345678 voice nl-nl 5 1767322800000000000 1767323400000000000 4200000000000", "+31612345678", 5, int64(600))
	f.Add("", "", 0, int64(0))
	f.Add("a b c d e f g", "+1", -1, int64(-1))
	// Damaged records: no attempts left to count, no window to keep them.
	f.Add("+31612345678 voice nl-nl 0 1767322800000000000 1767323400000000000 4200000000000", "+31612345678", 1, int64(0))
	f.Add("+31612345678 voice nl-nl 5 1767322800000000000 1767323400000000000 0", "+31612345678", 1, int64(0))
	f.Fuzz(func(t *testing.T, value, phone string, attempts int, seconds int64) {
		if r, ok := parseTestRecord(value); ok {
			assert.Positive(t, r.maxAttempts)
			assert.Positive(t, r.window)
		}

		r := testRecord{phone: phone, channel: SMS, language: "en-gb", maxAttempts: attempts,
			created: time.Unix(seconds, 0), expires: time.Unix(seconds, 0).Add(time.Minute), window: time.Hour}
		got, ok := parseTestRecord(r.String())
		if f := strings.Fields(phone); attempts <= 0 || len(f) != 1 || f[0] != phone {
			return // the Verifier writes only E.164 numbers and positive attempts
		}
		if assert.True(t, ok, r.String()) {
			assert.Equal(t, r.phone, got.phone)
			assert.Equal(t, r.maxAttempts, got.maxAttempts)
			assert.True(t, r.created.Equal(got.created))
			assert.True(t, r.expires.Equal(got.expires))
			assert.Equal(t, r.window, got.window)
		}
	})
}
