package verify_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
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

// Every ASCII letter and digit is allowed where letters and digits are,
// the first and last of each class included.
func TestLetterAndDigitEdges(t *testing.T) {
	for _, opt := range []verify.Option{
		verify.WithReference("09azAZ"),
		verify.WithOriginator("Z9a0Az"),
		verify.WithWebOrigin("https://z09-a.example"),
	} {
		_, err := verify.New(fake.New(), opt)
		assert.NoError(t, err)
	}
	for _, opt := range []verify.Option{
		verify.WithReference("a/b"), verify.WithReference("a:b"), verify.WithReference("a@b"),
		verify.WithReference("a[b"), verify.WithReference("a`b"), verify.WithReference("a{b"),
		verify.WithWebOrigin("https://a/b.example"), verify.WithWebOrigin("https://a:b.example"),
		verify.WithWebOrigin("https://a_b.example"), verify.WithWebOrigin("https://a{b.example"),
	} {
		_, err := verify.New(fake.New(), opt)
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "New")
	}
}

func TestWebOriginHostLength(t *testing.T) {
	label := strings.Repeat("a", 63)
	host := label + "." + label + "." + label + "." + strings.Repeat("b", 61)
	require.Len(t, host, 253, "host")
	_, err := verify.New(fake.New(), verify.WithWebOrigin("https://"+host))
	assert.NoError(t, err, "a host of 253 characters")
	_, err = verify.New(fake.New(), verify.WithWebOrigin("https://b"+host))
	assert.ErrorIs(t, err, verify.ErrInvalidOption, "a host of 254 characters")
}

// An error about a long template quotes its start only.
func TestLongTemplateErrorIsShort(t *testing.T) {
	tmpl := "%token " + strings.Repeat("long text ", 100)
	_, err := verify.New(fake.New(), verify.WithTemplate(tmpl))
	require.ErrorIs(t, err, verify.ErrInvalidOption)
	assert.ErrorContains(t, err, `"%token long text lon..."`, "want the first 20 bytes quoted")
	assert.LessOrEqual(t, len(err.Error()), 200, "error %q is long", err)
}

func TestPumpingGuardNeedsAWindow(t *testing.T) {
	for _, per := range []time.Duration{0, -time.Second} {
		_, err := verify.New(fake.New(), verify.WithPumpingGuard(10, 10, per))
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "WithPumpingGuard(10, 10, %s)", per)
	}
}
