package fake_test

import (
	"context"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/verifytest"
	"github.com/stretchr/testify/require"
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
				require.NoError(t, err, "Start(%+v), want accepted", req)
				require.NotNil(t, ver, "Start(%+v), want accepted", req)
				code, ok := p.LastCode(req.Phone)
				require.True(t, ok, "no code sent")
				require.Len(t, code, req.TokenLength, "code sent")
			case *verify.PhoneError:
				pe := (*verify.PhoneError)(nil)
				require.ErrorAs(t, err, &pe, "Start(%q), want a PhoneError format", req.Phone)
				require.Equal(t, "format", pe.Code, "Start(%q), want a PhoneError format", req.Phone)
			default:
				require.ErrorIs(t, err, want, "Start(%+v)", req)
			}
			if tt.want != nil {
				require.Empty(t, p.Messages(), "a refused request recorded a message")
			}
		})
	}
}
