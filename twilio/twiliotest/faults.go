package twiliotest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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
	header  http.Header
	body    string
	respond bool
	pad     int64 // spaces written before body
}

// Error answers status with Twilio's JSON error body for code and
// message, as Twilio does for Fraud Guard, geo permissions and the rest.
func Error(status, code int, message string) Fault {
	return Reply(status, "application/json", fmt.Sprintf(`{"code":%d,"message":%q,"more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`,
		code, message, code, status))
}

// InternalError answers 500 with Twilio's code 20500.
func InternalError() Fault {
	return Error(http.StatusInternalServerError, 20500, "Internal Server Error")
}

// RateLimited answers 429 with code 20429 and a Retry-After header of
// retryAfter (whole seconds; none when zero).
func RateLimited(retryAfter time.Duration) Fault {
	f := Error(http.StatusTooManyRequests, 20429, "Too Many Requests")
	if retryAfter > 0 {
		f.header = http.Header{"Retry-After": {strconv.Itoa(int(retryAfter / time.Second))}}
	}
	return f
}

// BadGateway answers 502 with an HTML page, as a proxy in front of the
// API does.
func BadGateway() Fault {
	return Reply(http.StatusBadGateway, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\r\n")
}

// MalformedJSON answers 200 with a truncated JSON body.
func MalformedJSON() Fault {
	return Reply(http.StatusOK, "application/json", `{"sid":"VE00000000000000000000000000000001","status":"pend`)
}

// Drop closes the connection without answering and without processing
// the request.
func Drop() Fault { return Fault{drop: true} }

// DropAnswer processes the request as usual, then closes the connection
// without sending the answer: the request took effect (a right code
// approved, a verification started) but the client never learns it.
func DropAnswer() Fault { return Fault{drop: true, process: true} }

// Delay waits d (real time) before answering normally. When the client
// gives up first, the request is not processed.
func Delay(d time.Duration) Fault { return Fault{delay: d} }

// Reply answers with status, content type and body as given.
func Reply(status int, contentType, body string) Fault {
	return Fault{status: status, ctype: contentType, body: body, respond: true}
}

// LargeBody answers status with size bytes of white space and then a
// Twilio error body: valid JSON of any length, as a broken or hostile
// server could send. The white space is streamed.
func LargeBody(status int, size int64) Fault {
	f := Error(status, 20500, "Internal Server Error")
	f.pad = size
	return f
}

// Inject queues faults: each of the next requests plays one, in order.
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
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", f.ctype)
		w.WriteHeader(f.status)
		if f.pad > 0 {
			pad := strings.Repeat(" ", 32<<10)
			for n := f.pad; n > 0; n -= int64(len(pad)) {
				if _, err := io.WriteString(w, pad[:min(n, int64(len(pad)))]); err != nil {
					return
				}
			}
		}
		io.WriteString(w, f.body)
	default:
		serve(w)
	}
}
