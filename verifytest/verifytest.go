// Package verifytest checks that a verify.Provider behaves as the verify
// package expects. Every provider of this repository passes it: the fake
// directly; the MessageBird and Twilio adapters against their emulators
// (mbtest, twiliotest); otp over the fake's, MessageBird's and Twilio's
// Senders; and a Failover. Run it on your own provider the same way:
//
//	func TestConformance(t *testing.T) {
//		verifytest.TestProvider(t, func(t *testing.T) verifytest.Harness {
//			clock := ...
//			p := myprovider.New(...)
//			return verifytest.Harness{
//				Provider: p,
//				Code:     func(ver *verify.Verification) string { ... },
//				Advance:  clock.Advance,
//			}
//		})
//	}
package verifytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneverify/verify"
)

// Harness is a provider under test with the two powers the suite needs
// beyond the Provider interface.
type Harness struct {
	// Provider is the provider under test, fresh for each subtest.
	Provider verify.Provider
	// Code returns the code that was delivered for ver, as the user would
	// read it from their phone.
	Code func(ver *verify.Verification) string
	// Advance moves the provider's clock forward by d.
	Advance func(d time.Duration)
	// Stall, if set, makes the provider's next call hang without effect
	// until the caller's context ends, so that the suite can cancel a
	// call in flight (fake: StallNext; mbtest: a Delay fault). Without
	// it, only calls canceled before they start are checked.
	Stall func()
}

// Phone is the number the suite verifies, a valid Dutch mobile number.
const Phone = "+31612345678"

// Request returns a valid request for phone with the Verifier's defaults.
func Request(phone string) verify.Request {
	return verify.Request{
		Phone:       phone,
		Channel:     verify.Voice,
		TokenLength: 6,
		Voice:       verify.Female,
		Language:    "en-gb",
		Template:    "Your security code is %token.",
		Validity:    10 * time.Minute,
		MaxAttempts: 3,
	}
}

// TestProvider runs the conformance suite. newHarness is called once per
// subtest and must return a fresh provider with its own clock.
func TestProvider(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, h Harness)
	}{
		{"StartWrongThenRightCode", testStartWrongRight},
		{"SMS", testSMS},
		{"Expiry", testExpiry},
		{"MaxAttempts", testMaxAttempts},
		{"SingleUse", testSingleUse},
		{"UnknownID", testUnknownID},
		{"Status", testStatus},
		{"Cancel", testCancel},
		{"CanceledContext", testCanceledContext},
		{"CanceledInFlight", testCanceledInFlight},
		{"ConcurrentVerifications", testConcurrent},
		{"ConcurrentRightCodeOnce", testConcurrentSameCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if h.Provider == nil || h.Code == nil || h.Advance == nil {
				t.Fatal("verifytest: Harness needs Provider, Code and Advance")
			}
			tt.run(t, h)
		})
	}
}

func start(t *testing.T, h Harness, req verify.Request) (*verify.Verification, string) {
	t.Helper()
	ver, err := h.Provider.Start(context.Background(), req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if ver == nil || ver.ID == "" {
		t.Fatalf("Start returned %+v: want a verification with an id", ver)
	}
	code := h.Code(ver)
	if len(code) != req.TokenLength || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("delivered code %q: want %d digits", code, req.TokenLength)
	}
	return ver, code
}

// wrong returns a code of the same length that differs from code.
func wrong(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func wantErr(t *testing.T, what string, err error, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if errors.Is(err, target) {
			return
		}
	}
	t.Fatalf("%s: got error %v, want one matching %v", what, err, targets)
}

