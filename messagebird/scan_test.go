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
		// Keys match as encoding/json matches a field: unescaped, then
		// case-insensitively.
		{`{"Type":"tts"}`, "tts"},
		{`{"TYPE":"sms"}`, "sms"},
		{`{"\u0074ype":"tts"}`, "tts"},
		{`{"\u0054YP\u0065":"sms"}`, "sms"},
		{`{"type":"sms","TYPE":"tts"}`, "tts"},
		{`{"TYPE":"sms","type":null}`, ""},
		{`{"typ":"sms"}`, ""},
		{`{"types":"sms"}`, ""},
		{`{"ty\"pe":"sms"}`, ""},
		{`{"t\u00ffpe":"sms"}`, ""},
		{`{"\ud800type":"sms"}`, ""},
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

func TestKeyMatches(t *testing.T) {
	tests := []struct {
		key, name string
		want      bool
	}{
		{"type", "type", true},
		{"TyPe", "type", true},
		{`\u0074ype`, "type", true},
		{`\/`, "/", true},
		{`a\nb`, "a\nb", true},
		{`\ud83d\ude00`, "😀", true},
		{`\ud83d`, "\uFFFD", true}, // a lone surrogate reads as U+FFFD
		{"\xff", "\uFFFD", true},   // so does invalid UTF-8
		{"ſtatus", "status", true}, // U+017F folds to s
		{"\u212Aey", "key", true},  // the Kelvin sign folds to k
		{"typ", "type", false},
		{"types", "type", false},
		{`\u00`, "type", false},
		{"", "type", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := keyMatches([]byte(tt.key), tt.name); got != tt.want {
			t.Errorf("keyMatches(%q, %q) = %v, want %v", tt.key, tt.name, got, tt.want)
		}
	}
}

func TestTopLevelStringAllocatesNothing(t *testing.T) {
	b := []byte(`{"id":"x","messages":{"href":"y"},"TYPE":"tts","status":"sent"}`)
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
	f.Add(`{"TYPE":"sms","Type":"tts"}`)
	f.Add(`{"\u0074yp\u0045":"tts"}`)
	f.Fuzz(func(t *testing.T, s string) {
		got := topLevelString([]byte(s), "type")
		if got != nil && !strings.Contains(s, string(got)) {
			t.Fatalf("%q: got %q, not part of the input", s, got)
		}
		// A struct field, which encoding/json matches case-insensitively.
		var v struct {
			Type json.RawMessage `json:"type"`
		}
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		raw, ok := v.Type, v.Type != nil
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
