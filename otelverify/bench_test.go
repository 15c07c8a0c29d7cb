package otelverify_test

import (
	"context"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otelverify"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// BenchmarkStart compares, in one run, a Start on the fake provider
// without an Observer, with otelverify's metrics alone (the SDK, a
// ManualReader, spans to a no-op TracerProvider), and with metrics and
// sampled spans (the SDK's TracerProvider with no exporter).
func BenchmarkStart(b *testing.B) {
	cases := []struct {
		name string
		obs  func(b *testing.B) verify.Observer
	}{
		{"None", func(*testing.B) verify.Observer { return nil }},
		{"Metrics", func(b *testing.B) verify.Observer {
			return mustObserver(b, otelverify.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))),
				otelverify.WithTracerProvider(noop.NewTracerProvider()))
		}},
		{"MetricsAndSpans", func(b *testing.B) verify.Observer {
			return mustObserver(b, otelverify.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))),
				otelverify.WithTracerProvider(sdktrace.NewTracerProvider()))
		}},
	}
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			opts := []verify.Option{verify.WithResendCooldown(0), verify.WithNumberLimit(0, 0)}
			if o := c.obs(b); o != nil {
				opts = append(opts, verify.WithObserver(o))
			}
			v, err := verify.New(fake.New(), opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Start(ctx, "+31612345678"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// mustObserver returns a new Observer with opts, or fails tb.
func mustObserver(tb testing.TB, opts ...otelverify.Option) verify.Observer {
	tb.Helper()
	o, err := otelverify.NewObserver(opts...)
	require.NoError(tb, err)
	return o
}