func testStartWrongRight(t *testing.T, h Harness) {
	ver, code := start(t, h, Request(Phone))
	if ver.Phone != Phone {
		t.Errorf("Start: Phone = %q, want %q", ver.Phone, Phone)
	}
	if ver.Channel != verify.Voice {
		t.Errorf("Start: Channel = %q, want %q", ver.Channel, verify.Voice)
	}
	if ver.Status != verify.StatusPending {
		t.Errorf("Start: Status = %q, want %q", ver.Status, verify.StatusPending)
	}
	if ver.CreatedAt.IsZero() || ver.ExpiresAt.Sub(ver.CreatedAt).Round(time.Second) != 10*time.Minute {
		t.Errorf("Start: CreatedAt %v, ExpiresAt %v: want 10 minutes apart", ver.CreatedAt, ver.ExpiresAt)
	}

	_, err := h.Provider.Check(context.Background(), ver.ID, wrong(code))
	wantErr(t, "Check with a wrong code", err, verify.ErrInvalidCode)

	got, err := h.Provider.Check(context.Background(), ver.ID, code)
	if err != nil {
		t.Fatalf("Check with the right code after a wrong one: %v", err)
	}
	if got.Status != verify.StatusVerified || got.ID != ver.ID || got.Phone != Phone {
		t.Fatalf("Check: got %+v, want verified %s for %s", got, ver.ID, Phone)
	}
}

