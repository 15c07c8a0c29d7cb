package verify_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		require.NoError(t, err)
		want, ok := countryLanguage[phonenumbers.GetRegionCodeForNumber(num)]
		if !ok {
			want = "en-gb"
		}
		for _, ch := range []verify.Channel{verify.Voice, verify.SMS} {
			ver, err := v.Start(ctx, phone, verify.WithChannel(ch))
			if err != nil && ch == verify.SMS {
				continue // a fixed-line example: texts cannot reach it
			}
			if !assert.NoError(t, err, "%s %s", region, phone) {
				continue
			}
			msgs := p.Messages()
			m := msgs[len(msgs)-1]
			assert.Equal(t, want, ver.Language, "%s %s %s: the Verification's language", region, phone, ch)
			assert.Equal(t, want, m.Language, "%s %s %s: the language the fake got", region, phone, ch)
			tested++
		}
	}
	// phonenumbers has an example for about 245 regions.
	assert.GreaterOrEqual(t, tested, 400, "starts tested")
	for region := range countryLanguage {
		assert.NotEmpty(t, exampleNumber(region), "the table's region %s has no example number", region)
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
		if !assert.NoError(t, err, "%s %q", tt.region, tt.user) {
			continue
		}
		assert.Equal(t, tt.want, ver.Language, "%s %q: the Verification's language", tt.region, tt.user)
		require.NotEmpty(t, p.Messages(), "%s %q: the fake got no message", tt.region, tt.user)
		assert.Equal(t, tt.want, p.Messages()[0].Language, "%s %q: the language the fake got", tt.region, tt.user)
	}
}

func TestObserverSeesTheChosenLanguage(t *testing.T) {
	r := &recorder{}
	v := newVerifier(t, fake.New(), verify.WithObserver(r))
	_, err := v.Start(context.Background(), "+34612345678", verify.WithUserLanguage("es-AR"))
	require.NoError(t, err)
	ev := r.take()
	require.Len(t, ev, 1, "events: want one start")
	assert.Equal(t, "es-mx", ev[0].Language, "the start's language")
}

func TestWithLanguageFixesTheLanguage(t *testing.T) {
	ctx := context.Background()
	s := &spy{}
	v := newVerifier(t, s, verify.WithLanguage("pl-PL"))
	ver, err := v.Start(ctx, "+31612345678", verify.WithUserLanguage("de"))
	require.NoError(t, err)
	assert.Equal(t, "pl-pl", ver.Language, "New's WithLanguage: the Verification's language")
	assert.Equal(t, "pl-pl", s.lastReq.Language, "New's WithLanguage: the request's language")
	assert.True(t, strings.HasPrefix(s.lastReq.Template, "Dzień dobry."), "New's WithLanguage: template %q", s.lastReq.Template)
	ver, err = v.Start(ctx, "+31612345678", verify.WithLanguage("it-it"), verify.WithChannel(verify.SMS))
	require.NoError(t, err)
	assert.Equal(t, "it-it", ver.Language, "Start's WithLanguage")
	assert.True(t, strings.HasPrefix(s.lastReq.Template, "Il tuo codice"), "Start's WithLanguage: template %q", s.lastReq.Template)
}

func TestWithTemplateWins(t *testing.T) {
	ctx := context.Background()
	s := &spy{}
	// The Verifier cannot tell the template's language: it does not let a
	// Dutch voice read it.
	v := newVerifier(t, s, verify.WithTemplate("Code %token"))
	ver, err := v.Start(ctx, "+31612345678", verify.WithUserLanguage("de"))
	require.NoError(t, err)
	assert.Equal(t, "en-gb", ver.Language, "template alone: the language")
	assert.Equal(t, "Code %token", s.lastReq.Template, "template alone: the template")
	ver, err = v.Start(ctx, "+31612345678", verify.WithLanguage("nl-nl"), verify.WithTemplate("Uw code: %token"))
	require.NoError(t, err)
	assert.Equal(t, "nl-nl", ver.Language, "template and language: the language")
	assert.Equal(t, "Uw code: %token", s.lastReq.Template, "template and language: the template")
}

func TestWithWebOrigin(t *testing.T) {
	ctx := context.Background()
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p, verify.WithWebOrigin("https://Example.com/"))
	_, err := v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS))
	require.NoError(t, err)
	_, err = v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	_, err = v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS), verify.WithLanguage("en-gb"),
		verify.WithTemplate("Code %token"), verify.WithWebOrigin("https://login.example.org"))
	require.NoError(t, err)
	_, err = v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS), verify.WithWebOrigin(""))
	require.NoError(t, err)
	msgs := p.Messages()
	for i, want := range []string{
		"Je verificatiecode is 123456. Deel deze code met niemand.\n\n@example.com #123456",
		"Hallo. Je verificatiecode is 123456. Nogmaals: 123456. Deel deze code met niemand.", // calls are not changed
		"Code 123456\n\n@login.example.org #123456",
		"Je verificatiecode is 123456. Deel deze code met niemand.",
	} {
		assert.Equal(t, want, msgs[i].Text, "message %d", i)
	}

	for _, bad := range []string{
		"http://example.com", "https://example.com:8443", "https://example.com/login", "https://example.com?x",
		"https://example.com#x", "https://user@example.com", "https://192.0.2.1", "https://[::1]", "example.com",
		"https://", "https://exa_mple.com", "https://bücher.example", "https://example..com", "https://.example.com",
		"//example.com", "https:example.com",
	} {
		_, err := verify.New(fake.New(), verify.WithWebOrigin(bad))
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "WithWebOrigin(%q)", bad)
		assert.ErrorContains(t, err, "WithWebOrigin", "WithWebOrigin(%q): the error names the option", bad)
	}
	long := strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + ".com"
	_, err = verify.New(fake.New(), verify.WithWebOrigin("https://"+long), verify.WithTemplate(strings.Repeat("x", 300)+"%token"))
	assert.ErrorIs(t, err, verify.ErrInvalidOption, "template too long with the origin line")
	assert.ErrorContains(t, err, "WithTemplate", "template too long with the origin line: the error names the option")
}
