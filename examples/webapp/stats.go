package main

import (
	"cmp"
	"context"
	_ "embed"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/phoneverify/verify"
)

// The window of /dev/stats: the last hour, counted per minute.
const (
	statsSlot   = time.Minute
	statsWindow = 60 // slots
)

// A row is flagged as possible SMS pumping when it has at least
// pumpingStarts starts in the window and under pumpingConversion of them
// were verified: many codes sent, almost none typed back.
const (
	pumpingStarts     = 10
	pumpingConversion = 0.2
)

// stats is a verify.Observer that counts, per minute over the last hour,
// the codes sent, the verifications completed and the starts refused, by
// country and channel, the refusals by reason, and the calls each
// provider served; its handler serves them as /dev/stats. It keeps
// counts only: no id, no number.
type stats struct {
	now func() time.Time

	mu    sync.Mutex
	slots [statsWindow]statsSlotCounts // slot i holds the minute whose number mod statsWindow is i
}

// statsKey is a row of the page.
type statsKey struct {
	Region  string
	Channel verify.Channel
}

type statsCounts struct{ Starts, Verified, Refused int }

type statsSlotCounts struct {
	minute    int64 // minutes since the Unix epoch; 0 for a slot never used
	rows      map[statsKey]*statsCounts
	reasons   map[string]int // refusals of any call, by Event.Reason
	calls     statsCalls
	providers map[string]*StatsProvider // the calls made, by the provider that served them
}

// StatsProvider is one line of the providers table: what one provider
// served.
type StatsProvider struct {
	Name string // Event.Provider, "test numbers", or "?" when the provider did not say
	// Calls counts the provider's calls; Starts those of a start it
	// served, so that a code was sent; Failovers the providers a
	// verify.Failover passed over before it served (or failed last).
	Calls, Starts, Failovers int
	Total                    time.Duration
}

// Mean is the average time of the provider's calls.
func (p StatsProvider) Mean() time.Duration {
	if p.Calls == 0 {
		return 0
	}
	return p.Total / time.Duration(p.Calls)
}

// providerName is the name the providers table gives to what served e.
func providerName(e verify.Event) string {
	switch {
	case e.Provider != "":
		return e.Provider
	case e.Test:
		return "test numbers"
	}
	return "?"
}

// statsCalls sums the provider calls.
type statsCalls struct {
	N              int
	Total, Slowest time.Duration
}

// Mean is the average time of a provider call.
func (c statsCalls) Mean() time.Duration {
	if c.N == 0 {
		return 0
	}
	return c.Total / time.Duration(c.N)
}

func newStats(now func() time.Time) *stats {
	if now == nil {
		now = time.Now
	}
	return &stats{now: now}
}

