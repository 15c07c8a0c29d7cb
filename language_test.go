package verify_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

// countryLanguage is the language a number's country gets when the user
// names none the provider speaks, as issue 8 lists it; every other region
// gets en-gb.
var countryLanguage = map[string]string{
	"NL": "nl-nl", "BE": "nl-nl",
	"DE": "de-de", "AT": "de-de", "CH": "de-de",
	"FR": "fr-fr", "LU": "fr-fr", "MC": "fr-fr",
	"ES": "es-es",
	"MX": "es-mx", "AR": "es-mx", "BO": "es-mx", "CL": "es-mx", "CO": "es-mx", "CR": "es-mx",
	"CU": "es-mx", "DO": "es-mx", "EC": "es-mx", "GT": "es-mx", "HN": "es-mx", "NI": "es-mx",
	"PA": "es-mx", "PE": "es-mx", "PR": "es-mx", "PY": "es-mx", "SV": "es-mx", "UY": "es-mx",
	"VE": "es-mx",
	"US": "en-us", "CA": "en-us",
	"GB": "en-gb", "IE": "en-gb",
	"AU": "en-au", "NZ": "en-au",
	"BR": "pt-br", "PT": "pt-br",
	"IT": "it-it",
	"PL": "pl-pl",
	"RO": "ro-ro", "MD": "ro-ro",
	"RU": "ru-ru", "BY": "ru-ru", "KZ": "ru-ru",
	"CN": "zh-cn",
	"JP": "ja-jp",
	"KR": "ko-kr",
	"IS": "is-is",
}

// exampleNumber returns phonenumbers' example mobile number of region in
// E.164 (a fixed-line one where there is no mobile example), or "".
func exampleNumber(region string) string {
	for _, t := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
		if num := phonenumbers.GetExampleNumberForType(region, t); num != nil {
			return phonenumbers.Format(num, phonenumbers.E164)
		}
	}
	return ""
}

func TestLanguageFollowsTheNumbersCountry(t *testing.T) {
	ctx := context.Background()
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p, verify.WithAnyLineType())
	tested := 0
	for _, region := range slices.Sorted(func(yield func(string) bool) {
		for r := range phonenumbers.GetSupportedRegions() {
			if !yield(r) {
				return
			}
		}
	}) {
		phone := exampleNumber(region)
		if phone == "" {
			continue
		}
		// Some regions share their numbers with another (CX and CC with
		// AU, VA with IT): the number's region is the one its number
		// belongs to.
		num, err := phonenumbers.Parse(phone, "")
		if err != nil {
			t.Fatal(err)
		}
		want, ok := countryLanguage[phonenumbers.GetRegionCodeForNumber(num)]
		if !ok {
			want = "en-gb"
		}
		for _, ch := range []verify.Channel{verify.Voice, verify.SMS} {
			ver, err := v.Start(ctx, phone, verify.WithChannel(ch))
			if err != nil {
				if ch == verify.SMS {
					continue // a fixed-line example: texts cannot reach it
				}
				t.Errorf("%s %s: %v", region, phone, err)
				continue
			}
			msgs := p.Messages()
			m := msgs[len(msgs)-1]
			if ver.Language != want || m.Language != want {
				t.Errorf("%s %s %s: language %q, fake got %q; want %q", region, phone, ch, ver.Language, m.Language, want)
			}
			tested++
		}
	}
	// phonenumbers has an example for about 245 regions.
	if tested < 400 {
		t.Errorf("only %d starts were tested", tested)
	}
	for region := range countryLanguage {
		if exampleNumber(region) == "" {
			t.Errorf("the table's region %s has no example number", region)
		}
	}
}

