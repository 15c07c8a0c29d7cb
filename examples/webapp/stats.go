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
// country and channel, and the refusals by reason; its handler serves them
// as /dev/stats. It keeps counts only: no id, no number.
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
	minute  int64 // minutes since the Unix epoch; 0 for a slot never used
	rows    map[statsKey]*statsCounts
	reasons map[string]int // refusals of any call, by Event.Reason
	calls   statsCalls
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
		*slot = statsSlotCounts{minute: minute, rows: map[statsKey]*statsCounts{}, reasons: map[string]int{}}
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
	Reason string
	Count  int
}

// statsReport is what the page shows.
type statsReport struct {
	Rows                      []StatsRow
	Reasons                   []StatsReason
	Starts, Verified, Refused int
	Since, Until              time.Time
	Calls                     statsCalls
	Chart                     statsChart
}

// snapshot sums the slots of the last hour.
func (s *stats) snapshot() statsReport {
	now := s.now()
	oldest := now.Unix()/int64(statsSlot/time.Second) - statsWindow + 1
	rows := map[statsKey]*statsCounts{}
	reasons := map[string]int{}
	var calls statsCalls
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
		rep.Reasons = append(rep.Reasons, StatsReason{reason, n})
	}
	slices.SortFunc(rep.Reasons, func(a, b StatsReason) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
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
