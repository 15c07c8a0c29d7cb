package twilio

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParameter(t *testing.T) {
	for msg, want := range map[string]string{
		"Invalid parameter: To":                   "To",
		"Invalid parameter `To`: +31612345678":    "To",
		"Invalid parameter: Channel is not valid": "Channel",
		"Invalid parameter":                       "",
		"Invalid parameter `To":                   "",
		"Max check attempts reached":              "",
		"Invalid parameter: Totp.CodeLength, 11":  "Totp.CodeLength",
		"Invalid parameter: CustomFriendlyName\n": "CustomFriendlyName",
	} {
		assert.Equal(t, want, parameter(msg), msg)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-5":                            0,
		"999999999999":                  maxRetryAfter,
		"soon":                          0,
		"Fri, 04 Dec 2026 12:01:00 GMT": time.Minute,
		"Fri, 04 Dec 2026 11:00:00 GMT": 0,
	} {
		assert.Equal(t, want, parseRetryAfter(h, now), h)
	}
}

// TestBound checks the deadline every call runs under.
func TestBound(t *testing.T) {
	newC := func(hc *http.Client) *client {
		cfg := config{client: hc}
		c, err := newClient("AC00000000000000000000000000000001", "token", &cfg)
		require.NoError(t, err)
		return c
	}
	tests := []struct {
		name   string
		c      *client
		caller time.Duration // 0: no deadline
		want   time.Duration // 0: none
	}{
		{"default", newC(nil), 0, defaultTimeout},
		{"default, sooner caller", newC(nil), 5 * time.Second, 5 * time.Second},
		{"client's timeout", newC(&http.Client{Timeout: time.Minute}), time.Hour, time.Minute},
		{"zero timeout", newC(&http.Client{}), 0, 0},
	}
	for _, tt := range tests {
		ctx := context.Background()
		t0 := time.Now()
		if tt.caller > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, tt.caller)
			defer cancel()
		}
		bounded, cancel := tt.c.bound(ctx)
		t1 := time.Now()
		dl, ok := bounded.Deadline()
		cancel()
		if tt.want == 0 {
			assert.False(t, ok, tt.name)
			continue
		}
		require.True(t, ok, tt.name)
		assert.False(t, dl.Before(t0.Add(tt.want)) || dl.After(t1.Add(tt.want)), "%s: deadline in %v", tt.name, dl.Sub(t1))
	}
}

type counting struct {
	r io.Reader
	n int
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestBodyLimit checks that a body is read whole up to maxBody bytes, and
// past it hands on exactly maxBody and reads at most one byte more.
func TestBodyLimit(t *testing.T) {
	for _, size := range []int{0, 1, maxBody, maxBody + 1, 4 * maxBody} {
		src := &counting{r: strings.NewReader(strings.Repeat("x", size))}
		b := &body{rc: io.NopCloser(src)}
		got, err := io.ReadAll(b)
		if size <= maxBody {
			assert.NoError(t, err, size)
			assert.Len(t, got, size)
			continue
		}
		assert.ErrorIs(t, err, errBodyTooLarge, size)
		assert.Len(t, got, maxBody)
		assert.LessOrEqual(t, src.n, maxBody+1)
	}
}
