// Package serve runs the HTTP servers of the examples, so that each
// example's own file starts with what a reader wants to copy: the
// integration, not the serving and shutdown.
package serve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Run serves h on addr until the process is interrupted (SIGINT or
// SIGTERM), then closes every connection at once, so that the port is
// free for a restart. It logs "name: open http://localhost:PORT" once it
// listens (addr may name port 0, for any free port).
func Run(log *slog.Logger, name, addr string, h http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info(name + ": open http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done() // interrupted, or Run returned (stop)
		srv.Close()  // a browser's idle connections would hold a graceful Shutdown for seconds
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Addr returns the address to listen on: ADDR when set, else PORT (or
// port) on 127.0.0.1 when local is true, on every interface otherwise.
func Addr(getenv func(string) string, port string, local bool) string {
	if addr := getenv("ADDR"); addr != "" {
		return addr
	}
	if p := getenv("PORT"); p != "" {
		port = p
	}
	host := ""
	if local {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// IsLoopback reports whether addr (host:port, as given to net.Listen)
// listens on a loopback address only: "127.0.0.1:8080", "[::1]:0" or
// "localhost:8080", not ":8080", "0.0.0.0:8080" or a public name.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return isLoopbackHost(host)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LocalOnly serves h only to requests addressed to a loopback name
// (Host "localhost", "127.0.0.1", "[::1]", any port) and answers 404
// otherwise. Development pages that show codes use it: a page elsewhere
// that rebinds its own host name to 127.0.0.1 (DNS rebinding) sends its
// own Host header, and so cannot read them.
func LocalOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hp, _, err := net.SplitHostPort(host); err == nil {
			host = hp
		}
		if !isLoopbackHost(strings.Trim(host, "[]")) {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
