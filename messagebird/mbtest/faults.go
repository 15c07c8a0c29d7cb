package mbtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Fault is a failure the Server plays instead of (or before) its normal
// answer to one request. Queue faults with Inject.
type Fault struct {
	delay   time.Duration
	drop    bool
	process bool // before a drop
	status  int
	ctype   string
	body    string
	respond bool
	pad     int64  // spaces written before body
	path    string // the only path it plays on (see On); "" for any
}

// On returns f restricted to requests whose path is path or below it,
// such as "/voicemessages" or "/verify": requests to other paths pass it
// by, and it stays queued for the first request it matches. Faults
// without On play on any path.
func (f Fault) On(path string) Fault {
	f.path = strings.TrimSuffix(path, "/")
	return f
}

// matches reports whether f plays on a request to path.
func (f Fault) matches(path string) bool {
	return f.path == "" || path == f.path || strings.HasPrefix(path, f.path+"/")
}

// InternalError answers 500 with MessageBird's code 99 error body.
func InternalError() Fault {
	return Reply(http.StatusInternalServerError, "application/json",
		`{"errors":[{"code":99,"description":"Internal error","parameter":null}]}`)
}

// BadGateway answers 502 with an HTML page, as a proxy in front of the
// API does.
func BadGateway() Fault {
	return Reply(http.StatusBadGateway, "text/html",
		"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
}

// MalformedJSON answers 200 with a truncated JSON body.
func MalformedJSON() Fault {
	return Reply(http.StatusOK, "application/json", `{"id":"0123456789abcdef0123456789abcdef","status":"se`)
}

// Drop closes the connection without answering, and without processing
// the request. Go's http.Transport sends a GET again by itself, once,
// when a connection it reused closes before any answer: that retry is
// then the next request (a messagebird.Provider's check is never resent).
func Drop() Fault { return Fault{drop: true} }

// DropAnswer processes the request as usual, then closes the connection
// without sending the answer: the request took effect (a right code
// verified, a verification created) but the client never learns it, as
// when a connection breaks on the way back. Go's http.Transport resends
// a GET after it as after Drop, but the resent request now finds the
// effect of the first.
func DropAnswer() Fault { return Fault{drop: true, process: true} }

// Delay waits d (real time) before answering normally. When the client
// gives up first, the request is not processed, as if it never arrived.
func Delay(d time.Duration) Fault { return Fault{delay: d} }

// Reply answers with status, content type and body as given, whatever the
// request was.
func Reply(status int, contentType, body string) Fault {
	return Fault{status: status, ctype: contentType, body: body, respond: true}
}

// LargeBody answers status with size bytes of white space and then
// MessageBird's code 10 error body ("The token is invalid."): valid JSON
// of any length, as a broken or hostile server could send. The white space
// is streamed, so the Server holds little of it in memory.
func LargeBody(status int, size int64) Fault {
	return Fault{status: status, ctype: "application/json", respond: true, pad: size,
		body: `{"errors":[{"code":10,"description":"The token is invalid.","parameter":"token"}]}`}
}

// Inject queues faults: each of the next requests plays one, in order
// (the first that matches its path, see On).
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, faults...)
	s.mu.Unlock()
}

// play plays f on one request; serve gives the normal answer.
func (f Fault) play(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter)) {
	if f.delay > 0 {
		t := time.NewTimer(f.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch {
	case f.drop:
		if f.process {
			serve(httptest.NewRecorder())
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
	case f.respond:
		w.Header().Set("Content-Type", f.ctype)
		w.WriteHeader(f.status)
		if f.pad > 0 {
			pad := strings.Repeat(" ", 32<<10)
			for n := f.pad; n > 0; n -= int64(len(pad)) {
				if _, err := io.WriteString(w, pad[:min(n, int64(len(pad)))]); err != nil {
					return // the client gave up
				}
			}
		}
		io.WriteString(w, f.body)
	default:
		serve(w)
	}
}
