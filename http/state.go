package http

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/phoneverify/verify"
)

// minSecret is the shortest secret WithSecret accepts.
const minSecret = 32

// Purposes bind a sealed value to where it is used: a cookie cannot be
// replayed as an API token, nor the other way round.
const (
	purposeCookie = "phoneverify/http cookie v2"
	purposeToken  = "phoneverify/http token v2"
	purposeFlash  = "phoneverify/http flash v2"
)

// stateVersion is the first byte of every encoded state.
const stateVersion = 2

// maxSealed bounds a sealed value before it is decoded: ids are at most
// 128 bytes, numbers 32, and the other strings short, so a real one is
// far shorter.
const maxSealed = 1024

// maxInput bounds the number as typed that a state keeps to show again.
const maxInput = 64

// state is what the handlers remember between requests, sealed in the
// browser's cookie or in the API's token. The failure of a POST of the
// pages is sealed apart, in the flash cookie: a copy of the state it
// happened in (no ID for a start) with Failed set.
type state struct {
	ID       string         // the provider's verification id
	Phone    string         // E.164, from the provider's answer
	Channel  verify.Channel // how the code was sent
	Language string         // the language of the call or text, such as "de-de"
	Sent     time.Time      // when the code was sent, for the resend cooldown
	Expires  time.Time      // when the code stops working
	Until    time.Time      // when the sealed state itself stops being accepted
	Verified bool           // the code was checked successfully

	// Failed is the failure of a POST of the pages (flash cookie only),
	// shown by the page it redirected to (Post/Redirect/Get).
	// Its Code, Reason, ReasonCode, Region, Field and RetryAfter are kept.
	// FailedAt is when it happened, FailedStart whether it was a start's
	// (shown on the phone form) rather than the code page's.
	Failed      *Failure
	FailedAt    time.Time
	FailedStart bool
	// Input is the number as typed in a start that failed, to fill the
	// phone form again; at most maxInput bytes.
	Input string
}

var (
	errStateInvalid = errors.New("verifyhttp: state is malformed, tampered with or sealed with an unknown key")
	errStateExpired = errors.New("verifyhttp: state is too old")
)

// sealer seals and opens states with AES-256-GCM. The first key seals; all
// of them open, so that a key can be rotated without ending every session.
type sealer struct {
	aeads []cipher.AEAD
}

func newSealer(secrets [][]byte) (*sealer, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: verifyhttp.WithSecret is required", verify.ErrInvalidOption)
	}
	s := &sealer{}
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
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// errStateTooLong is returned by seal for a state whose strings do not
// fit their one-byte length; no real provider makes such ids.
var errStateTooLong = errors.New("verifyhttp: state too long to seal")

// seal encrypts and authenticates st for purpose and returns it as
// URL-safe base64, fit for a cookie value or a JSON string.
func (s *sealer) seal(st *state, purpose string) (string, error) {
	if len(st.ID) > 128 || len(st.Phone) > 32 || len(st.Input) > maxInput {
		return "", errStateTooLong
	}
	aead := s.aeads[0]
	// One buffer holds the nonce and then the encoded state, which is
	// sealed in place.
	ns := aead.NonceSize()
	buf := make([]byte, ns, ns+192+aead.Overhead())
	rand.Read(buf) // never returns an error (Go 1.24+)
	plain := st.appendBinary(buf[ns:])
	out := aead.Seal(buf, buf, plain, []byte(purpose))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// open authenticates, decrypts and decodes a value made by seal for the
// same purpose, and refuses it once its Until has passed.
func (s *sealer) open(value, purpose string, now time.Time) (*state, error) {
	if value == "" || len(value) > maxSealed {
		return nil, errStateInvalid
	}
	sealed, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return nil, errStateInvalid
	}
	for _, aead := range s.aeads {
		ns := aead.NonceSize()
		if len(sealed) < ns+aead.Overhead() {
			return nil, errStateInvalid
		}
		// Open in a buffer of its own: sealed stays whole for the next key.
		plain, err := aead.Open(nil, sealed[:ns], sealed[ns:], []byte(purpose))
		if err != nil {
			continue
		}
		st, err := decodeState(plain)
		if err != nil {
			return nil, err
		}
		if !now.Before(st.Until) {
			return nil, errStateExpired
		}
		return st, nil
	}
	return nil, errStateInvalid
}

// appendBinary appends the encoding of st: version, flags, channel, the
// four times in Unix milliseconds, the failure's retry-after seconds,
// then the strings, each after its one-byte length: id, phone, language,
// input and the failure's code, reason code, field, reason and region.
func (st *state) appendBinary(b []byte) []byte {
	var flags byte
	if st.Verified {
		flags |= 1
	}
	if st.FailedStart {
		flags |= 2
	}
	var ch byte
	if st.Channel == verify.SMS {
		ch = 1
	}
	f := st.Failed
	if f == nil {
		f = &Failure{}
	}
	b = append(b, stateVersion, flags, ch)
	b = binary.BigEndian.AppendUint64(b, uint64(st.Sent.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(st.Expires.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(st.Until.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(st.FailedAt.UnixMilli()))
	b = binary.BigEndian.AppendUint32(b, uint32(f.RetryAfter))
	for _, s := range [...]string{st.ID, st.Phone, st.Language, st.Input, string(f.Code), f.ReasonCode, f.Field, f.Reason, f.Region} {
		b = append(b, byte(min(len(s), 255)))
		b = append(b, s[:min(len(s), 255)]...)
	}
	return b
}

// headerLen is the length of an encoded state before its strings.
const headerLen = 3 + 4*8 + 4

func decodeState(b []byte) (*state, error) {
	if len(b) < headerLen+9 || b[0] != stateVersion || b[1] > 3 || b[2] > 1 {
		return nil, errStateInvalid
	}
	st := &state{Verified: b[1]&1 != 0, FailedStart: b[1]&2 != 0, Channel: verify.Voice}
	if b[2] == 1 {
		st.Channel = verify.SMS
	}
	st.Sent = time.UnixMilli(int64(binary.BigEndian.Uint64(b[3:])))
	st.Expires = time.UnixMilli(int64(binary.BigEndian.Uint64(b[11:])))
	st.Until = time.UnixMilli(int64(binary.BigEndian.Uint64(b[19:])))
	st.FailedAt = time.UnixMilli(int64(binary.BigEndian.Uint64(b[27:])))
	retry := int(binary.BigEndian.Uint32(b[35:]))
	b = b[headerLen:]
	var strs [9]string
	for i := range strs {
		var ok bool
		if strs[i], b, ok = cutString(b); !ok {
			return nil, errStateInvalid
		}
	}
	if len(b) != 0 {
		return nil, errStateInvalid
	}
	st.ID, st.Phone, st.Language, st.Input = strs[0], strs[1], strs[2], strs[3]
	if (st.ID == "") != (st.Phone == "") || (st.ID == "" && st.Verified) {
		return nil, errStateInvalid
	}
	if strs[4] != "" {
		st.Failed = &Failure{Code: FailureCode(strs[4]), ReasonCode: strs[5], Field: strs[6], Reason: strs[7], Region: strs[8], RetryAfter: retry}
	}
	return st, nil
}

// cutString reads a string prefixed by its one-byte length.
func cutString(b []byte) (string, []byte, bool) {
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return "", nil, false
	}
	n := int(b[0])
	return string(b[1 : 1+n]), b[1+n:], true
}
