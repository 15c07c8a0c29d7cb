package http

import (
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestPageContentLength checks that a page says its length, so that it
// is not sent in chunks.
func TestPageContentLength(t *testing.T) {
	h := newBakeTestHandler(t)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Get("Content-Length"); w.Code != 200 || got != strconv.Itoa(w.Body.Len()) {
		t.Fatalf("status %d, Content-Length %q, body %d bytes", w.Code, got, w.Body.Len())
	}
}
