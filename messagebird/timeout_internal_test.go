package messagebird

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestBound checks the deadline every call runs under: 15 seconds by
// default (a test of the whole call would wait that long), the Timeout of
// WithHTTPClient's client, none for a zero Timeout, and the caller's
// deadline when it is sooner.
func TestBound(t *testing.T) {
	def, err := New("k")
	if err != nil {
		t.Fatal(err)
	}
	short, err := New("k", WithHTTPClient(&http.Client{Timeout: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	none, err := New("k", WithHTTPClient(&http.Client{}))
	if err != nil {
		t.Fatal(err)
	}
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
		bounded, cancel := tt.p.bound(ctx)
		t1 := time.Now()
		dl, ok := bounded.Deadline()
		cancel()
		if tt.want == 0 {
			if ok {
				t.Errorf("%s: deadline in %v, want none", tt.name, dl.Sub(t1))
			}
			continue
		}
		// Both deadlines were set between t0 and t1.
		if !ok || dl.Before(t0.Add(tt.want)) || dl.After(t1.Add(tt.want)) {
			t.Errorf("%s: deadline in %v (set: %v), want %v", tt.name, dl.Sub(t1), ok, tt.want)
		}
	}
}
