package verify_test

// What a Verifier logs.

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/phoneverify/verify"
)

// A refused start is logged with the number masked once it is read, and
// with no number at all when it could not be read: the raw input, which
// may be a full number, never reaches the log.
func TestRefusedStartLogsTheMaskedNumberOnly(t *testing.T) {
	var log bytes.Buffer
	v := newVerifier(t, &spy{}, verify.WithDeniedRegions("GB"), verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	ctx := context.Background()
	if _, err := v.Start(ctx, "+447400123456"); err == nil {
		t.Fatal("a denied region was started")
	}
	if out := log.String(); !strings.Contains(out, `msg="verify: start refused"`) || !strings.Contains(out, "phone=+44*******456") {
		t.Fatalf("log:\n%s\nwant the refusal with the number masked", out)
	}
	log.Reset()
	if _, err := v.Start(ctx, "+31 6 1234 5678 9"); err == nil {
		t.Fatal("a number too long was started")
	}
	if out := log.String(); !strings.Contains(out, `msg="verify: start refused"`) || strings.Contains(out, "phone=") {
		t.Fatalf("log:\n%s\nwant the refusal without a phone", out)
	}
}
