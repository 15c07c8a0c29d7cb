package mbtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
)

// Example tests an application's handling of an outage, then of an
// expired code.
func Example() {
	s := mbtest.NewServer()
	defer s.Close()
	p, _ := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	defer p.CloseIdleConnections()
	v, _ := verify.New(p, verify.WithValidity(time.Minute), verify.WithResendCooldown(0))
	ctx := context.Background()

	s.Inject(mbtest.BadGateway())
	_, err := v.Start(ctx, "+31612345678")
	fmt.Println("outage:", errors.Is(err, verify.ErrUnavailable))

	ver, _ := v.Start(ctx, "+31612345678")
	code, _ := s.Code(ver.ID)
	s.Advance(2 * time.Minute)
	_, err = v.Check(ctx, ver.ID, code)
	fmt.Println("late:", errors.Is(err, verify.ErrExpired))

	for _, r := range s.Requests() {
		fmt.Println(r.Method, strings.ReplaceAll(r.Path, ver.ID, "{id}"), r.RawQuery == "token="+code)
	}
	// Output:
	// outage: true
	// late: true
	// POST /verify false
	// POST /verify false
	// GET /verify/{id} true
}
