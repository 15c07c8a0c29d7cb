package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/messagebird/mbtest"
)

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// row is a line of the page's table, as the page shows it.
type row struct {
	starts, verified, refused, conversion string
	pumping                               bool
}

var rowRE = regexp.MustCompile(`<tr data-region="([^"]*)" data-channel="([^"]*)"( class="pumping")?><td>[^<]*</td><td>[^<]*</td><td class="starts">(\d+)</td><td class="verified">(\d+)</td><td class="conversion">([^<]*)</td><td class="refused">(\d+)</td></tr>`)
var reasonRE = regexp.MustCompile(`<tr data-reason="([^"]*)"><td><code>[^<]*</code></td><td class="count">(\d+)</td></tr>`)

// readPage returns the rows of the stats page, by "region channel", and
// its refusals by reason.
func readPage(t *testing.T, page string) (map[string]row, map[string]string) {
	t.Helper()
	rows := map[string]row{}
	for _, m := range rowRE.FindAllStringSubmatch(page, -1) {
		rows[m[1]+" "+m[2]] = row{m[4], m[5], m[7], m[6], m[3] != ""}
	}
	reasons := map[string]string{}
	for _, m := range reasonRE.FindAllStringSubmatch(page, -1) {
		reasons[m[1]] = m[2]
	}
	return rows, reasons
}

func render(t *testing.T, s *stats) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/dev/stats", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /dev/stats = %d", rec.Code)
	}
	return rec.Body.String()
}

func observe(s *stats, n int, e verify.Event) {
	for range n {
		s.Observe(context.Background(), e)
	}
}

func TestStatsCountsTheLastHour(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 30, 10, 0, 30, 0, time.UTC)}
	s := newStats(c.Now)
	gb := verify.Event{Op: verify.OpStart, Channel: verify.SMS, Region: "GB", Called: true}
	nl := verify.Event{Op: verify.OpStart, Channel: verify.Voice, Region: "NL", Called: true}
	observe(s, 12, gb) // pumping: 12 codes sent, 1 verified
	observe(s, 1, verify.Event{Op: verify.OpCheck, Channel: verify.SMS, Region: "GB", Called: true})
	observe(s, 4, nl) // real traffic: 3 of 4 verified
	observe(s, 3, verify.Event{Op: verify.OpCheck, Channel: verify.Voice, Region: "NL", Called: true})
	observe(s, 2, verify.Event{Op: verify.OpCheck, Err: verify.ErrInvalidCode, Called: true}) // wrong codes: not counted
	observe(s, 2, verify.Event{Op: verify.OpStart, Channel: verify.Voice, Region: "NL", Err: &verify.RateLimitError{Limit: "resend_cooldown"}, Limit: "resend_cooldown"})
	observe(s, 1, verify.Event{Op: verify.OpStart, Err: &verify.PhoneError{Code: "too_short"}})
	observe(s, 1, verify.Event{Op: verify.OpCheck, Err: verify.ErrInvalidCode})                                                  // malformed code: refused
	observe(s, 1, verify.Event{Op: verify.OpStart, Channel: verify.SMS, Region: "BE", Err: verify.ErrUnavailable, Called: true}) // no code sent: no row

	observe(s, 1, verify.Event{Op: verify.OpStatus, Called: true, Duration: 900 * time.Millisecond})
	page := render(t, s)
	// 12 + 1 + 4 + 3 + 2 calls and the outage, of no time, and the status of 900 ms.
	if want := `Provider calls <b id="calls">24</b> · average <b id="mean">37.5 ms</b> · slowest <b id="slowest">900.0 ms</b>`; !strings.Contains(page, want) {
		t.Errorf("the page lacks %s:\n%s", want, page)
	}
	rows, reasons := readPage(t, page)
	want := map[string]row{
		"GB sms":   {"12", "1", "0", "8 %", true},
		"NL voice": {"4", "3", "2", "75 %", false},
		"? ":       {"0", "0", "1", "–", false},
	}
	if len(rows) != len(want) {
		t.Errorf("rows %v, want %v", rows, want)
	}
	for k, w := range want {
		if rows[k] != w {
			t.Errorf("row %q = %+v, want %+v", k, rows[k], w)
		}
	}
	wantReasons := map[string]string{"resend_cooldown": "2", "too_short": "1", "invalid_code": "1"}
	if len(reasons) != len(wantReasons) {
		t.Errorf("reasons %v, want %v", reasons, wantReasons)
	}
	for k, w := range wantReasons {
		if reasons[k] != w {
			t.Errorf("reason %q = %s, want %s", k, reasons[k], w)
		}
	}

	// Half an hour later, more real traffic; an hour after the first
	// events, only that remains.
	c.Advance(30 * time.Minute)
	observe(s, 1, nl)
	if rows, _ := readPage(t, render(t, s)); rows["NL voice"].starts != "5" || rows["GB sms"].starts != "12" {
		t.Errorf("after 30 minutes: %v", rows)
	}
	c.Advance(30 * time.Minute)
	rows, reasons = readPage(t, render(t, s))
	if len(rows) != 1 || rows["NL voice"] != (row{"1", "0", "0", "0 %", false}) || len(reasons) != 0 {
		t.Errorf("an hour later: rows %v, reasons %v; want the last start only", rows, reasons)
	}
	c.Advance(2 * time.Hour)
	if page := render(t, s); !strings.Contains(page, "No verification in the last hour") {
		t.Errorf("three hours later the page still shows:\n%s", page)
	}
}

