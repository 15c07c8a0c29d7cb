package verify_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A plain Limiter leaves the SMS-pumping guard and the failed-check
// throttle off: New refuses either one asked for, warns when they are on
// by default, and is silent once both are turned off.
func TestPlainLimiterTurnsTheGuardsOff(t *testing.T) {
	for _, opt := range []verify.Option{
		verify.WithPumpingGuard(100, 10, time.Hour),
		verify.WithFailureThrottle(20, time.Hour),
	} {
		_, err := verify.New(fake.New(), verify.WithLimiter(plain{&verify.MemoryLimiter{}}), opt)
		assert.ErrorIs(t, err, verify.ErrInvalidOption)
		assert.ErrorContains(t, err, "needs a LimitStore")
	}

	tests := []struct {
		name string
		opts []verify.Option
		warn bool
	}{
		{"defaults", nil, true},
		{"guard off", []verify.Option{verify.WithPumpingGuard(0, 0, 0)}, true},
		{"throttle off", []verify.Option{verify.WithFailureThrottle(0, 0)}, true},
		{"both off", []verify.Option{verify.WithPumpingGuard(0, 0, 0), verify.WithFailureThrottle(0, 0)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			opts := append([]verify.Option{verify.WithLimiter(plain{&verify.MemoryLimiter{}}),
				verify.WithLogger(slog.New(slog.NewTextHandler(&log, nil)))}, tt.opts...)
			_, err := verify.New(fake.New(), opts...)
			require.NoError(t, err)
			if tt.warn {
				assert.Contains(t, log.String(), "level=WARN")
				assert.Contains(t, log.String(), "the SMS-pumping guard and the failed-check throttle are off")
				assert.Contains(t, log.String(), "limiter=verify_test.plain")
			} else {
				assert.Empty(t, log.String())
			}
		})
	}

	// A LimitStore, and the default limiter, are not warned about.
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	_, err := verify.New(fake.New(), verify.WithLogger(logger))
	require.NoError(t, err)
	_, err = verify.New(fake.New(), verify.WithLogger(logger), verify.WithLimiter(&verify.MemoryLimiter{}),
		verify.WithPumpingGuard(10, 10, time.Hour))
	require.NoError(t, err)
	assert.Empty(t, log.String())
}

// The options of Start only are refused by New with their names, and
// work in Start.
func TestOptionsOfStartOnly(t *testing.T) {
	for name, opt := range map[string]verify.MessageOption{
		"WithClientKey":    verify.WithClientKey("192.0.2.1"),
		"WithUserLanguage": verify.WithUserLanguage("de"),
	} {
		_, err := verify.New(fake.New(), opt)
		assert.ErrorIs(t, err, verify.ErrInvalidOption, name)
		assert.ErrorContains(t, err, name+" is an option of Start, not of New")
	}
	s := &spy{}
	v := newVerifier(t, s, verify.WithClientLimit(1, time.Hour))
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31612345678", verify.WithClientKey("192.0.2.1"), verify.WithUserLanguage("de-CH"))
	require.NoError(t, err)
	assert.Equal(t, "de-de", ver.Language)
	_, err = v.Start(ctx, "+31612345679", verify.WithClientKey("192.0.2.1"))
	assert.ErrorIs(t, err, verify.ErrRateLimited, "the client's second start")
}

// WithUserLanguage keeps its own copy of the tags it is given.
func TestWithUserLanguageCopiesItsTags(t *testing.T) {
	tags := []string{"de"}
	opt := verify.WithUserLanguage(tags...)
	tags[0] = "fr"
	ver, err := newVerifier(t, &spy{}).Start(context.Background(), "+31612345678", opt)
	require.NoError(t, err)
	assert.Equal(t, "de-de", ver.Language)
}