func TestLanguageFollowsTheUser(t *testing.T) {
	tests := []struct {
		region string   // of the number
		user   []string // WithUserLanguage
		want   string
	}{
		// A tag with a region: the closest language and region.
		{"NL", []string{"de-CH"}, "de-de"},
		{"ES", []string{"es-AR"}, "es-mx"},
		{"PT", []string{"pt-PT"}, "pt-br"},
		{"IN", []string{"en-IN"}, "en-gb"},
		{"CA", []string{"fr-CA"}, "fr-ca"},
		{"CA", []string{"fr-FR"}, "fr-fr"},
		{"US", []string{"es-US"}, "es-us"},
		{"NL", []string{"en-US"}, "en-us"},
		{"DE", []string{"nl-BE"}, "nl-nl"},
		{"US", []string{"zh-TW"}, "zh-cn"},
		// A tag without a region takes the number's.
		{"CA", []string{"fr"}, "fr-ca"},
		{"CA", []string{"en"}, "en-us"},
		{"CA", nil, "en-us"},
		{"CA", []string{"sv", "fr"}, "fr-ca"},
		{"AU", []string{"en"}, "en-au"},
		{"NZ", []string{"en"}, "en-au"},
		{"US", []string{"en"}, "en-us"},
		{"GB", []string{"en"}, "en-gb"},
		{"IN", []string{"en"}, "en-gb"},
		{"NL", []string{"en"}, "en-gb"},
		{"US", []string{"es"}, "es-us"},
		{"AR", []string{"es"}, "es-mx"},
		{"ES", []string{"es"}, "es-es"},
		{"BE", []string{"fr"}, "fr-fr"},
		{"PT", []string{"pt"}, "pt-br"},
		{"UA", []string{"ru"}, "ru-ru"},
		{"TW", []string{"zh"}, "zh-cn"},
		{"DE", []string{"it"}, "it-it"},
		{"JP", []string{"ko", "ja"}, "ko-kr"},
		// The first the provider speaks wins.
		{"NL", []string{"sv", "da", "de"}, "de-de"},
		{"NL", []string{"de", "nl"}, "de-de"},
		// None spoken: the number's country, else en-gb.
		{"NL", []string{"sv", "da"}, "nl-nl"},
		{"SE", []string{"sv"}, "en-gb"},
		{"UA", []string{"uk"}, "en-gb"},
		// Malformed tags and wildcards are skipped.
		{"NL", []string{"", "*", "und", "en;q=0.8", "!!", "it"}, "it-it"},
		{"NL", []string{strings.Repeat("x", 1000)}, "nl-nl"},
		// Only the first ten count.
		{"NL", append(slices.Repeat([]string{"sv"}, 10), "de"), "nl-nl"},
		{"NL", append(slices.Repeat([]string{"sv"}, 9), "de"), "de-de"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		p := fake.New()
		v := newVerifier(t, p)
		phone := exampleNumber(tt.region)
		ver, err := v.Start(ctx, phone, verify.WithUserLanguage(tt.user...))
		if err != nil {
			t.Errorf("%s %q: %v", tt.region, tt.user, err)
			continue
		}
		if ver.Language != tt.want || p.Messages()[0].Language != tt.want {
			t.Errorf("%s %q: language %q (fake: %q), want %q", tt.region, tt.user, ver.Language, p.Messages()[0].Language, tt.want)
		}
	}
}

func TestObserverSeesTheChosenLanguage(t *testing.T) {
	r := &recorder{}
	v := newVerifier(t, fake.New(), verify.WithObserver(r))
	if _, err := v.Start(context.Background(), "+34612345678", verify.WithUserLanguage("es-AR")); err != nil {
		t.Fatal(err)
	}
	if ev := r.take(); len(ev) != 1 || ev[0].Language != "es-mx" {
		t.Fatalf("events %+v, want one start in es-mx", ev)
	}
}

func TestWithLanguageFixesTheLanguage(t *testing.T) {
	ctx := context.Background()
	s := &spy{}
	v := newVerifier(t, s, verify.WithLanguage("pl-PL"))
	ver, err := v.Start(ctx, "+31612345678", verify.WithUserLanguage("de"))
	if err != nil {
		t.Fatal(err)
	}
	if ver.Language != "pl-pl" || s.lastReq.Language != "pl-pl" || !strings.HasPrefix(s.lastReq.Template, "Dzień dobry.") {
		t.Errorf("New's WithLanguage: %q, template %q", ver.Language, s.lastReq.Template)
	}
	ver, err = v.Start(ctx, "+31612345678", verify.WithLanguage("it-it"), verify.WithChannel(verify.SMS))
	if err != nil {
		t.Fatal(err)
	}
	if ver.Language != "it-it" || !strings.HasPrefix(s.lastReq.Template, "Il tuo codice") {
		t.Errorf("Start's WithLanguage: %q, template %q", ver.Language, s.lastReq.Template)
	}
}

func TestWithTemplateWins(t *testing.T) {
	ctx := context.Background()
	s := &spy{}
	// The Verifier cannot tell the template's language: it does not let a
	// Dutch voice read it.
	v := newVerifier(t, s, verify.WithTemplate("Code %token"))
	ver, err := v.Start(ctx, "+31612345678", verify.WithUserLanguage("de"))
	if err != nil {
		t.Fatal(err)
	}
	if ver.Language != "en-gb" || s.lastReq.Template != "Code %token" {
		t.Errorf("template alone: %q, %q; want en-gb, the template", ver.Language, s.lastReq.Template)
	}
	ver, err = v.Start(ctx, "+31612345678", verify.WithLanguage("nl-nl"), verify.WithTemplate("Uw code: %token"))
	if err != nil {
		t.Fatal(err)
	}
	if ver.Language != "nl-nl" || s.lastReq.Template != "Uw code: %token" {
		t.Errorf("template and language: %q, %q", ver.Language, s.lastReq.Template)
	}
}

func TestWithWebOrigin(t *testing.T) {
	ctx := context.Background()
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p, verify.WithWebOrigin("https://Example.com/"))
	if _, err := v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(ctx, "+31612345678"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS), verify.WithLanguage("en-gb"),
		verify.WithTemplate("Code %token"), verify.WithWebOrigin("https://login.example.org")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS), verify.WithWebOrigin("")); err != nil {
		t.Fatal(err)
	}
	msgs := p.Messages()
	for i, want := range []string{
		"Je verificatiecode is 123456. Deel deze code met niemand.\n\n@example.com #123456",
		"Hallo. Je verificatiecode is 123456. Nogmaals: 123456. Deel deze code met niemand.", // calls are not changed
		"Code 123456\n\n@login.example.org #123456",
		"Je verificatiecode is 123456. Deel deze code met niemand.",
	} {
		if msgs[i].Text != want {
			t.Errorf("message %d: %q, want %q", i, msgs[i].Text, want)
		}
	}

	for _, bad := range []string{
		"http://example.com", "https://example.com:8443", "https://example.com/login", "https://example.com?x",
		"https://example.com#x", "https://user@example.com", "https://192.0.2.1", "https://[::1]", "example.com",
		"https://", "https://exa_mple.com", "https://bücher.example", "https://example..com", "https://.example.com",
		"//example.com", "https:example.com",
	} {
		if _, err := verify.New(fake.New(), verify.WithWebOrigin(bad)); !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), "WithWebOrigin") {
			t.Errorf("WithWebOrigin(%q): %v, want ErrInvalidOption naming WithWebOrigin", bad, err)
		}
	}
	long := strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + ".com"
	_, err := verify.New(fake.New(), verify.WithWebOrigin("https://"+long), verify.WithTemplate(strings.Repeat("x", 300)+"%token"))
	if !errors.Is(err, verify.ErrInvalidOption) || !strings.Contains(err.Error(), "WithTemplate") {
		t.Errorf("template too long with the origin line: %v", err)
	}
}
