package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/phoneverify/verify/messagebird/mbtest"
	"github.com/phoneverify/verify/twilio/twiliotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestCLI(t *testing.T) {
	s := mbtest.NewServer(mbtest.WithCode("123456"))
	t.Cleanup(s.Close)
	withKey := env(map[string]string{"MESSAGEBIRD_ACCESS_KEY": mbtest.AccessKey})
	tests := []struct {
		name       string
		args       []string
		env        func(string) string
		stdin      string
		wantStatus int
		wantOut    string // in stdout
		wantErr    string // in stderr
	}{
		{"no key", []string{"+31612345678"}, env(nil), "", 2, "", "Developers > API access"},
		{"no number", []string{}, withKey, "", 2, "", "usage:"},
		{"verified after a wrong code", []string{"-endpoint", s.URL, "+31612345678"}, withKey, "654321\n123 456\n", 0,
			"Calling +31******678. The code is valid until", ""},
		{"sms, national number", []string{"-endpoint", s.URL, "-sms", "-region", "NL", "06", "12345678"}, withKey, "123456\n", 0,
			"Texting +31******678", ""},
		{"no code", []string{"-endpoint", s.URL, "+31612345678"}, withKey, "", 1, "Code: ", "no code entered"},
		{"bad number", []string{"-endpoint", s.URL, "12"}, withKey, "", 1, "", "could not start"},
		{"bad key", []string{"-endpoint", s.URL, "+31612345678"}, env(map[string]string{"MESSAGEBIRD_ACCESS_KEY": "live_wrong"}), "", 1, "",
			"access key was refused"},
		{"no such provider", []string{"-provider", "carrier-pigeon", "+31612345678"}, withKey, "", 2, "", `want messagebird, twilio or fake`},
		{"twilio without its variables", []string{"-provider", "twilio", "+31612345678"}, withKey, "", 2, "", "TWILIO_VERIFY_SERVICE_SID must be set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(context.Background(), tt.args, tt.env, strings.NewReader(tt.stdin), &stdout, &stderr)
			require.Equal(t, tt.wantStatus, status, "status; stdout %q, stderr %q", stdout.String(), stderr.String())
			require.Contains(t, stdout.String(), tt.wantOut, "stdout")
			require.Contains(t, stderr.String(), tt.wantErr, "stderr")
			if tt.wantStatus == 0 {
				assert.Contains(t, stdout.String(), "Verified: +31612345678", "stdout does not report the verified number")
			}
		})
	}
	if m := s.Messages(); assert.GreaterOrEqual(t, len(m), 2, "emulator messages %+v, want a call then a text", m) {
		assert.Equal(t, "tts", m[0].Type, "the first emulator message, want a call")
		assert.Equal(t, "sms", m[1].Type, "the second emulator message, want a text")
	}
}

// TestCLIFake runs on the fake provider, typing the code it logs.
func TestCLIFake(t *testing.T) {
	logR, logW := io.Pipe()
	stdinR, stdinW := io.Pipe()
	go func() {
		// The fake logs "code=NNNNNN"; type it back.
		buf := make([]byte, 4096)
		var seen []byte
		re := regexp.MustCompile(`code=(\d+)`)
		for {
			n, err := logR.Read(buf)
			seen = append(seen, buf[:n]...)
			if m := re.FindSubmatch(seen); m != nil {
				io.WriteString(stdinW, string(m[1])+"\n")
				io.Copy(io.Discard, logR)
				return
			}
			if err != nil {
				stdinW.Close()
				return
			}
		}
	}()
	var stdout bytes.Buffer
	status := run(context.Background(), []string{"-fake", "+31612345678"}, env(nil), stdinR, &stdout, logW)
	logW.Close()
	require.Equal(t, 0, status, "status; stdout %q", stdout.String())
	require.Contains(t, stdout.String(), "Verified: +31612345678", "stdout")
}

// TestCLITwilio verifies through Twilio's Verify API, on its emulator.
func TestCLITwilio(t *testing.T) {
	s := twiliotest.NewServer(twiliotest.WithCode("123456"))
	t.Cleanup(s.Close)
	twilioEnv := env(map[string]string{"TWILIO_ACCOUNT_SID": twiliotest.AccountSID, "TWILIO_AUTH_TOKEN": twiliotest.AuthToken,
		"TWILIO_VERIFY_SERVICE_SID": twiliotest.ServiceSID})
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"-provider", "twilio", "-endpoint", s.URL, "-sms", "+31612345678"}, twilioEnv,
		strings.NewReader("654321\n123456\n"), &stdout, &stderr)
	require.Equal(t, 0, status, "status; stdout %q, stderr %q", stdout.String(), stderr.String())
	require.Contains(t, stdout.String(), "That code is not right", "want verified after a wrong code")
	require.Contains(t, stdout.String(), "Verified: +31612345678", "want verified after a wrong code")
	if sent := s.Sent(); assert.Len(t, sent, 1, "emulator sent, want one text") {
		assert.Equal(t, "sms", sent[0].Channel, "emulator sent, want a text")
	}
}
