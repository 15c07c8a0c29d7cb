// Command webapp serves the classic three-page phone verification: enter
// your number, enter the code you heard, you are verified.
//
//	go run -C examples ./webapp
//
// then open http://localhost:8080. With MessageBird's or Twilio's
// credentials in the environment it calls and texts for real: through
// MessageBird's Verify API, then Twilio's Verify API, then, when both
// are down, codes the library makes itself (package otp) sent through
// MessageBird's SMS and Voice Messages APIs, each tried in turn
// (verify.Failover). Without credentials it runs on the fake provider: nobody is called, each code is printed in the
// terminal, and the fake's inbox is served at /dev/inbox. Since the inbox
// shows every code, the app then listens on loopback only (it refuses an
// ADDR beyond it), and the development pages answer only requests
// addressed to localhost. Its limits are relaxed for development; they
// live in memory, so a restart resets them.
//
// /dev/stats shows, for the last hour, the codes sent, the verifications
// completed and their share (the conversion) per country and channel,
// with a bar chart, the refusals by reason (the library's codes, such as
// resend_cooldown or too_short, with a legend), the provider calls'
// average and slowest time, and which provider served the calls, with
// the failovers; a country with many codes sent and almost none
// verified, the mark of SMS pumping, is flagged. It is built on a
// verify.Observer alone (stats.go) and counts what this process saw.
// It is on with the fake provider; with a real provider, set
// VERIFY_DEV_STATS=1. Like the inbox, it answers only requests addressed
// to localhost (it shows your traffic, though no number and no code).
//
// Environment:
//
//	PORT                    port to listen on (default 8080)
//	ADDR                    address to listen on, host and port, such as ":8080" for
//	                        every interface; default: 127.0.0.1 and PORT on the fake
//	                        provider (which takes loopback addresses only), every
//	                        interface and PORT on a real one
//	VERIFY_SECRET           at least 32 bytes sealing the state cookie and keying the
//	                        codes otp makes; default: a random one, so sessions end
//	                        when the program restarts
//	VERIFY_REGION           region for numbers typed without country code, such as NL
//	MESSAGEBIRD_ACCESS_KEY  call and text for real through MessageBird (Verify API,
//	                        and otp over its SMS and Voice Messages APIs)
//	MESSAGEBIRD_ENDPOINT    another base URL for MessageBird's API, such as an emulator's
//	TWILIO_ACCOUNT_SID,     call and text for real through Twilio's Verify API
//	TWILIO_AUTH_TOKEN,
//	TWILIO_VERIFY_SERVICE_SID
//	TWILIO_ENDPOINT         another base URL for Twilio's APIs, such as an emulator's
//	VERIFY_DEV_STATS        1 serves /dev/stats with a real provider too
package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/internal/serve"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/twilio"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("webapp: " + err.Error())
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	secret, err := loadSecret(log)
	if err != nil {
		return err
	}
	provider, inbox, err := chooseProvider(log, secret)
	if err != nil {
		return err
	}
	addr := serve.Addr(os.Getenv, "8080", inbox != nil)
	if inbox != nil && !serve.IsLoopback(addr) {
		return errNotLoopback
	}
	handler, err := newHandler(log, provider, inbox, secret)
	if err != nil {
		return err
	}
	if inbox != nil {
		log.Info("webapp: running on the fake provider: codes are printed here and listed at /dev/inbox")
	}
	return serve.Run(log, "webapp", addr, handler)
}

// errNotLoopback refuses to serve the fake's codes to the network.
var errNotLoopback = errors.New("neither MESSAGEBIRD_ACCESS_KEY nor TWILIO_ACCOUNT_SID is set, so the app would run on the fake provider, " +
	"which shows every code at /dev/inbox: it listens on loopback only. Set ADDR to a loopback address " +
	"such as 127.0.0.1:8080, or a provider's credentials")

