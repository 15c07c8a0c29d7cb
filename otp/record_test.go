package otp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
)

func testRecord() record {
	created := time.Unix(0, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC).UnixNano())
	return record{
		phone: "+31612345678", channel: verify.Voice, language: "en-gb",
		created: created, expires: created.Add(10 * time.Minute), maxAttempts: 5,
		mac: bytes.Repeat([]byte{0xa5}, 32),
	}
}

func TestRecordRoundTrip(t *testing.T) {
	r := testRecord()
	s := r.encode()
	assert.Equal(t, "1|+31612345678|voice|en-gb|1767323045000000006|1767323645000000006|5|"+strings.Repeat("paWl", 10)+"paU", s)
	got, err := decode(s, verify.Languages())
	require.NoError(t, err)
	assert.Equal(t, r, got)
}

// TestDecodeRefuses: decode accepts only what encode writes.
func TestDecodeRefuses(t *testing.T) {
	r := testRecord()
	good := r.encode()
	for _, s := range []string{
		"",
		strings.Replace(good, "1|", "2|", 1), // another version
		strings.Replace(good, "|voice|", "|auto|", 1),                              // channel
		strings.Replace(good, "|en-gb|", "|xx-xx|", 1),                             // language
		strings.Replace(good, "+31612345678", "31612345678", 1),                    // not E.164
		strings.Replace(good, "+31612345678", "+3161234567a", 1),                   // not E.164
		strings.Replace(good, "|5|", "|0|", 1),                                     // no attempts
		strings.Replace(good, "|5|", "|05|", 1),                                    // not canonical
		strings.Replace(good, "|5|", "|+5|", 1),                                    // not canonical
		strings.Replace(good, "|1767323645000000006|", "|1767323045000000006|", 1), // expires at creation
		good[:len(good)-2], // a short mac
		good + "=",         // padding
		good + "|",         // a field more
		strings.Replace(good, "|", "||", 1),
	} {
		_, err := decode(s, verify.Languages())
		assert.ErrorIs(t, err, errRecord, "%q", s)
	}
}

// TestSumBindsEverything: the hash changes with the code, the id and
// every field, so that no stored hash serves another verification.
func TestSumBindsEverything(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	r := testRecord()
	base := sum(key, "id", &r, "123456")
	assert.Len(t, base, 32)
	changes := map[string]func(r *record, id, code, key *string){
		"code":     func(_ *record, _, code, _ *string) { *code = "123457" },
		"id":       func(_ *record, id, _, _ *string) { *id = "ie" },
		"key":      func(_ *record, _, _, key *string) { *key = strings.Repeat("\x02", 32) },
		"phone":    func(r *record, _, _, _ *string) { r.phone = "+31612345679" },
		"channel":  func(r *record, _, _, _ *string) { r.channel = verify.SMS },
		"language": func(r *record, _, _, _ *string) { r.language = "nl-nl" },
		"created":  func(r *record, _, _, _ *string) { r.created = r.created.Add(1) },
		"expires":  func(r *record, _, _, _ *string) { r.expires = r.expires.Add(1) },
		"attempts": func(r *record, _, _, _ *string) { r.maxAttempts++ },
	}
	for name, change := range changes {
		r, id, code, k := testRecord(), "id", "123456", string(key)
		change(&r, &id, &code, &k)
		assert.NotEqual(t, base, sum([]byte(k), id, &r, code), name)
	}
}

// FuzzDecode: decode never panics, and what it accepts is exactly what
// encode writes for the record it returns.
func FuzzDecode(f *testing.F) {
	r := testRecord()
	f.Add(r.encode())
	r.channel, r.language, r.maxAttempts = verify.SMS, "zh-cn", 1
	f.Add(r.encode())
	f.Add("1|+1|sms|en-gb|0|1|1|")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := decode(s, verify.Languages())
		if err != nil {
			return
		}
		require.Equal(t, s, r.encode(), "decode(%q) = %+v, which encodes otherwise", s, r)
	})
}

// BenchmarkSum measures one code's HMAC: what each guess costs someone
// who holds both the store and the secret (SECURITY.md).
func BenchmarkSum(b *testing.B) {
	key := bytes.Repeat([]byte{1}, 32)
	r := testRecord()
	b.ReportAllocs()
	for b.Loop() {
		sum(key, "0123456789abcdef0123456789abcdef", &r, "123456")
	}
}
