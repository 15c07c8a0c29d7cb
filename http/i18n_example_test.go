package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
)

// Pages in the user's language: here German and Dutch only, German when
// the browser asks for neither, with one German text changed.
func ExampleWithMessages() {
	v, _ := verify.New(fake.New())
	h, err := verifyhttp.New(v,
		verifyhttp.WithSecret([]byte("an example secret of at least 32 bytes")),
		verifyhttp.WithLanguages("de", "nl"),
		verifyhttp.WithMessages("de", map[string]string{"phone_submit": "Code schicken"}))
	if err != nil {
		panic(err)
	}
	for _, accept := range []string{"nl-BE,nl;q=0.9", "fr-FR"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Language", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		_, lang, _ := strings.Cut(body, "<html ")
		lang, _, _ = strings.Cut(lang, ">")
		_, button, _ := strings.Cut(body, `<button type="submit">`)
		button, _, _ = strings.Cut(button, "</button>")
		fmt.Printf("%s: %s %q\n", accept, lang, button)
	}
	// Output:
	// nl-BE,nl;q=0.9: lang="nl-BE" dir="ltr" "Stuur me een code"
	// fr-FR: lang="de" dir="ltr" "Code schicken"
}