func testSMS(t *testing.T, h Harness) {
	req := Request(Phone)
	req.Channel = verify.SMS
	req.TokenLength = 8
	ver, code := start(t, h, req)
	if ver.Channel != verify.SMS {
		t.Errorf("Start: Channel = %q, want %q", ver.Channel, verify.SMS)
	}
	if _, err := h.Provider.Check(context.Background(), ver.ID, code); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func testExpiry(t *testing.T, h Harness) {
	req := Request(Phone)
	req.Validity = time.Minute
	ver, code := start(t, h, req)
	h.Advance(59 * time.Second)
	_, err := h.Provider.Check(context.Background(), ver.ID, wrong(code))
	wantErr(t, "Check with a wrong code before expiry", err, verify.ErrInvalidCode)
	h.Advance(2 * time.Second)
	_, err = h.Provider.Check(context.Background(), ver.ID, code)
	wantErr(t, "Check with the right code after expiry", err, verify.ErrExpired)
}

func testMaxAttempts(t *testing.T, h Harness) {
	ver, code := start(t, h, Request(Phone)) // MaxAttempts 3
	for i := 1; i <= 2; i++ {
		_, err := h.Provider.Check(context.Background(), ver.ID, wrong(code))
		wantErr(t, fmt.Sprintf("wrong code %d of 3", i), err, verify.ErrInvalidCode)
	}
	_, err := h.Provider.Check(context.Background(), ver.ID, wrong(code))
	wantErr(t, "wrong code 3 of 3", err, verify.ErrTooManyAttempts)
	_, err = h.Provider.Check(context.Background(), ver.ID, code)
	wantErr(t, "right code after the attempts ran out", err, verify.ErrTooManyAttempts, verify.ErrExpired)
}

func testSingleUse(t *testing.T, h Harness) {
	ver, code := start(t, h, Request(Phone))
	if _, err := h.Provider.Check(context.Background(), ver.ID, code); err != nil {
		t.Fatalf("first Check: %v", err)
	}
	_, err := h.Provider.Check(context.Background(), ver.ID, code)
	wantErr(t, "second Check with the same code", err, verify.ErrExpired)
}

func testUnknownID(t *testing.T, h Harness) {
	const id = "0123456789abcdef0123456789abcdef"
	_, err := h.Provider.Check(context.Background(), id, "123456")
	wantErr(t, "Check on an unknown id", err, verify.ErrNotFound)
	if sp, ok := h.Provider.(verify.StatusProvider); ok {
		_, err := sp.Status(context.Background(), id)
		wantErr(t, "Status on an unknown id", err, verify.ErrNotFound)
	}
	if c, ok := h.Provider.(verify.Canceler); ok {
		wantErr(t, "Cancel on an unknown id", c.Cancel(context.Background(), id), verify.ErrNotFound)
	}
}

func testStatus(t *testing.T, h Harness) {
	sp, ok := h.Provider.(verify.StatusProvider)
	if !ok {
		t.Log("provider is not a verify.StatusProvider: nothing to check")
		return
	}
	status := func(id string) verify.Status {
		t.Helper()
		ver, err := sp.Status(context.Background(), id)
		if err != nil {
			t.Fatalf("Status: %v", err)
		}
		return ver.Status
	}
	ver, code := start(t, h, Request(Phone))
	if s := status(ver.ID); s != verify.StatusPending {
		t.Errorf("Status after Start = %q, want pending", s)
	}
	if _, err := h.Provider.Check(context.Background(), ver.ID, code); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if s := status(ver.ID); s != verify.StatusVerified {
		t.Errorf("Status after the right code = %q, want verified", s)
	}

	other, _ := start(t, h, Request(Phone))
	h.Advance(11 * time.Minute)
	if s := status(other.ID); s != verify.StatusExpired {
		t.Errorf("Status after the validity = %q, want expired", s)
	}
}

func testCancel(t *testing.T, h Harness) {
	c, ok := h.Provider.(verify.Canceler)
	if !ok {
		t.Log("provider is not a verify.Canceler: nothing to check")
		return
	}
	ver, code := start(t, h, Request(Phone))
	if err := c.Cancel(context.Background(), ver.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	_, err := h.Provider.Check(context.Background(), ver.ID, code)
	wantErr(t, "Check after Cancel", err, verify.ErrExpired, verify.ErrNotFound)
}

func testCanceledContext(t *testing.T, h Harness) {
	ver, code := start(t, h, Request(Phone))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.Provider.Start(ctx, Request(Phone))
	wantErr(t, "Start with a canceled context", err, context.Canceled)
	_, err = h.Provider.Check(ctx, ver.ID, code)
	wantErr(t, "Check with a canceled context", err, context.Canceled)
	// The canceled Check did not use up the code.
	if _, err := h.Provider.Check(context.Background(), ver.ID, code); err != nil {
		t.Fatalf("Check after the canceled one: %v", err)
	}
}

func testCanceledInFlight(t *testing.T, h Harness) {
	if h.Stall == nil {
		t.Log("Harness.Stall is not set: nothing to check")
		return
	}
	ver, code := start(t, h, Request(Phone))
	for name, call := range map[string]func(context.Context) error{
		"Start": func(ctx context.Context) error { _, err := h.Provider.Start(ctx, Request(Phone)); return err },
		"Check": func(ctx context.Context) error { _, err := h.Provider.Check(ctx, ver.ID, code); return err },
	} {
		h.Stall()
		ctx, cancel := context.WithCancel(context.Background())
		// The call is under way (or about to be) when the context ends;
		// either way it must return the context's error, not hang.
		stop := time.AfterFunc(20*time.Millisecond, cancel)
		err := call(ctx)
		stop.Stop()
		cancel()
		wantErr(t, name+" canceled in flight", err, context.Canceled)
	}
	// The canceled calls changed nothing: the code still works. A call
	// canceled before it reached the provider (a loaded machine) leaves
	// its stall armed for the next call: each try has a bound, so that a
	// leftover stall costs a try, not the test.
	var err error
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = h.Provider.Check(ctx, ver.ID, code)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			break
		}
	}
	if err != nil {
		t.Fatalf("Check after the calls canceled in flight: %v", err)
	}
}

func testConcurrent(t *testing.T, h Harness) {
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			phone := fmt.Sprintf("+316123456%02d", i)
			ver, err := h.Provider.Start(context.Background(), Request(phone))
			if err != nil {
				errs <- fmt.Errorf("start %s: %w", phone, err)
				return
			}
			got, err := h.Provider.Check(context.Background(), ver.ID, h.Code(ver))
			if err != nil {
				errs <- fmt.Errorf("check %s: %w", phone, err)
				return
			}
			if got.Phone != phone || got.Status != verify.StatusVerified {
				errs <- fmt.Errorf("check %s: got %+v", phone, got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testConcurrentSameCode(t *testing.T, h Harness) {
	ver, code := start(t, h, Request(Phone))
	const n = 8
	var wg sync.WaitGroup
	results := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := h.Provider.Check(context.Background(), ver.ID, code)
			results <- err
		})
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, verify.ErrExpired):
		default:
			t.Errorf("concurrent Check: %v, want success or ErrExpired", err)
		}
	}
	if ok != 1 {
		t.Fatalf("the right code submitted %d times at once succeeded %d times, want exactly once", n, ok)
	}
}
