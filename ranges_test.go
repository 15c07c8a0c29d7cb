package verify_test

// The ranges of options and inputs, each at both its edges, and the
// region policy given on its own.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionRangeEdges(t *testing.T) {
	tests := []struct {
		name     string
		ok, bad  verify.Option
		badValue string // what the error names
	}{
		{"token length min", verify.WithTokenLength(6), verify.WithTokenLength(5), "WithTokenLength(5)"},
		{"token length max", verify.WithTokenLength(10), verify.WithTokenLength(11), "WithTokenLength(11)"},
		{"attempts min", verify.WithMaxAttempts(1), verify.WithMaxAttempts(0), "WithMaxAttempts(0)"},
		{"attempts max", verify.WithMaxAttempts(10), verify.WithMaxAttempts(11), "WithMaxAttempts(11)"},
		{"validity min", verify.WithValidity(30 * time.Second), verify.WithValidity(30*time.Second - time.Nanosecond), "WithValidity"},
		{"validity max", verify.WithValidity(72 * time.Hour), verify.WithValidity(72*time.Hour + time.Nanosecond), "WithValidity"},
		{"alphanumeric sender", verify.WithOriginator("ElevenChars"), verify.WithOriginator("TwelveChars1"), "WithOriginator"},
		{"numeric sender", verify.WithOriginator("+123456789012345"), verify.WithOriginator("+1234567890123456"), "WithOriginator"},
		{"numeric sender without +", verify.WithOriginator("123456789012345"), verify.WithOriginator("1234567890123456"), "WithOriginator"},
		{"reference", verify.WithReference(strings.Repeat("r", 64)), verify.WithReference(strings.Repeat("r", 65)), "WithReference"},
		{"template", verify.WithTemplate("%token" + strings.Repeat("x", 474)), verify.WithTemplate("%token" + strings.Repeat("x", 475)), "WithTemplate"},
		{"cooldown max", verify.WithResendCooldown(time.Hour), verify.WithResendCooldown(time.Hour + time.Nanosecond), "WithResendCooldown"},
		{"number limit window", verify.WithNumberLimit(1, 744*time.Hour), verify.WithNumberLimit(1, 744*time.Hour+time.Nanosecond), "WithNumberLimit"},
		{"client limit window", verify.WithClientLimit(1, 744*time.Hour), verify.WithClientLimit(1, 744*time.Hour+time.Nanosecond), "WithClientLimit"},
		{"global limit window", verify.WithGlobalLimit(1, 744*time.Hour), verify.WithGlobalLimit(1, 744*time.Hour+time.Nanosecond), "WithGlobalLimit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verify.New(fake.New(), tt.ok)
			assert.NoError(t, err, "the edge itself is refused")
			_, err = verify.New(fake.New(), tt.bad)
			assert.ErrorIs(t, err, verify.ErrInvalidOption, "one past the edge")
			assert.ErrorContains(t, err, tt.badValue, "one past the edge: want the error to name it")
		})
	}
}

func TestTokenLengthEdgesReachTheProvider(t *testing.T) {
	for _, n := range []int{6, 10} {
		s := &spy{}
		_, err := newVerifier(t, s, verify.WithTokenLength(n)).Start(context.Background(), "+31612345678")
		require.NoError(t, err)
		assert.Equal(t, n, s.lastReq.TokenLength, "WithTokenLength(%d) sent", n)
	}
}

func TestAllowedRegionsAlone(t *testing.T) {
	v := newVerifier(t, &spy{}, verify.WithAllowedRegions("NL"))
	_, err := v.Start(context.Background(), "+31612345678")
	assert.NoError(t, err, "allowed region")
	var pe *verify.PhoneError
	_, err = v.Start(context.Background(), "+447400123456")
	require.ErrorAs(t, err, &pe, "a region not allowed")
	assert.Equal(t, "region", pe.Code, "a region not allowed")
}

func TestPhoneInputLength(t *testing.T) {
	v := newVerifier(t, &spy{})
	// 40 characters: a valid number padded with dashes is still read.
	in := "+31 6 1234 5678" + strings.Repeat("-", 40-len("+31 6 1234 5678"))
	require.Len(t, in, 40, "test input")
	_, err := v.Start(context.Background(), in)
	assert.NoError(t, err, "40 characters")
	var pe *verify.PhoneError
	_, err = v.Start(context.Background(), in+"-")
	require.ErrorAs(t, err, &pe, "41 characters")
	assert.Equal(t, "too_long", pe.Code, "41 characters")
}

func TestE164Length(t *testing.T) {
	// E.164 numbers have at most 15 digits.
	v := newVerifier(t, &spy{}, verify.WithAnyLineType())
	var pe *verify.PhoneError
	_, err := v.Start(context.Background(), "+49 1234 5678901234")
	assert.ErrorAs(t, err, &pe, "16 digits")
}

func TestCodeInputLength(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s)
	// Up to 64 characters are read: six digits spread with spaces.
	code := "1 2 3 4 5 6" + strings.Repeat(" ", 64-len("1 2 3 4 5 6"))
	_, err := v.Check(context.Background(), "abc", code)
	assert.NoError(t, err, "64 characters")
	assert.Equal(t, "123456", s.lastCode, "64 characters: the code sent")
	_, err = v.Check(context.Background(), "abc", code+" ")
	assert.ErrorIs(t, err, verify.ErrInvalidCode, "65 characters")
}

func TestIDCharacters(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s)
	good := []string{"a", "Z", "0", "9", "A-b_c", strings.Repeat("a", 64), "15498233759288aaf929661v21936686"}
	for _, id := range good {
		_, err := v.Check(context.Background(), id, "123456")
		assert.NoError(t, err, "Check(%q)", id)
	}
	require.Equal(t, len(good), int(s.checks.Load()), "good ids that reached the provider")
	for _, c := range "[\\]^`{|}~@:/.é\x00" {
		id := "ab" + string(c) + "cd"
		_, err := v.Check(context.Background(), id, "123456")
		assert.ErrorIs(t, err, verify.ErrNotFound, "Check(%q)", id)
	}
	assert.Equal(t, len(good), int(s.checks.Load()), "an id with a character outside [A-Za-z0-9_-] reached the provider")
}
