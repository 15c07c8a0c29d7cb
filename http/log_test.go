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
)

// TestFailureLogLevels: a failure of the provider is logged as a warning
// (someone should look), a failure of the user (a refused number) as
// information.
func TestFailureLogLevels(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	var buf bytes.Buffer
	p := fake.New()
	v, err := verify.New(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := verifyhttp.New(v, verifyhttp.WithSecret(testSecret), verifyhttp.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if err != nil {
		t.Fatal(err)
	}
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
	if want := []string{"WARN 503", "INFO 422"}; fmt.Sprint(levels) != fmt.Sprint(want) {
		t.Errorf("start failures logged as %q, want %q:\n%s", levels, want, buf.String())
	}
}