// Observe counts e. It holds a mutex for a few map updates: cheap, and it
// never blocks for long.
func (s *stats) Observe(_ context.Context, e verify.Event) {
	key := statsKey{e.Region, e.Channel}
	if key.Region == "" {
		key.Region = "?" // the number did not parse
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	slot := s.slot(s.now())
	if e.Called {
		slot.calls.N++
		slot.calls.Total += e.Duration
		slot.calls.Slowest = max(slot.calls.Slowest, e.Duration)
		name := providerName(e)
		p := slot.providers[name]
		if p == nil {
			p = &StatsProvider{Name: name}
			slot.providers[name] = p
		}
		p.Calls++
		p.Total += e.Duration
		p.Failovers += e.Failovers
		if e.Op == verify.OpStart && e.Err == nil {
			p.Starts++
		}
	}
	row := func() *statsCounts {
		c := slot.rows[key]
		if c == nil {
			c = &statsCounts{}
			slot.rows[key] = c
		}
		return c
	}
	switch {
	case e.Refused():
		slot.reasons[e.Reason()]++
		if e.Op == verify.OpStart {
			row().Refused++
		}
	case e.Err != nil:
	case e.Op == verify.OpStart:
		row().Starts++
	case e.Op == verify.OpCheck:
		row().Verified++
	}
}

// slot returns the counts of the minute of t, emptied if they were an
// hour old; s.mu must be held.
func (s *stats) slot(t time.Time) *statsSlotCounts {
	minute := t.Unix() / int64(statsSlot/time.Second)
	slot := &s.slots[minute%statsWindow]
	if slot.minute != minute {
		*slot = statsSlotCounts{minute: minute, rows: map[statsKey]*statsCounts{}, reasons: map[string]int{},
			providers: map[string]*StatsProvider{}}
	}
	return slot
}

// StatsRow is one line of the page's table.
type StatsRow struct {
	statsKey
	statsCounts
	Conversion float64 // Verified/Starts, 0 without starts
	Pumping    bool    // many starts, almost none verified
}

// Percent is the conversion as a whole percentage.
func (r StatsRow) Percent() int { return int(r.Conversion*100 + 0.5) }

// StatsReason is one line of the refusals table.
type StatsReason struct {
	Reason  string // Event.Reason: a limit's name, a PhoneError's Code, or an outcome
	Count   int
	Meaning string // what Reason means, for the page's legend; "" when unknown
}

// reasonMeaning explains a refusal reason, as Event.Reason gives it, in a
// few words: the names of the Verifier's limits (with the option that
// sets each), the codes of a PhoneError, and the outcomes of the other
// refusals. It returns "" for a reason it does not know.
func reasonMeaning(reason string) string {
	switch reason {
	// The limits.
	case "resend_cooldown":
		return "another code to the same number, asked for too soon (WithResendCooldown)"
	case "number_limit":
		return "too many codes to one number (WithNumberLimit)"
	case "client_limit":
		return "too many starts by one client, such as one IP address (WithClientLimit)"
	case "network_limit":
		return "too many starts from one client network, an IPv6 /48 (WithClientNetworkLimit)"
	case "global_limit":
		return "too many starts in all (WithGlobalLimit)"
	case "pumping_guard":
		return "many codes to one block of numbers and few verified: suspected SMS pumping (WithPumpingGuard)"
	case "failure_throttle":
		return "too many wrong codes for the number in a row: checks must wait (WithFailureThrottle)"
	case "attempts":
		return "the verification's checks are used up (WithMaxAttempts)"
	// The codes of a PhoneError.
	case "empty":
		return "no number typed"
	case "characters":
		return "letters or other symbols in the number"
	case "country_code_missing":
		return "a number without country code, and no default region (WithDefaultRegion)"
	case "country_code":
		return "an unknown country code"
	case "too_short":
		return "too few digits for a number"
	case "too_long":
		return "too many digits for a number"
	case "area_code_missing":
		return "a number without its area code"
	case "length":
		return "a number of a length its country does not use"
	case "invalid":
		return "not a valid number in its country"
	case "line_type":
		return "a kind of number that is refused, such as premium rate (WithAnyLineType)"
	case "region":
		return "a country that is not accepted (WithAllowedRegions, WithDeniedRegions)"
	// The outcomes of other refusals.
	case "invalid_code":
		return "a malformed code: not 4 to 10 digits"
	case "not_found":
		return "a malformed verification id"
	case "unsupported":
		return "a channel the number cannot take, such as SMS to a fixed line"
	case "invalid_option":
		return "an option out of range in the call"
	case "unavailable":
		return "the limiter's store failed"
	case "rate_limited":
		return "a rate limit that gave no name"
	}
	return ""
}

// statsReport is what the page shows.
type statsReport struct {
	Rows                      []StatsRow
	Reasons                   []StatsReason
	Starts, Verified, Refused int
	Since, Until              time.Time
	Calls                     statsCalls
	Providers                 []StatsProvider
	Chart                     statsChart
}

// snapshot sums the slots of the last hour.
func (s *stats) snapshot() statsReport {
	now := s.now()
	oldest := now.Unix()/int64(statsSlot/time.Second) - statsWindow + 1
	rows := map[statsKey]*statsCounts{}
	reasons := map[string]int{}
	var calls statsCalls
	providers := map[string]*StatsProvider{}
	s.mu.Lock()
	for i := range s.slots {
		slot := &s.slots[i]
		if slot.minute < oldest || slot.rows == nil {
			continue
		}
		for k, c := range slot.rows {
			r := rows[k]
			if r == nil {
				r = &statsCounts{}
				rows[k] = r
			}
			r.Starts += c.Starts
			r.Verified += c.Verified
			r.Refused += c.Refused
		}
		for reason, n := range slot.reasons {
			reasons[reason] += n
		}
		calls.N += slot.calls.N
		calls.Total += slot.calls.Total
		calls.Slowest = max(calls.Slowest, slot.calls.Slowest)
		for name, p := range slot.providers {
			sum := providers[name]
			if sum == nil {
				sum = &StatsProvider{Name: name}
				providers[name] = sum
			}
			sum.Calls += p.Calls
			sum.Starts += p.Starts
			sum.Failovers += p.Failovers
			sum.Total += p.Total
		}
	}
	s.mu.Unlock()

	rep := statsReport{Since: now.Add(-statsWindow * statsSlot), Until: now, Calls: calls}
	for k, c := range rows {
		r := StatsRow{statsKey: k, statsCounts: *c}
		if r.Starts > 0 {
			r.Conversion = float64(r.Verified) / float64(r.Starts)
		}
		r.Pumping = r.Starts >= pumpingStarts && r.Conversion < pumpingConversion
		rep.Rows = append(rep.Rows, r)
		rep.Starts += r.Starts
		rep.Verified += r.Verified
		rep.Refused += r.Refused
	}
	slices.SortFunc(rep.Rows, func(a, b StatsRow) int {
		return cmp.Or(cmp.Compare(b.Starts+b.Refused, a.Starts+a.Refused), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Channel, b.Channel))
	})
	for reason, n := range reasons {
		rep.Reasons = append(rep.Reasons, StatsReason{reason, n, reasonMeaning(reason)})
	}
	slices.SortFunc(rep.Reasons, func(a, b StatsReason) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	for _, p := range providers {
		rep.Providers = append(rep.Providers, *p)
	}
	slices.SortFunc(rep.Providers, func(a, b StatsProvider) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Name, b.Name))
	})
	rep.Chart = chart(rep.Rows)
	return rep
}

