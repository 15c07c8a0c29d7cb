package verify_test

// What a Verifier logs.

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// A refused start is logged with the number masked once it is read, and
// with no number at all when it could not be read: the raw input, which
// may be a full number, never reaches the log.
func TestRefusedStartLogsTheMaskedNumberOnly(t *testing.T) {
	var log bytes.Buffer
	v := newVerifier(t, &spy{}, verify.WithDeniedRegions("GB"), verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	ctx := context.Background()
	_, err := v.Start(ctx, "+447400123456")
	require.Error(t, err, "a denied region was started")
	out := log.String()
	assert.Contains(t, out, `msg="verify: start refused"`, "want the refusal logged")
	assert.Contains(t, out, "phone=+44*******456", "want the number masked")
	log.Reset()
	_, err = v.Start(ctx, "+31 6 1234 5678 9")
	require.Error(t, err, "a number too long was started")
	out = log.String()
	assert.Contains(t, out, `msg="verify: start refused"`, "want the refusal logged")
	assert.NotContains(t, out, "phone=", "want the refusal without a phone")
}

func TestCancelWithALogger(t *testing.T) {
	var logs bytes.Buffer
	p := fake.New()
	v := newVerifier(t, p, verify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ver, err := v.Start(context.Background(), "+31612345678")
	require.NoError(t, err)
	require.NoError(t, v.Cancel(context.Background(), ver.ID))
	assert.Contains(t, logs.String(), "verify: canceled", "want a cancel record")
	assert.NotContains(t, logs.String(), "error=", "want the cancel record without an error")
}
