package http_test

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
)

// The handlers mounted under /verify/ of an app, and a browser going
// through the three pages.
func Example() {
	p := fake.New(fake.WithCode("123456")) // in production: messagebird.New(key)
	v, err := verify.New(p)
	if err != nil {
		panic(err)
	}
	pages, err := verifyhttp.New(v,
		verifyhttp.WithSecret([]byte("an example secret of at least 32 bytes")),
		verifyhttp.WithOnVerified(func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
			fmt.Println("store on the user:", ver.Phone)
		}),
	)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/verify/", http.StripPrefix("/verify", pages))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	res, _ := browser.PostForm(srv.URL+"/verify/", url.Values{"phone": {"+31 6 12345678"}})
	res.Body.Close()
	fmt.Println(res.Request.URL.Path, res.StatusCode)
	res, _ = browser.PostForm(srv.URL+"/verify/code", url.Values{"code": {"123 456"}})
	res.Body.Close()
	fmt.Println(res.Request.URL.Path, res.StatusCode)
	// Output:
	// /verify/code 200
	// store on the user: +31612345678
	// /verify/done 200
}

// The JSON API, as a mobile app uses it.
func Example_api() {
	v, _ := verify.New(fake.New(fake.WithCode("123456")))
	h, _ := verifyhttp.New(v, verifyhttp.WithSecret([]byte("an example secret of at least 32 bytes")))
	srv := httptest.NewServer(h)
	defer srv.Close()

	post := func(path, body string) (int, []byte) {
		res, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	_, body := post("/api/start", `{"phone":"+31612345678","channel":"sms"}`)
	var started struct {
		Token       string `json:"token"`
		PhoneMasked string `json:"phone_masked"`
	}
	json.Unmarshal(body, &started)
	fmt.Println("texting", started.PhoneMasked)
	status, body := post("/api/check", `{"token":"`+started.Token+`","code":"000000"}`)
	fmt.Printf("%d %s", status, body)
	status, body = post("/api/check", `{"token":"`+started.Token+`","code":"123456"}`)
	fmt.Printf("%d %s", status, body)
	// Output:
	// texting +31 6 •••• 5678
	// 422 {"error":{"code":"invalid_code","message":"That code is not right. Check it and try again."}}
	// 200 {"verified":true,"phone":"+31612345678"}
}

// Translating: replace the templates that hold text, here the document's
// language and the error messages; the defaults fill in the rest.
func ExampleWithTemplates() {
	nl := template.Must(template.New("nl").Parse(`
{{define "lang"}}nl{{end}}
{{define "error_message"}}
{{- if eq .Code "invalid_phone"}}Dit nummer kan niet worden geverifieerd.
{{- else if eq .Code "invalid_code"}}Die code klopt niet.
{{- else}}{{.Message}}{{end}}
{{- end}}`))
	v, _ := verify.New(fake.New())
	h, err := verifyhttp.New(v,
		verifyhttp.WithSecret([]byte("an example secret of at least 32 bytes")),
		verifyhttp.WithTemplates(nl))
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("phone=123"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	// The failed POST is answered with a redirect back to the form, "./"
	// (Post/Redirect/Get), which shows the error sealed in the cookie.
	again := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range rec.Result().Cookies() {
		again.AddCookie(c)
	}
	page := httptest.NewRecorder()
	h.ServeHTTP(page, again)
	body := page.Body.String()
	fmt.Println(rec.Code, page.Code, strings.Contains(body, `<html lang="nl"`))
	_, alert, _ := strings.Cut(body, `role="alert">`)
	alert, _, _ = strings.Cut(alert, "</div>")
	fmt.Println(alert[strings.Index(alert, "<p>"):])
	// Output:
	// 303 422 true
	// <p>Dit nummer kan niet worden geverifieerd.</p>
}

// Counting why requests were refused, as a metric would: WithOnFailure's
// function receives each refusal before the handler answers it.
func ExampleWithOnFailure() {
	v, _ := verify.New(fake.New(), verify.WithAllowedRegions("NL"))
	h, err := verifyhttp.New(v,
		verifyhttp.WithSecret([]byte("an example secret of at least 32 bytes")),
		verifyhttp.WithOnFailure(func(r *http.Request, f *verifyhttp.Failure) {
			fmt.Println("refused:", f.Code, f.ReasonCode, f.Region, f.Status())
		}),
	)
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/start", strings.NewReader(`{"phone":"+44 7400 123456"}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// refused: invalid_phone region GB 422
}