// statsChart is the inline SVG bar chart: per row, a grey bar for the
// codes sent and a green one, over it, for those verified.
type statsChart struct {
	Width, Height int
	Bars          []statsBar
}

type statsBar struct {
	Y, TextY              int
	Label                 string
	StartsW, VerifiedW    int
	Starts, Verified, Pct int
	Pumping               bool
}

const (
	chartLabelW = 110
	chartBarW   = 400
	chartRowH   = 26
)

func chart(rows []StatsRow) statsChart {
	c := statsChart{Width: chartLabelW + chartBarW + 120, Height: chartRowH*len(rows) + 4}
	most := 1
	for _, r := range rows {
		most = max(most, r.Starts)
	}
	for i, r := range rows {
		c.Bars = append(c.Bars, statsBar{
			Y: i*chartRowH + 4, TextY: i*chartRowH + 20,
			Label:   r.Region + " " + string(r.Channel),
			StartsW: chartBarW * r.Starts / most, VerifiedW: chartBarW * r.Verified / most,
			Starts: r.Starts, Verified: r.Verified, Pct: r.Percent(), Pumping: r.Pumping,
		})
	}
	return c
}

//go:embed stats.html
var statsHTML string

var statsPage = template.Must(template.New("stats").Funcs(template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"ms": func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	},
}).Parse(statsHTML))

// ServeHTTP serves the page.
func (s *stats) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := statsPage.Execute(w, s.snapshot()); err != nil {
		http.Error(w, "cannot render the stats", http.StatusInternalServerError)
	}
}