func TestStatsPageFlagsPumpingWithoutCDN(t *testing.T) {
	s := newStats(nil)
	observe(s, 30, verify.Event{Op: verify.OpStart, Channel: verify.SMS, Region: "GB", Called: true})
	observe(s, 10, verify.Event{Op: verify.OpStart, Channel: verify.Voice, Region: "NL", Called: true})
	observe(s, 9, verify.Event{Op: verify.OpCheck, Channel: verify.Voice, Region: "NL", Called: true})
	page := render(t, s)
	if !strings.Contains(page, `role="alert">Possible SMS pumping: GB by sms, 30 codes sent and 0 % verified.`) ||
		strings.Contains(page, "pumping: NL") {
		t.Errorf("the page does not flag GB alone:\n%s", page)
	}
	// The chart: inline SVG, one grey and one green bar per row, to scale.
	for _, want := range []string{
		`<svg id="chart"`,
		`<rect x="110" y="4" width="400" height="20" fill="#d1d9e0"/>`,  // GB: the most starts
		`<rect x="110" y="4" width="0" height="20" fill="#1a7f37"/>`,    // none verified
		`<rect x="110" y="30" width="133" height="20" fill="#d1d9e0"/>`, // NL: 10 of 30
		`<rect x="110" y="30" width="120" height="20" fill="#1a7f37"/>`, // 9 verified
		`<text x="0" y="20" fill="#cf222e">GB sms</text>`,               // flagged
		`9/10 (90 %)`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, page)
		}
	}
	if regexp.MustCompile(`(src|href)=|<script|@import|url\(`).MatchString(page) {
		t.Errorf("the page loads something from elsewhere:\n%s", page)
	}
}

// TestStatsPageOfTheApp runs verifications through the app's pages and
// reads them back on /dev/stats: on with the fake, off with MessageBird
// unless VERIFY_DEV_STATS=1.
func TestStatsPageOfTheApp(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Setenv("VERIFY_REGION", "")
	t.Setenv("VERIFY_DEV_STATS", "")
	p := fake.New(fake.WithCode("246810"))
	h, err := newHandler(log, p, p.Inbox(), []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	flow := func(phone, channel string, verify bool) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, err := c.PostForm(srv.URL+"/", url.Values{"phone": {phone}, "channel": {channel}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if verify {
			if res, err = c.PostForm(srv.URL+"/code", url.Values{"code": {"246810"}}); err != nil || res.Request.URL.Path != "/done" {
				t.Fatalf("check: %v, %v", res, err)
			}
			res.Body.Close()
		}
	}
	flow("+31 6 12345678", "voice", true)
	flow("+44 7400 123456", "sms", true)
	flow("+44 7400 654321", "sms", false)
	flow("+31 6 12345678", "voice", false) // resend cooldown
	flow("+31 900 1234567", "voice", false)

	res, err := http.Get(srv.URL + "/dev/stats")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /dev/stats: %v, %v", res, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	rows, reasons := readPage(t, string(body))
	want := map[string]row{
		"NL voice": {"1", "1", "2", "100 %", false},
		"GB sms":   {"2", "1", "0", "50 %", false},
	}
	if len(rows) != len(want) || rows["NL voice"] != want["NL voice"] || rows["GB sms"] != want["GB sms"] {
		t.Errorf("rows %v, want %v", rows, want)
	}
	if reasons["resend_cooldown"] != "1" || reasons["line_type"] != "1" || len(reasons) != 2 {
		t.Errorf("reasons %v", reasons)
	}

	// With MessageBird: off, unless asked for.
	mb := mbtest.NewServer()
	defer mb.Close()
	t.Setenv("MESSAGEBIRD_ACCESS_KEY", mbtest.AccessKey)
	t.Setenv("MESSAGEBIRD_ENDPOINT", mb.URL)
	for env, want := range map[string]int{"": http.StatusNotFound, "1": http.StatusOK} {
		t.Setenv("VERIFY_DEV_STATS", env)
		mp, inbox, err := chooseProvider(log, testSecret)
		if err != nil {
			t.Fatal(err)
		}
		h, err := newHandler(log, mp, inbox, []byte("0123456789abcdef0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/dev/stats", nil)
		req.Host = "localhost:8080"
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("MessageBird, VERIFY_DEV_STATS=%q: GET /dev/stats = %d, want %d", env, rec.Code, want)
		}
	}
}
