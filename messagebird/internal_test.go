package messagebird

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"time"
)

// TestBound checks the deadline every call runs under: 15 seconds by
// default (a test of the whole call would wait that long), the Timeout of
// WithHTTPClient's client, none for a zero Timeout, and the caller's
// deadline when it is sooner.
func TestBound(t *testing.T) {
	def, err := New("k")
	require.NoError(t, err)
	short, err := New("k", WithHTTPClient(&http.Client{Timeout: time.Minute}))
	require.NoError(t, err)
	none, err := New("k", WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	in := func(d time.Duration) (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), d)
	}
	tests := []struct {
		name   string
		p      *Provider
		caller time.Duration // 0: no deadline
		want   time.Duration // from now; 0: no deadline
	}{
		{"default, no deadline", def, 0, 15 * time.Second},
		{"default, later deadline", def, time.Hour, 15 * time.Second},
		{"default, sooner deadline", def, 5 * time.Second, 5 * time.Second},
		{"client's timeout, no deadline", short, 0, time.Minute},
		{"client's timeout, later deadline", short, time.Hour, time.Minute},
		{"client's timeout, sooner deadline", short, 30 * time.Second, 30 * time.Second},
		{"zero timeout, no deadline", none, 0, 0},
		{"zero timeout, a deadline", none, time.Hour, time.Hour},
	}
	for _, tt := range tests {
		t0 := time.Now()
		ctx := context.Background()
		if tt.caller > 0 {
			var cancel context.CancelFunc
			ctx, cancel = in(tt.caller)
			defer cancel()
		}
		bounded, cancel := tt.p.cl.bound(ctx)
		t1 := time.Now()
		dl, ok := bounded.Deadline()
		cancel()
		if tt.want == 0 {
			assert.False(t, ok, "%s: deadline in %v, want none", tt.name, dl.Sub(t1))
			continue
		}
		// Both deadlines were set between t0 and t1.
		assert.True(t, ok, "%s: no deadline, want %v", tt.name, tt.want)
		assert.False(t, dl.Before(t0.Add(tt.want)), "%s: deadline in %v, want %v", tt.name, dl.Sub(t1), tt.want)
		assert.False(t, dl.After(t1.Add(tt.want)), "%s: deadline in %v, want %v", tt.name, dl.Sub(t1), tt.want)
	}
}

// counting counts the bytes read from r.
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
// that past it the reader hands on exactly maxBody bytes and reads at
// most one byte more from the connection, however large the caller's
// buffer.
func TestBodyLimit(t *testing.T) {
	for _, size := range []int{0, 1, maxBody - 1, maxBody, maxBody + 1, maxBody + 10, 4 * maxBody} {
		src := &counting{r: strings.NewReader(strings.Repeat("x", size))}
		b := &body{rc: io.NopCloser(src)}
		got, err := io.ReadAll(b)
		if size <= maxBody {
			assert.NoError(t, err, "%d bytes", size)
			assert.Equal(t, size, len(got), "%d bytes: bytes read, want all of them", size)
			assert.NoError(t, b.err, "%d bytes: error recorded", size)
			continue
		}
		assert.ErrorIs(t, err, errBodyTooLarge, "%d bytes", size)
		assert.Same(t, errBodyTooLarge, b.err, "%d bytes: error recorded", size)
		assert.Equal(t, maxBody, len(got), "%d bytes: bytes handed on", size)
		assert.LessOrEqual(t, src.n, maxBody+1, "%d bytes: bytes read, want at most one more than handed on", size)
	}
	// A large buffer, as a caller other than io.ReadAll could pass.
	src := &counting{r: strings.NewReader(strings.Repeat("x", 2*maxBody))}
	b := &body{rc: io.NopCloser(src)}
	buf := make([]byte, 3*maxBody)
	n, err := b.Read(buf)
	assert.LessOrEqual(t, n, maxBody, "one read of a large buffer: bytes handed on (%v)", err)
	assert.LessOrEqual(t, src.n, maxBody+1, "one read of a large buffer: bytes read (%v)", err)
}
