package verify_test

// Tests that pin down rules a refactor could break silently: each range
// at both its edges, and policies given on their own.

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
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
			if _, err := verify.New(fake.New(), tt.ok); err != nil {
				t.Errorf("the edge itself is refused: %v", err)
			}
			_, err := verify.New(fake.New(), tt.bad)
			if !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), tt.badValue) {
				t.Errorf("one past the edge: %v; want ErrInvalidOption naming %s", err, tt.badValue)
			}
		})
	}
}

func TestTokenLengthEdgesReachTheProvider(t *testing.T) {
	for _, n := range []int{6, 10} {
		s := &spy{}
		if _, err := newVerifier(t, s, verify.WithTokenLength(n)).Start(context.Background(), "+31612345678"); err != nil {
			t.Fatal(err)
		}
		if s.lastReq.TokenLength != n {
			t.Errorf("WithTokenLength(%d) sent %d", n, s.lastReq.TokenLength)
		}
	}
}

func TestAllowedRegionsAlone(t *testing.T) {
	v := newVerifier(t, &spy{}, verify.WithAllowedRegions("NL"))
	if _, err := v.Start(context.Background(), "+31612345678"); err != nil {
		t.Fatalf("allowed region: %v", err)
	}
	var pe *verify.PhoneError
	if _, err := v.Start(context.Background(), "+447400123456"); !errors.As(err, &pe) || pe.Code != "region" {
		t.Fatalf("a region not allowed: %v; want a region PhoneError", err)
	}
}

func TestPhoneInputLength(t *testing.T) {
	v := newVerifier(t, &spy{})
	// 40 characters: a valid number padded with dashes is still read.
	in := "+31 6 1234 5678" + strings.Repeat("-", 40-len("+31 6 1234 5678"))
	if len(in) != 40 {
		t.Fatalf("test input has %d characters", len(in))
	}
	if _, err := v.Start(context.Background(), in); err != nil {
		t.Fatalf("40 characters: %v", err)
	}
	var pe *verify.PhoneError
	if _, err := v.Start(context.Background(), in+"-"); !errors.As(err, &pe) || pe.Code != "too_long" {
		t.Fatalf("41 characters: %v; want too_long", err)
	}
}

func TestE164Length(t *testing.T) {
	// E.164 numbers have at most 15 digits.
	v := newVerifier(t, &spy{}, verify.WithAnyLineType())
	var pe *verify.PhoneError
	if _, err := v.Start(context.Background(), "+49 1234 5678901234"); !errors.As(err, &pe) {
		t.Fatalf("16 digits: %v; want a PhoneError", err)
	}
}

func TestCodeInputLength(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s)
	// Up to 64 characters are read: six digits spread with spaces.
	code := "1 2 3 4 5 6" + strings.Repeat(" ", 64-len("1 2 3 4 5 6"))
	if _, err := v.Check(context.Background(), "abc", code); err != nil || s.lastCode != "123456" {
		t.Fatalf("64 characters: %v, sent %q; want 123456 accepted", err, s.lastCode)
	}
	if _, err := v.Check(context.Background(), "abc", code+" "); !errors.Is(err, verify.ErrInvalidCode) {
		t.Fatalf("65 characters: %v; want ErrInvalidCode", err)
	}
}

func TestIDCharacters(t *testing.T) {
	s := &spy{}
	v := newVerifier(t, s)
	good := []string{"a", "Z", "0", "9", "A-b_c", strings.Repeat("a", 64), "15498233759288aaf929661v21936686"}
	for _, id := range good {
		if _, err := v.Check(context.Background(), id, "123456"); err != nil {
			t.Errorf("Check(%q): %v", id, err)
		}
	}
	if int(s.checks.Load()) != len(good) {
		t.Fatalf("%d of %d good ids reached the provider", s.checks.Load(), len(good))
	}
	for _, c := range "[\\]^`{|}~@:/.é\x00" {
		id := "ab" + string(c) + "cd"
		if _, err := v.Check(context.Background(), id, "123456"); !errors.Is(err, verify.ErrNotFound) {
			t.Errorf("Check(%q): %v; want ErrNotFound", id, err)
		}
	}
	if int(s.checks.Load()) != len(good) {
		t.Fatal("an id with a character outside [A-Za-z0-9_-] reached the provider")
	}
}

func TestCancelWithALogger(t *testing.T) {
	var logs bytes.Buffer
	p := fake.New()
	v := newVerifier(t, p, verify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ver, err := v.Start(context.Background(), "+31612345678")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Cancel(context.Background(), ver.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "verify: canceled") || strings.Contains(logs.String(), "error=") {
		t.Fatalf("logs:\n%s\nwant a cancel record without an error", logs.String())
	}
}

func TestStartsWithoutClientKeyShareNoClientBudget(t *testing.T) {
	v, err := verify.New(&spy{}, verify.WithClientLimit(1, time.Hour), verify.WithNumberLimit(0, 0), verify.WithResendCooldown(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, phone := range []string{"+31612345678", "+31612345679", "+31612345670"} {
		if _, err := v.Start(context.Background(), phone); err != nil {
			t.Fatalf("Start(%s) without a client key: %v", phone, err)
		}
	}
	if _, err := v.Start(context.Background(), "+31612345671", verify.WithClientKey("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(context.Background(), "+31612345672", verify.WithClientKey("a")); !errors.Is(err, verify.ErrRateLimited) {
		t.Fatalf("second start of client a: %v; want ErrRateLimited", err)
	}
}
