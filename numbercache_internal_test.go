package verify

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNumberCache(t *testing.T) {
	var c numberCache
	// A number not cached is parsed; one that is not in E.164 form is refused.
	if p, region, ok := c.get("+31612345678"); !ok || p.e164 != "+31612345678" || region != "NL" || p.lineType != phonenumbers.MOBILE {
		t.Fatalf("get of an uncached number = %+v %q %v", p, region, ok)
	}
	for _, s := range []string{"", "0612345678", "+31 6 12345678", "+999123456"} {
		if _, _, ok := c.get(s); ok {
			t.Errorf("get(%q) accepted", s)
		}
	}
	// A cached number comes back as it was added, without parsing.
	p, err := parsePhone("+44 7400 123456", "")
	if err != nil {
		t.Fatal(err)
	}
	p.lineType = phonenumbers.VOIP // what only the cache can answer
	c.add(p, "GB")
	if got, region, ok := c.get(p.e164); !ok || got.lineType != phonenumbers.VOIP || region != "GB" {
		t.Fatalf("get of a cached number = %+v %q %v", got, region, ok)
	}
	// The cache stays bounded, and keeps what was added last.
	for i := range maxCachedNumbers + 100 {
		p, err := parsePhone(fmt.Sprintf("+3161%07d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		c.add(p, "NL")
		c.add(p, "NL") // adding again takes no more room
	}
	if n := len(c.m); n != maxCachedNumbers {
		t.Fatalf("cache holds %d numbers, want %d", n, maxCachedNumbers)
	}
	last := fmt.Sprintf("+3161%07d", maxCachedNumbers+99)
	if _, ok := c.m[last]; !ok {
		t.Fatalf("the number added last, %s, is not cached", last)
	}
}

// TestCheckReadsTheNumbersStarted checks that a Verifier keeps the number
// of each start it made, for its Checks' policy re-check, and that the
// re-check applies the Verifier's policy to what it reads there.
func TestCheckReadsTheNumbersStarted(t *testing.T) {
	p := &oneProvider{}
	v, err := New(p, WithAllowedRegions("NL"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31 6 12345678")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.numbers.m[ver.Phone]; !ok {
		t.Fatalf("the number started, %s, is not kept", ver.Phone)
	}
	// What the start parsed is what the check reads: a kept number said to
	// be of another region is refused by the policy.
	n := v.numbers.m[ver.Phone]
	v.numbers.m[ver.Phone] = parsedNumber{n.p, "GB"}
	if _, err := v.Check(ctx, ver.ID, "123456"); !errors.Is(err, ErrInvalidPhone) {
		t.Fatalf("Check of a number kept as British, with only NL allowed: %v, want ErrInvalidPhone", err)
	}
}

// oneProvider verifies whatever code it is given for the one number it
// started.
type oneProvider struct{ started *Verification }

func (p *oneProvider) Start(_ context.Context, req Request) (*Verification, error) {
	p.started = &Verification{ID: "v1", Phone: req.Phone, Channel: req.Channel, Status: StatusPending}
	return p.started, nil
}

func (p *oneProvider) Check(_ context.Context, id, _ string) (*Verification, error) {
	ver := *p.started
	ver.Status = StatusVerified
	return &ver, nil
}
