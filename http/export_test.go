package http

import (
	"net/http"
	"time"
)

// SetClock makes h, a handler made by New, read the time from now.
func SetClock(h http.Handler, now func() time.Time) { h.(*handler).now = now }
