package fake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/verifytest"
)

// TestStartRangeEdges: Start refuses a request a real provider would
// refuse, with the error a caller branches on, and accepts one at each
// edge of the ranges: a "+" and at least two digits, one attempt, a
// token of 1 to 32 digits, any positive validity.
func TestStartRangeEdges(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*verify.Request)
		want   error // nil: accepted
	}{
		{"phone +12", func(r *verify.Request) { r.Phone = "+12" }, nil},
		{"phone +1", func(r *verify.Request) { r.Phone = "+1" }, &verify.PhoneError{}},
		{"phone +", func(r *verify.Request) { r.Phone = "+" }, &verify.PhoneError{}},
		{"phone letters", func(r *verify.Request) { r.Phone = "+3161234567a" }, &verify.PhoneError{}},
		{"sms", func(r *verify.Request) { r.Channel = verify.SMS }, nil},
		{"no channel", func(r *verify.Request) { r.Channel = "" }, verify.ErrInvalidOption},
		{"validity 1ns", func(r *verify.Request) { r.Validity = 1 }, nil},
		{"validity 0", func(r *verify.Request) { r.Validity = 0 }, verify.ErrInvalidOption},
		{"validity negative", func(r *verify.Request) { r.Validity = -1 }, verify.ErrInvalidOption},
		{"one attempt", func(r *verify.Request) { r.MaxAttempts = 1 }, nil},
		{"no attempts", func(r *verify.Request) { r.MaxAttempts = 0 }, verify.ErrInvalidOption},
		{"token 1", func(r *verify.Request) { r.TokenLength = 1 }, nil},
		{"token 32", func(r *verify.Request) { r.TokenLength = 32 }, nil},
		{"token 0", func(r *verify.Request) { r.TokenLength = 0 }, verify.ErrInvalidOption},
		{"token 33", func(r *verify.Request) { r.TokenLength = 33 }, verify.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fake.New()
			req := verifytest.Request("+31612345678")
			tt.mutate(&req)
			ver, err := p.Start(context.Background(), req)
			switch want := tt.want.(type) {
			case nil:
				if err != nil || ver == nil {
					t.Fatalf("Start(%+v) = %v, want accepted", req, err)
				}
				if code, ok := p.LastCode(req.Phone); !ok || len(code) != req.TokenLength {
					t.Fatalf("code %q sent: %v, want %d digits", code, ok, req.TokenLength)
				}
			case *verify.PhoneError:
				if pe := (*verify.PhoneError)(nil); !errors.As(err, &pe) || pe.Code != "format" {
					t.Fatalf("Start(%q) = %v, want a PhoneError format", req.Phone, err)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("Start(%+v) = %v, want %v", req, err, want)
				}
			}
			if tt.want != nil && len(p.Messages()) != 0 {
				t.Fatalf("a refused request recorded a message")
			}
		})
	}
}
