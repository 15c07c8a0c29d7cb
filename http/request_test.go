package http

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUserLanguages: a page's call is asked for in the page's language
// first, then the user's; an API call's in the user's alone; a request
// that names none names none, and the languages of q=0 and "*" are not
// passed on.
func TestUserLanguages(t *testing.T) {
	tests := []struct {
		header string
		api    bool
		want   []string
	}{
		{"", false, nil},
		{"", true, nil},
		{"de-CH, de;q=0.9, en;q=0.5", true, []string{"de-CH", "de", "en"}},
		{"de-CH, de;q=0.9, en;q=0.5", false, []string{"de-CH", "de-CH", "de", "en"}},
		{"en;q=0.5, nl", false, []string{"nl", "nl", "en"}},
		{"fr, *;q=0.1, es;q=0", true, []string{"fr"}},
		{"not a tag!!", false, nil},
		// Every language is passed on: the Verifier bounds how many it reads.
		{"de,fr,it,es,pt,pl,ro,ru,ja,ko", true, []string{"de", "fr", "it", "es", "pt", "pl", "ro", "ru", "ja", "ko"}},
		// Past maxAcceptLanguage bytes the header is not read, as for the page.
		{"nl;q=0.9," + strings.Repeat(" ", maxAcceptLanguage) + "de", true, []string{"nl"}},
	}
	h := &handler{locales: newTestTexts(t), clientIP: remoteIP}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", tt.header)
		q := h.newRequest(httptest.NewRecorder(), r)
		q.api = tt.api
		assert.Equal(t, tt.want, q.userLanguages(), "%q, api %v", tt.header, tt.api)
	}
}
