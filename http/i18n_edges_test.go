package http

import (
	"strings"
	"testing"
)

// TestDuration: a wait is said in seconds below two minutes, and in
// minutes, rounded up, from two minutes on.
func TestDuration(t *testing.T) {
	l := newTestTexts(t).localizer("en")
	for _, tt := range []struct {
		seconds int
		want    string
	}{{1, "1 second"}, {119, "119 seconds"}, {120, "2 minutes"}, {121, "3 minutes"}, {180, "3 minutes"}} {
		if got := l.duration(tt.seconds); got != tt.want {
			t.Errorf("duration(%d) = %q, want %q", tt.seconds, got, tt.want)
		}
	}
}

// TestLongAcceptLanguage: a header longer than is read still picks its
// first language, whatever tag the cut falls in: the cut ends at a comma.
func TestLongAcceptLanguage(t *testing.T) {
	tx := newTestTexts(t)
	for pad := range 12 {
		accept := "nl," + strings.Repeat(" ", pad)
		for len(accept) <= maxAcceptLanguage {
			accept += "fr-FR;q=0.5,"
		}
		if l := tx.localizer(accept); l.lang != "nl" {
			t.Errorf("a %d-byte header cut at %q: language %s, want nl", len(accept), accept[maxAcceptLanguage-12:maxAcceptLanguage], l.lang)
		}
	}
	// A header of exactly the length read is read whole: its last
	// language, the only one offered, is not cut off.
	accept := "sw,"
	for len(accept)+len("sw,nl;q=0.1") <= maxAcceptLanguage {
		accept += "sw,"
	}
	accept += strings.Repeat(" ", maxAcceptLanguage-len(accept)-len("nl;q=0.1")) + "nl;q=0.1"
	if l := tx.localizer(accept); len(accept) != maxAcceptLanguage || l.lang != "nl" {
		t.Errorf("a %d-byte header ending in nl: language %s, want nl", len(accept), l.lang)
	}
	if l := tx.localizer("nl" + strings.Repeat("x", maxAcceptLanguage)); l.lang != "en" {
		t.Errorf("a long header without a comma: language %s, want the default", l.lang)
	}
}

// TestPageTWrongArguments: T with fewer or more arguments than its text
// takes shows the text, with the printer's note where an argument is
// missing, and does not panic: a template's mistake shows on the page.
func TestPageTWrongArguments(t *testing.T) {
	p := &Page{loc: newTestTexts(t).localizer("en")}
	if got := string(p.T("code_lead_sms")); !strings.HasPrefix(got, "We sent a text with a code to %!s(MISSING)") {
		t.Errorf("T without its argument = %q", got)
	}
	if got := string(p.T("code_lead_sms", "+31 6", "extra")); !strings.HasPrefix(got, "We sent a text with a code to +31 6.") || !strings.Contains(got, "EXTRA") {
		t.Errorf("T with an extra argument = %q", got)
	}
}
