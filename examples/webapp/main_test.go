package main

import (
	"log/slog"
	"strings"
	"testing"
)

func TestChooseProvider(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "")
	p, inbox, err := chooseProvider(log)
	if err != nil || p == nil || inbox == nil {
		t.Fatalf("without a key: %v, %v, %v; want the fake and its inbox", p, inbox, err)
	}
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", "live_x")
	if _, _, err := chooseProvider(log); err == nil || !strings.Contains(err.Error(), "messagebird package") {
		t.Fatalf("with a key: %v, want the explanation", err)
	}
}

func TestLoadSecret(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Setenv("VERIFY_SECRET", "")
	a, err := loadSecret(log)
	b, _ := loadSecret(log)
	if err != nil || len(a) != 32 || string(a) == string(b) {
		t.Fatalf("random secrets %x, %x, %v", a, b, err)
	}
	t.Setenv("VERIFY_SECRET", "too short")
	if _, err := loadSecret(log); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("short secret: %v", err)
	}
	t.Setenv("VERIFY_SECRET", strings.Repeat("k", 40))
	if s, err := loadSecret(log); err != nil || len(s) != 40 {
		t.Fatalf("good secret: %v", err)
	}
}
