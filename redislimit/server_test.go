package redislimit_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// server is a redis-server process of a test's own, on a free loopback
// port, with persistence off. It is killed at the test's cleanup.
type server struct {
	addr string
	// Kill kills the server and waits for it to exit; calling it again
	// does nothing.
	Kill func()
}

// startRedis starts a redis-server for tb, with extra arguments if any.
// When the binary is missing the test is skipped, unless CI=true: there
// it must be installed (see .ci/run), and the test fails.
func startRedis(tb testing.TB, args ...string) *server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found in PATH (Debian: apt-get install redis-server)"
		if os.Getenv("CI") == "true" {
			require.FailNow(tb, msg)
		}
		tb.Skip(msg + "; skipping")
	}
	// Another process may take the free port between our check and
	// redis-server's bind: try a few ports.
	var lastErr error
	for range 5 {
		s, err := tryStart(tb, bin, args)
		if err == nil {
			return s
		}
		lastErr = err
	}
	require.NoError(tb, lastErr, "starting redis-server")
	return nil
}

func tryStart(tb testing.TB, bin string, args []string) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cmd := exec.Command(bin, append([]string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", tb.TempDir(),
		"--loglevel", "warning"}, args...)...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s := &server{
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Kill: sync.OnceFunc(func() {
			cmd.Process.Kill()
			<-exited
		}),
	}

	c := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("redis-server exited: %v", err)
		default:
		}
		if c.Ping(context.Background()).Err() == nil {
			break
		}
		if time.Now().After(deadline) {
			s.Kill()
			return nil, fmt.Errorf("redis-server on %s did not answer PING in time", s.addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Cleanup(s.Kill)
	return s, nil
}

// client returns a client for s, closed at tb's cleanup.
func (s *server) client(tb testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr})
	tb.Cleanup(func() { c.Close() })
	return c
}