// newHandler returns the app: the verification pages at /, and the fake's
// inbox, when there is one, at /dev/inbox; the stats at /dev/stats on the
// fake provider, or when VERIFY_DEV_STATS is 1. The development pages
// answer requests addressed to localhost only.
func newHandler(log *slog.Logger, provider verify.Provider, inbox http.Handler, secret []byte) (http.Handler, error) {
	opts := []verify.Option{verify.WithLogger(log)}
	if region := os.Getenv("VERIFY_REGION"); region != "" {
		opts = append(opts, verify.WithDefaultRegion(region))
	}
	if inbox != nil {
		// Development on the fake: a developer starts many verifications
		// from one address, to a few numbers.
		opts = append(opts, verify.WithClientLimit(1000, time.Hour), verify.WithNumberLimit(100, time.Hour), verify.WithPumpingGuard(1000, 10, time.Hour))
	}
	var st *stats
	if inbox != nil || os.Getenv("VERIFY_DEV_STATS") == "1" {
		st = newStats(time.Now)
		opts = append(opts, verify.WithObserver(st))
	}
	v, err := verify.New(provider, opts...)
	if err != nil {
		return nil, err
	}
	pages, err := verifyhttp.New(v,
		verifyhttp.WithSecret(secret),
		verifyhttp.WithLogger(log),
		verifyhttp.WithOnVerified(func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
			// A real app stores ver.Phone on its user here. Writing
			// nothing shows the success page.
			log.Info("webapp: number verified", "phone", verify.MaskPhone(ver.Phone))
		}),
	)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", pages)
	if inbox != nil {
		mux.Handle("/dev/inbox", serve.LocalOnly(inbox))
	}
	if st != nil {
		mux.Handle("GET /dev/stats", serve.LocalOnly(st))
	}
	return mux, nil
}

// chooseProvider returns the provider the app verifies with, and the
// fake's inbox when that is the fake. With credentials it is a
// verify.Failover of, in this order: MessageBird's Verify API
// (MESSAGEBIRD_ACCESS_KEY, at MESSAGEBIRD_ENDPOINT when set, such as the
// mbtest emulator), Twilio's Verify API (TWILIO_ACCOUNT_SID,
// TWILIO_AUTH_TOKEN and TWILIO_VERIFY_SERVICE_SID, at TWILIO_ENDPOINT
// when set), and codes made by the otp package, keyed with secret and sent
// through MessageBird's SMS and Voice Messages APIs (with
// MESSAGEBIRD_ACCESS_KEY). Without, it is the fake, which logs each code
// and comes with its inbox page.
func chooseProvider(log *slog.Logger, secret []byte) (verify.Provider, http.Handler, error) {
	var chain []verify.Provider
	mbKey := os.Getenv("MESSAGEBIRD_ACCESS_KEY")
	var mbOpts []messagebird.Option
	if endpoint := os.Getenv("MESSAGEBIRD_ENDPOINT"); endpoint != "" {
		mbOpts = append(mbOpts, messagebird.WithEndpoint(endpoint))
	}
	if mbKey != "" {
		p, err := messagebird.New(mbKey, mbOpts...)
		if err != nil {
			return nil, nil, fmt.Errorf("MESSAGEBIRD_ACCESS_KEY: %w", err)
		}
		chain = append(chain, p)
	}
	if sid := os.Getenv("TWILIO_ACCOUNT_SID"); sid != "" {
		var opts []twilio.Option
		if endpoint := os.Getenv("TWILIO_ENDPOINT"); endpoint != "" {
			opts = append(opts, twilio.WithEndpoint(endpoint))
		}
		p, err := twilio.New(sid, os.Getenv("TWILIO_AUTH_TOKEN"), os.Getenv("TWILIO_VERIFY_SERVICE_SID"), opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_VERIFY_SERVICE_SID: %w", err)
		}
		chain = append(chain, p)
	}
	if mbKey != "" {
		sender, err := messagebird.NewSender(mbKey, mbOpts...)
		if err != nil {
			return nil, nil, fmt.Errorf("MESSAGEBIRD_ACCESS_KEY: %w", err)
		}
		p, err := otp.New(sender, secret)
		if err != nil {
			return nil, nil, err
		}
		chain = append(chain, p)
	}
	if len(chain) == 0 {
		p := fake.New(fake.WithLogger(log))
		return p, p.Inbox(), nil
	}
	log.Info("webapp: verifying for real: calls and texts are sent, and paid for")
	return verify.Failover(chain[0], chain[1:]...), nil, nil
}

// loadSecret returns VERIFY_SECRET, or a random secret when it is unset.
func loadSecret(log *slog.Logger) ([]byte, error) {
	if s := os.Getenv("VERIFY_SECRET"); s != "" {
		if len(s) < 32 {
			return nil, fmt.Errorf("VERIFY_SECRET has %d bytes, needs at least 32 (try: openssl rand -base64 32)", len(s))
		}
		return []byte(s), nil
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	log.Info("webapp: VERIFY_SECRET is not set, using a random secret: verifications in progress will not survive a restart")
	return secret, nil
}
