package messagebird

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTopLevelString(t *testing.T) {
	tests := []struct {
		json string
		want string // "" also for nil
	}{
		{`{"type":"tts"}`, "tts"},
		{` { "id" : "x" , "type" : "sms" } `, "sms"},
		{`{"messages":{"type":"nested"},"type":"flash"}`, "flash"},
		{`{"messages":{"type":"nested"}}`, ""},
		{`{"a":[1,{"type":"x"},"]"],"b":"\"type\":\"no\"","type":"tts"}`, "tts"},
		{`{"a":"type","type":"sms"}`, "sms"},
		{`{"recipient":31612345678,"reference":null,"ok":true,"type":"sms"}`, "sms"},
		{`{"type":null}`, ""},
		{`{"type":"sms","type":"tts"}`, "tts"},
		{`{"type":"sms","type":null}`, ""},
		{`{"type":1}`, ""},
		{`{"type":"t\"s"}`, ""},
		{`{"Type":"tts"}`, ""},
		{`{}`, ""},
		{`[]`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := string(topLevelString([]byte(tt.json), "type")); got != tt.want {
			t.Errorf("topLevelString(%s) = %q, want %q", tt.json, got, tt.want)
		}
		// It agrees with encoding/json on every valid input with a plain
		// string value.
		var v struct {
			Type any `json:"type"`
		}
		if json.Unmarshal([]byte(tt.json), &v) == nil && tt.want != "" && v.Type != tt.want {
			t.Errorf("%s: encoding/json reads %v", tt.json, v.Type)
		}
	}
}

func TestTopLevelStringAllocatesNothing(t *testing.T) {
	b := []byte(`{"id":"x","messages":{"href":"y"},"type":"tts","status":"sent"}`)
	if n := testing.AllocsPerRun(100, func() { verifyType(topLevelString(b, "type")) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}

// FuzzTopLevelString checks that the scan never panics, returns a part of
// its input, and agrees with encoding/json on valid objects.
func FuzzTopLevelString(f *testing.F) {
	f.Add(`{"id":"x","messages":{"href":"y"},"type":"tts","status":"sent"}`)
	f.Add(`{"a":[{"type":"n"}],"type":"sms"}`)
	f.Add(`{"type":"a\"b"}`)
	f.Fuzz(func(t *testing.T, s string) {
		got := topLevelString([]byte(s), "type")
		if got != nil && !strings.Contains(s, string(got)) {
			t.Fatalf("%q: got %q, not part of the input", s, got)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &m) != nil {
			return
		}
		raw, ok := m["type"]
		var want string
		if ok && !utf8.Valid(raw) {
			return // encoding/json replaces invalid UTF-8; the scan keeps the bytes
		}
		if ok && json.Unmarshal(raw, &want) == nil && !strings.Contains(string(raw), `\`) {
			if string(got) != want {
				t.Fatalf("%q: got %q, encoding/json reads %q", s, got, want)
			}
		} else if got != nil {
			t.Fatalf("%q: got %q, want nil", s, got)
		}
	})
}
