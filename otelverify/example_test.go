package otelverify_test

import (
	"context"
	"fmt"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/otelverify"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func ExampleNewObserver() {
	// In production: a MeterProvider with an exporter (OTLP, Prometheus),
	// or no option at all for the global one.
	reader := sdkmetric.NewManualReader()
	obs, err := otelverify.NewObserver(otelverify.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		panic(err)
	}
	v, err := verify.New(fake.New(fake.WithCode("123456")), verify.WithObserver(obs))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	ver, _ := v.Start(ctx, "+31 6 12345678")
	v.Check(ctx, ver.ID, "123456")

	var rm metricdata.ResourceMetrics
	reader.Collect(ctx, &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			for _, dp := range sum.DataPoints {
				fmt.Println(m.Name, dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Value)
			}
		}
	}
	// Output:
	// verify.verifications.started verify.channel=voice,verify.provider=fake,verify.region=NL 1
	// verify.verifications.checked verify.channel=voice,verify.outcome=verified,verify.provider=fake,verify.region=NL 1
}
