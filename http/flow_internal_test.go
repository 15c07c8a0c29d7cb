package http

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestUserLanguages(t *testing.T) {
	tests := []struct {
		header, page string
		want         []string
	}{
		{"", "en", nil},
		{"de-CH, de;q=0.9, en;q=0.5", "", []string{"de-CH", "de", "en"}},
		{"en;q=0.5, nl", "nl", []string{"nl", "nl", "en"}},
		{"fr, *;q=0.1, es;q=0", "", []string{"fr"}},
		{"not a tag!!", "", nil},
		{"de,fr,it,es,pt,pl,ro,ru,ja,ko", "", []string{"de", "fr", "it", "es", "pt", "pl", "ro", "ru"}},
		// Past maxAcceptLanguage bytes the header is not read, as for the page.
		{"nl;q=0.9," + strings.Repeat(" ", maxAcceptLanguage) + "de", "", []string{"nl"}},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", tt.header)
		if got := userLanguages(r, tt.page); !slices.Equal(got, tt.want) {
			t.Errorf("userLanguages(%q, %q) = %q, want %q", tt.header, tt.page, got, tt.want)
		}
	}
}

func TestLooksLikeCode(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"123456", true}, {"123 456", true}, {"12-34-56", true}, {"12345", false}, {"1234567", false},
		{"12345a", false}, {"", false}, {"１２３４５６", false},
		{"987\t650", true}, {"999999", true}, {"12345:", false}, // a tab, the digit 9, the character after it
	}
	for _, tt := range tests {
		if got := looksLikeCode(tt.code, 6); got != tt.want {
			t.Errorf("looksLikeCode(%q, 6) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
