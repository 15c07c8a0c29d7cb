package http

// This file holds what the handler remembers between requests, the state
// of a verification and the flash of a failure, and how it is sealed.
// The cookies that carry them are in cookie.go.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/phoneverify/verify"
)

// minSecret is the shortest secret WithSecret accepts.
const minSecret = 32

// Purposes bind a sealed value to where it is used: a cookie cannot be
// replayed as an API token, nor a flash as a state.
const (
	purposeCookie = "cookie"
	purposeToken  = "token"
	purposeFlash  = "flash"
)

// sealFormat names the encoding of sealed values; it is part of their
// additional data, so that a value of another format does not open.
const sealFormat = "phoneverify/http json v3"

// maxSealed bounds a sealed value before it is decoded: a real one is a
// few hundred bytes.
const maxSealed = 2048

// Bounds of the strings a sealed value keeps: no provider makes longer
// ids, and numbers are at most 15 digits.
const (
	maxID    = 128
	maxPhone = 32
	maxInput = 64 // the number as typed, kept to show again
)

// state is a verification in progress, sealed in the browser's state
// cookie or in the JSON API's token.
type state struct {
	ID       string         `json:"id"`                 // the provider's verification id
	Phone    string         `json:"phone"`              // E.164, from the provider's answer
	Channel  verify.Channel `json:"channel"`            // how the code was sent
	Language string         `json:"language,omitempty"` // the language of the call or text, such as "de-de"
	Sent     unixMilli      `json:"sent"`               // when the code was sent, for the resend cooldown
	Other    unixMilli      `json:"other,omitzero"`     // when a code was last sent on the other channel, for its cooldown; zero for never
	Resent   bool           `json:"resent,omitempty"`   // the code replaces an earlier one (a resend)
	Passed   unixMilli      `json:"passed,omitzero"`    // when the last challenge was passed (WithChallenge)
	Resends  int            `json:"resends,omitempty"`  // resends since then
	Expires  unixMilli      `json:"expires"`            // when the code stops working
	Until    unixMilli      `json:"until"`              // when the sealed state stops being accepted
	Verified bool           `json:"verified,omitempty"` // the code was checked successfully
}

func (st *state) until() time.Time { return st.Until.Time }

func (st *state) valid() bool {
	return st.ID != "" && len(st.ID) <= maxID && st.Phone != "" && len(st.Phone) <= maxPhone && validChannel(st.Channel)
}

// flash is the failure of a POST of the pages, sealed in the flash cookie
// and shown by the page the POST redirected to (Post/Redirect/Get).
type flash struct {
	ID      string         `json:"id,omitempty"`    // the verification whose code page failed; "" for a start
	Channel verify.Channel `json:"channel"`         // the channel chosen, to check again on the phone form
	Input   string         `json:"input,omitempty"` // the number as typed in a start that failed, to fill the form again
	Failure Failure        `json:"failure"`         // without its Message and Err
	At      unixMilli      `json:"at"`              // when it failed: a rate limit's wait counts down from then
	Until   unixMilli      `json:"until"`           // when the flash stops being shown
}

func (fl *flash) until() time.Time { return fl.Until.Time }

func (fl *flash) valid() bool {
	return fl.Failure.Code != "" && len(fl.ID) <= maxID && len(fl.Input) <= maxInput && (validChannel(fl.Channel) || fl.Channel == verify.Auto)
}

// unixMilli is a time sealed as the number of milliseconds since 1970:
// shorter, and quicker to encode and decode, than RFC 3339.
type unixMilli struct{ time.Time }

func (t unixMilli) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, t.UnixMilli(), 10), nil
}

func (t *unixMilli) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(b), 10, 64)
	t.Time = time.UnixMilli(n)
	return err
}

// validChannel reports whether ch is one a code is sent on.
func validChannel(ch verify.Channel) bool {
	return ch == verify.Voice || ch == verify.SMS
}

// sealed is what keys seal: a state or a flash.
type sealed interface {
	until() time.Time // when it stops being accepted
	valid() bool      // whether it can be sealed, and trusted once opened
}

var (
	errStateInvalid = errors.New("verifyhttp: state is malformed, tampered with or sealed with an unknown key")
	errStateExpired = errors.New("verifyhttp: state is too old")
	errStateTooLong = errors.New("verifyhttp: state cannot be sealed: a string is too long, or a field is missing")
)

// keys seal and open values with AES-256-GCM. The first key seals; all of
// them open, so that a key can be rotated without ending every session.
type keys struct {
	aeads []cipher.AEAD
}

func newKeys(secrets [][]byte) (*keys, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: verifyhttp.WithSecret is required", verify.ErrInvalidOption)
	}
	k := &keys{}
	for i, secret := range secrets {
		if len(secret) < minSecret {
			return nil, fmt.Errorf("%w: verifyhttp.WithSecret: key %d has %d bytes, must have at least %d", verify.ErrInvalidOption, i+1, len(secret), minSecret)
		}
		// Derive the AES key, so that a secret of any length and shape
		// (a passphrase, hex, raw bytes) gives a uniform 256-bit key.
		key, err := hkdf.Key(sha256.New, secret, nil, "phoneverify/http aes-256-gcm", 32)
		if err != nil {
			return nil, fmt.Errorf("%w: verifyhttp.WithSecret: %v", verify.ErrInvalidOption, err)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.aeads = append(k.aeads, aead)
	}
	return k, nil
}

// seal encodes v as JSON, encrypts and authenticates it with the
// additional data ad (see binding), and returns it as URL-safe base64, fit
// for a cookie value or a JSON string. It refuses a value open would.
func (k *keys) seal(v sealed, ad string) (string, error) {
	if !v.valid() {
		return "", errStateTooLong
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	aead := k.aeads[0]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce) // never returns an error (Go 1.24+)
	out := aead.Seal(nonce, nonce, plain, []byte(sealFormat+"\x00"+ad))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// open authenticates and decrypts a value sealed with the same additional
// data into v, and refuses it once its time has passed.
func (k *keys) open(value, ad string, now time.Time, v sealed) error {
	if value == "" || len(value) > maxSealed {
		return errStateInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return errStateInvalid
	}
	for _, aead := range k.aeads {
		ns := aead.NonceSize()
		if len(raw) < ns+aead.Overhead() {
			return errStateInvalid
		}
		plain, err := aead.Open(nil, raw[:ns], raw[ns:], []byte(sealFormat+"\x00"+ad))
		if err != nil {
			continue
		}
		if json.Unmarshal(plain, v) != nil || !v.valid() {
			return errStateInvalid
		}
		if !now.Before(v.until()) {
			return errStateExpired
		}
		return nil
	}
	return errStateInvalid
}
