// Command example serves the phone verification pages on the fake
// provider, as examples/webapp does, and the OpenTelemetry metrics of
// every verification at /metrics, in Prometheus's format:
//
//	go run -C otelverify ./example
//
// then open http://localhost:8080, verify a number (the code is printed
// in the terminal, and listed at /dev/inbox), and read
// http://localhost:8080/metrics. Like every app on the fake provider it
// listens on 127.0.0.1 only. PORT changes the port. The metrics carry
// the service name "phoneverify-example" (target_info's service_name).
//
// The metrics go through OpenTelemetry's Prometheus exporter into a
// registry of the app's own, served by client_golang's promhttp handler;
// no global registry or provider is touched.
package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"os"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/internal/serve"
	"github.com/phoneverify/verify/otelverify"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// newHandler returns the app on provider p, which must be the fake: the
// verification pages at /, the fake's inbox at /dev/inbox and the metrics
// at /metrics. The function it returns flushes and stops the metrics.
func newHandler(log *slog.Logger, p *fake.Provider, secret []byte) (http.Handler, func(context.Context) error, error) {
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return nil, nil, err
	}
	meters := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter),
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "phoneverify-example"))))
	obs, err := otelverify.NewObserver(otelverify.WithMeterProvider(meters))
	if err != nil {
		return nil, nil, err
	}
	v, err := verify.New(p, verify.WithObserver(obs), verify.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	pages, err := verifyhttp.New(v, verifyhttp.WithSecret(secret), verifyhttp.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", pages)
	mux.Handle("/dev/inbox", serve.LocalOnly(p.Inbox()))
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	return mux, meters.Shutdown, nil
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	secret := make([]byte, 32)
	rand.Read(secret)
	handler, shutdownMetrics, err := newHandler(log, fake.New(fake.WithLogger(log)), secret)
	if err == nil {
		log.Info("example: the metrics are at /metrics")
		// On the fake, whose inbox shows every code: loopback only, PORT only.
		err = serve.Run(log, "example", serve.Addr(func(k string) string {
			if k == "ADDR" {
				return ""
			}
			return os.Getenv(k)
		}, "8080", true), handler)
		shutdownMetrics(context.Background())
	}
	if err != nil {
		log.Error("example: " + err.Error())
		os.Exit(1)
	}
}
