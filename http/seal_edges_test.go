package http

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestSealLengthEdges: a state whose id, number and input have the most
// bytes a state keeps (128, 32, 64) seals and opens whole; one byte more
// in any is refused with errStateTooLong.
func TestSealLengthEdges(t *testing.T) {
	now := time.Now()
	s := mustSealer(t, keyA)
	longest := func() *state {
		st := testState(now)
		st.ID, st.Phone, st.Input = strings.Repeat("a", 128), "+"+strings.Repeat("1", 31), strings.Repeat("9", maxInput)
		return st
	}
	v, err := s.seal(longest(), purposeCookie)
	if err != nil {
		t.Fatalf("seal of the longest state: %v", err)
	}
	got, err := s.open(v, purposeCookie, now)
	if want := longest(); err != nil || got.ID != want.ID || got.Phone != want.Phone || got.Input != want.Input {
		t.Fatalf("open = %+v, %v; want %+v", got, err, want)
	}
	for name, grow := range map[string]func(*state){
		"id":    func(st *state) { st.ID += "a" },
		"phone": func(st *state) { st.Phone += "1" },
		"input": func(st *state) { st.Input += "9" },
	} {
		st := longest()
		grow(st)
		if _, err := s.seal(st, purposeCookie); !errors.Is(err, errStateTooLong) {
			t.Errorf("a byte more in the %s: seal = %v, want errStateTooLong", name, err)
		}
	}
}
