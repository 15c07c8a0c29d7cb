package otp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/phoneverify/verify"
)

// A record is what the store holds of one verification, under
// key(kindRecord, id): everything but the code, of which it keeps only a
// keyed hash. Its text form is
//
//	1|+31612345678|voice|en-gb|<created>|<expires>|<max attempts>|<mac>
//
// with the times in Unix nanoseconds and mac in unpadded base64url: one
// canonical form, which decode insists on.
type record struct {
	phone       string
	channel     verify.Channel
	language    string
	created     time.Time
	expires     time.Time
	maxAttempts int
	mac         []byte // HMAC-SHA-256 of the code, the id and the fields above (see sum)
}

const recordVersion = "1"

var errRecord = errors.New("malformed record")

// fields returns the record's text form without its mac.
func (r *record) fields() string {
	return strings.Join([]string{
		recordVersion, r.phone, string(r.channel), r.language,
		strconv.FormatInt(r.created.UnixNano(), 10), strconv.FormatInt(r.expires.UnixNano(), 10),
		strconv.Itoa(r.maxAttempts),
	}, "|")
}

// encode returns the record's text form.
func (r *record) encode() string {
	return r.fields() + "|" + base64.RawURLEncoding.EncodeToString(r.mac)
}

// decode parses the text form of a record, whose language must be one
// of langs (verify.Languages). It accepts only what encode writes: a
// store that was tampered with or that holds another version's records
// gives an error rather than a record that means something else.
func decode(s string, langs []string) (record, error) {
	f := strings.Split(s, "|")
	if len(f) != 8 || f[0] != recordVersion {
		return record{}, errRecord
	}
	created, err1 := strconv.ParseInt(f[4], 10, 64)
	expires, err2 := strconv.ParseInt(f[5], 10, 64)
	maxAttempts, err3 := strconv.Atoi(f[6])
	mac, err4 := base64.RawURLEncoding.Strict().DecodeString(f[7])
	r := record{
		phone: f[1], channel: verify.Channel(f[2]), language: f[3],
		created: time.Unix(0, created), expires: time.Unix(0, expires),
		maxAttempts: maxAttempts, mac: mac,
	}
	if err := errors.Join(err1, err2, err3, err4); err != nil ||
		!validPhone(r.phone) || (r.channel != verify.Voice && r.channel != verify.SMS) ||
		!slices.Contains(langs, r.language) || !r.expires.After(r.created) ||
		r.maxAttempts < 1 || len(r.mac) != sha256.Size || r.encode() != s {
		return record{}, errRecord
	}
	return r, nil
}

// sum returns the keyed hash of code for the verification id with the
// record's fields: HMAC-SHA-256 under key. Binding the id and the fields
// means a hash is good for its own verification only: copied under
// another id, or with another number or expiry written in, no code
// matches it.
func sum(key []byte, id string, r *record, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("phoneverify otp code\x00"))
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(r.fields()))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// validPhone reports whether s is a number in E.164 form: "+" and 2 to 15
// digits.
func validPhone(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
