package http_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailureLogLevels: a failure of the provider is logged as a warning
// (someone should look), a failure of the user (a refused number) as
// information.
func TestFailureLogLevels(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	var buf bytes.Buffer
	p := fake.New()
	v, err := verify.New(p)
	require.NoError(t, err)
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	require.NoError(t, err)
	p.FailNext(fmt.Errorf("%w: upstream down", verify.ErrUnavailable))
	serveWith(context.Background(), h, "/", form, "phone=%2B31612345678", nil)
	serveWith(context.Background(), h, "/", form, "phone=12", nil)
	var levels []string
	for line := range strings.Lines(buf.String()) {
		if strings.Contains(line, `msg="verifyhttp: start failed"`) {
			level, _, _ := strings.Cut(strings.SplitN(line, "level=", 2)[1], " ")
			status, _, _ := strings.Cut(strings.SplitN(line, "status=", 2)[1], " ")
			levels = append(levels, level+" "+status)
		}
	}
	want := []string{"WARN 503", "INFO 422"}
	assert.Equalf(t, fmt.Sprint(want), fmt.Sprint(levels), "start failures logged as %q, want %q:\n%s", levels, want, buf.String())
}
