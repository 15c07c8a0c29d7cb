// Command webapp serves the classic three-page phone verification: enter
// your number, enter the code you heard, you are verified.
//
//	go run ./examples/webapp
//
// then open http://localhost:8080. Without MESSAGEBIRD_ACCESS_KEY it runs
// on the fake provider: nobody is called, each code is printed in the
// terminal, and the fake's inbox is served at /dev/inbox. Since the inbox
// shows every code, the app then listens on 127.0.0.1 only, unless ADDR
// says otherwise.
//
// /dev/stats shows, for the last hour, the codes sent, the verifications
// completed and their share (the conversion) per country and channel,
// with a bar chart, the refusals by reason, and the provider calls'
// average and slowest time; a country with many codes sent and almost
// none verified, the mark of SMS pumping, is flagged. It is built on a
// verify.Observer alone (stats.go) and counts what this process saw. It is on with the fake provider; with MessageBird, set
// VERIFY_DEV_STATS=1, and keep the page from the public (it shows your
// traffic, though no number and no code).
//
// Environment:
//
//	PORT                    port to listen on (default 8080)
//	ADDR                    address to listen on, host and port, such as ":8080" for
//	                        every interface; default: 127.0.0.1 and PORT on the fake
//	                        provider, every interface and PORT on MessageBird
//	VERIFY_SECRET           at least 32 bytes sealing the state cookie; default:
//	                        a random one, so sessions end when the program restarts
//	VERIFY_REGION           region for numbers typed without country code, such as NL
//	MESSAGEBIRD_ACCESS_KEY  call and text for real through MessageBird
//	MESSAGEBIRD_ENDPOINT    another base URL for MessageBird's API, such as an emulator's
//	VERIFY_DEV_STATS        1 serves /dev/stats with MessageBird too
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/messagebird"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("webapp: " + err.Error())
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	provider, inbox, err := chooseProvider(log)
	if err != nil {
		return err
	}
	secret, err := loadSecret(log)
	if err != nil {
		return err
	}
	handler, err := newHandler(log, provider, inbox, secret)
	if err != nil {
		return err
	}

	srv := &http.Server{
		Addr:              listenAddr(inbox != nil),
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) // PORT may be 0
	log.Info("webapp: open http://localhost:" + port)
	if inbox != nil {
		log.Info("webapp: running on the fake provider: codes are printed here and listed at http://localhost:" + port + "/dev/inbox")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if errors.Is(err, context.DeadlineExceeded) {
		// A browser keeps connections open that it may never use.
		err = srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// listenAddr returns the address to listen on: ADDR, or PORT (default
// 8080) on 127.0.0.1 when local is set (the fake provider, whose inbox
// must not be served to the network), on every interface otherwise.
func listenAddr(local bool) string {
	if addr := os.Getenv("ADDR"); addr != "" {
		return addr
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	host := ""
	if local {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// newHandler returns the app: the verification pages at /, and the fake's
// inbox, when there is one, at /dev/inbox; the stats at /dev/stats on the
// fake provider, or when VERIFY_DEV_STATS is 1.
func newHandler(log *slog.Logger, provider verify.Provider, inbox http.Handler, secret []byte) (http.Handler, error) {
	var opts []verify.Option
	if region := os.Getenv("VERIFY_REGION"); region != "" {
		opts = append(opts, verify.WithDefaultRegion(region))
	}
	var st *stats
	if inbox != nil || os.Getenv("VERIFY_DEV_STATS") == "1" {
		st = newStats(time.Now)
		opts = append(opts, verify.WithObserver(st))
	}
	v, err := verify.New(provider, append(opts, verify.WithLogger(log))...)
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
		mux.Handle("/dev/inbox", inbox)
	}
	if st != nil {
		mux.Handle("GET /dev/stats", st)
	}
	return mux, nil
}

// chooseProvider returns the provider the app verifies with: MessageBird
// when MESSAGEBIRD_ACCESS_KEY is set (at MESSAGEBIRD_ENDPOINT, when set,
// such as the mbtest emulator), otherwise the fake, which logs each code
// and comes with its inbox page.
func chooseProvider(log *slog.Logger) (verify.Provider, http.Handler, error) {
	if key := os.Getenv("MESSAGEBIRD_ACCESS_KEY"); key != "" {
		var opts []messagebird.Option
		if endpoint := os.Getenv("MESSAGEBIRD_ENDPOINT"); endpoint != "" {
			opts = append(opts, messagebird.WithEndpoint(endpoint))
		}
		p, err := messagebird.New(key, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("MESSAGEBIRD_ACCESS_KEY: %w", err)
		}
		log.Info("webapp: verifying through MessageBird: calls and texts are real, and paid for")
		return p, nil, nil
	}
	p := fake.New(fake.WithLogger(log))
	return p, p.Inbox(), nil
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
