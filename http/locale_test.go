package http

import (
	"html/template"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phoneverify/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestTexts builds the languages of opts, failing the test on error.
func newTestTexts(t *testing.T, opts ...Option) *locales {
	t.Helper()
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	ls, err := newLocales(c.i18n)
	require.NoError(t, err)
	return ls
}

// picked is the locale a request gets, with the page's language.
type picked struct {
	*locale
	lang string
}

// forAccept returns the locale of a request whose Accept-Language header
// is accept.
func (ls *locales) forAccept(accept string) picked {
	l, lang := ls.pick(parseAcceptLanguage(accept))
	return picked{l, lang}
}

// sampleArgs returns arguments for a text with the verbs of want.
func sampleArgs(want string) []any {
	var args []any
	for i := 0; i+1 < len(want); i += 2 {
		if want[i+1] == 'd' {
			args = append(args, 6)
		} else {
			args = append(args, "X")
		}
	}
	return args
}

// TestBuiltinTexts checks that every built-in language has every text of
// the English catalog, no other, with the same arguments, and that each
// renders without a formatting error in the catalog.
func TestBuiltinTexts(t *testing.T) {
	english := DefaultMessages("en")
	ids := slices.Sorted(maps.Keys(allIDs(english)))
	tx := newTestTexts(t)
	for _, lang := range defaultLanguages {
		t.Run(lang, func(t *testing.T) {
			m := DefaultMessages(lang)
			require.NotNil(t, m, "no built-in texts")
			for key, text := range m {
				id, _, _ := strings.Cut(key, "#")
				assert.Truef(t, hasID(english, id), "%s: not an English id", key)
				err := checkVerbs(english, id, text)
				assert.NoErrorf(t, err, "%s: %v", key, err)
				assert.Equalf(t, text, strings.TrimSpace(text), "%s: %q is empty or has surrounding space", key, text)
				assert.NotEmptyf(t, text, "%s: %q is empty or has surrounding space", key, text)
			}
			l := tx.forAccept(lang)
			require.Equalf(t, lang, l.tag.String(), "Accept-Language %q gives %s", lang, l.tag)
			for _, id := range ids {
				if strings.HasPrefix(id, "region_") {
					continue // English names that need "the"
				}
				if !assert.Truef(t, hasID(m, id), "%s is missing", id) {
					continue
				}
				want := english[id]
				if isPluralID(english, id) {
					want = english[id+"#other"]
				}
				got := l.text(id, sampleArgs(verbs(want))...)
				assert.NotContainsf(t, got, "%!", "%s renders as %q", id, got)
				assert.NotEqualf(t, id, got, "%s renders as %q", id, got)
			}
		})
	}
}

// TestPlurals checks the plural forms of the numbers in words, which a
// rate-limit message and a resend refusal say.
func TestPlurals(t *testing.T) {
	tests := []struct {
		lang string
		id   string
		want map[int]string
	}{
		{"en", "n_seconds", map[int]string{0: "0 seconds", 1: "1 second", 2: "2 seconds", 21: "21 seconds"}},
		{"ru", "n_seconds", map[int]string{1: "1 секунду", 2: "2 секунды", 5: "5 секунд", 11: "11 секунд", 12: "12 секунд", 21: "21 секунду", 22: "22 секунды", 25: "25 секунд", 111: "111 секунд"}},
		{"ru", "n_minutes", map[int]string{1: "1 минуту", 2: "2 минуты", 5: "5 минут", 21: "21 минуту", 22: "22 минуты", 25: "25 минут"}},
		{"pl", "n_seconds", map[int]string{1: "1 sekundę", 2: "2 sekundy", 5: "5 sekund", 12: "12 sekund", 21: "21 sekund", 22: "22 sekundy", 25: "25 sekund"}},
		{"pl", "n_minutes", map[int]string{1: "1 minutę", 2: "2 minuty", 5: "5 minut", 21: "21 minut", 22: "22 minuty", 25: "25 minut"}},
		{"ro", "n_seconds", map[int]string{1: "1 secundă", 2: "2 secunde", 19: "19 secunde", 20: "20 de secunde", 101: "101 secunde"}},
		{"is", "n_minutes", map[int]string{1: "1 mínútu", 2: "2 mínútur", 11: "11 mínútur", 21: "21 mínútu"}},
		{"fr", "n_minutes", map[int]string{0: "0 minute", 1: "1 minute", 2: "2 minutes"}},
		{"ja", "n_seconds", map[int]string{1: "1秒", 27: "27秒"}},
		{"ro", "n_minutes", map[int]string{1: "1 minut", 2: "2 minute", 19: "19 minute", 20: "20 de minute", 59: "59 de minute", 101: "101 minute", 120: "120 de minute"}},
		{"is", "n_seconds", map[int]string{1: "1 sekúndu", 2: "2 sekúndur", 11: "11 sekúndur", 21: "21 sekúndu", 31: "31 sekúndu", 111: "111 sekúndur"}},
		{"de", "n_minutes", map[int]string{1: "1 Minute", 2: "2 Minuten", 21: "21 Minuten"}},
		{"pt-BR", "n_seconds", map[int]string{1: "1 segundo", 2: "2 segundos", 21: "21 segundos"}},
		{"pt-PT", "n_seconds", map[int]string{0: "0 segundos", 1: "1 segundo", 2: "2 segundos", 21: "21 segundos"}},
		{"pt-PT", "n_minutes", map[int]string{1: "1 minuto", 5: "5 minutos"}},
		{"zh-Hant", "n_seconds", map[int]string{1: "1 秒", 59: "59 秒"}},
		{"zh-Hant", "n_minutes", map[int]string{1: "1 分鐘", 2: "2 分鐘"}},
		{"ko", "n_minutes", map[int]string{1: "1분", 21: "21분"}},
	}
	tx := newTestTexts(t)
	for _, tt := range tests {
		l := tx.forAccept(tt.lang)
		for n, want := range tt.want {
			got := l.text(tt.id, n)
			assert.Equalf(t, want, got, "%s %s(%d) = %q, want %q", tt.lang, tt.id, n, got, want)
		}
	}
}

func TestNegotiation(t *testing.T) {
	tests := []struct {
		accept         string
		tag, lang, dir string
	}{
		{"", "en", "en", "ltr"},
		{"de-DE,de;q=0.9,en;q=0.8", "de", "de-DE", "ltr"},
		{"de-CH", "de", "de-CH", "ltr"},
		{"fr", "fr", "fr", "ltr"},
		{"en-GB,en;q=0.9", "en", "en-GB", "ltr"},
		{"en-IN", "en", "en-IN", "ltr"},
		{"nb-NO,nb;q=0.9", "en", "en", "ltr"},          // not offered: the default
		{"nb-NO,nb;q=0.9,de;q=0.5", "de", "de", "ltr"}, // the first offered one
		{"pt-PT", "pt-PT", "pt-PT", "ltr"},
		{"zh-CN,zh;q=0.9", "zh-Hans", "zh-Hans-CN", "ltr"},
		{"ja;q=0.2, ko;q=0.8", "ko", "ko", "ltr"},
		{"*", "en", "en", "ltr"},
		{"de;q=0, fr;q=0.5", "fr", "fr", "ltr"}, // q=0: not wanted
		{"garbage;;;q=x", "en", "en", "ltr"},
		{strings.Repeat("de-DE,", 200) + "fr", "de", "de-DE", "ltr"}, // cut at 512 bytes
	}
	tx := newTestTexts(t)
	for _, tt := range tests {
		l := tx.forAccept(tt.accept)
		assert.Equalf(t, tt.tag, l.tag.String(), "Accept-Language %.40q: catalog %s, lang %s, dir %s; want %s, %s, %s", tt.accept, l.tag, l.lang, l.dir, tt.tag, tt.lang, tt.dir)
		assert.Equalf(t, tt.lang, l.lang, "Accept-Language %.40q: catalog %s, lang %s, dir %s; want %s, %s, %s", tt.accept, l.tag, l.lang, l.dir, tt.tag, tt.lang, tt.dir)
		assert.Equalf(t, tt.dir, l.dir, "Accept-Language %.40q: catalog %s, lang %s, dir %s; want %s, %s, %s", tt.accept, l.tag, l.lang, l.dir, tt.tag, tt.lang, tt.dir)
	}
}

func TestWithLanguagesAndMessages(t *testing.T) {
	// Restricted: Dutch is not offered, so the first language answers.
	tx := newTestTexts(t, WithLanguages("de", "fr"))
	l := tx.forAccept("nl-NL,en;q=0.5")
	assert.Equalf(t, "de", l.tag.String(), "WithLanguages(de, fr), Accept-Language nl, en: got %s, want de", l.tag)

	// Overridden and added: an app's Swedish, and Arabic, right to left.
	tx = newTestTexts(t,
		WithMessages("en", map[string]string{"phone_submit": "Get my code", "n_seconds#one": "one second"}),
		WithMessages("sv", map[string]string{"phone_submit": "Skicka en kod", "n_seconds#one": "%d sekund", "n_seconds#other": "%d sekunder"}),
		WithMessages("ar", map[string]string{"phone_submit": "أرسل لي رمزًا"}),
		WithLanguages("en", "sv", "ar", "de"),
	)
	en := tx.forAccept("en")
	got := en.text("phone_submit")
	assert.Equalf(t, "Get my code", got, "overridden English: %q", got)
	got = en.text("n_seconds", 1)
	assert.Equalf(t, "one second", got, "overridden plural form: %q", got)
	got = en.text("n_seconds", 2)
	assert.Equalf(t, "2 seconds", got, "plural form not overridden: %q", got)
	sv := tx.forAccept("sv-SE")
	assert.Equalf(t, "sv-SE", sv.lang, "added Swedish: lang %s, %q, %q", sv.lang, sv.text("phone_submit"), sv.text("n_seconds", 5))
	assert.Equalf(t, "Skicka en kod", sv.text("phone_submit"), "added Swedish: lang %s, %q, %q", sv.lang, sv.text("phone_submit"), sv.text("n_seconds", 5))
	assert.Equalf(t, "5 sekunder", sv.text("n_seconds", 5), "added Swedish: lang %s, %q, %q", sv.lang, sv.text("phone_submit"), sv.text("n_seconds", 5))
	got = sv.text("phone_label")
	assert.Equalf(t, "Phone number", got, "a text Swedish leaves out: %q, want the default language's", got)
	ar := tx.forAccept("ar")
	assert.Equalf(t, "rtl", ar.dir, "Arabic: lang %s, dir %s", ar.lang, ar.dir)
	assert.Equalf(t, "ar", ar.lang, "Arabic: lang %s, dir %s", ar.lang, ar.dir)
	de := tx.forAccept("de")
	assert.Equalf(t, "Code anfordern", de.text("phone_submit"), "German changed by another language's texts: %q", de.text("phone_submit"))

	bad := []struct {
		name string
		opts []Option
		want string
	}{
		{"unknown id", []Option{WithMessages("en", map[string]string{"phone_sumbit": "x"})}, `unknown text id "phone_sumbit"`},
		{"argument left out", []Option{WithMessages("de", map[string]string{"code_lead_sms": "SMS gesendet."})}, "arguments"},
		{"wrong argument", []Option{WithMessages("de", map[string]string{"error_malformed_code": "Geben Sie den %s-stelligen Code ein."})}, "arguments"},
		{"countdown left out", []Option{WithMessages("de", map[string]string{"code_resend_voice_wait": "Bitte warten"})}, "{t}"},
		{"plural form of a plain text", []Option{WithMessages("en", map[string]string{"phone_label#one": "x"})}, "plural forms"},
		{"unknown plural form", []Option{WithMessages("en", map[string]string{"n_seconds#several": "%d s"})}, "plural forms"},
		{"bad tag", []Option{WithMessages("no such language", map[string]string{"phone_label": "x"})}, "language"},
		{"language without texts", []Option{WithLanguages("en", "sv")}, `"sv" has no texts`},
		{"language twice", []Option{WithLanguages("de", "de")}, "twice"},
		{"bad language", []Option{WithLanguages("12")}, "WithLanguages"},
	}
	for _, tt := range bad {
		var c config
		for _, o := range tt.opts {
			o.apply(&c)
		}
		_, err := newLocales(c.i18n)
		require.ErrorIsf(t, err, verify.ErrInvalidOption, "%s: %v, want ErrInvalidOption saying %q", tt.name, err, tt.want)
		assert.Containsf(t, err.Error(), tt.want, "%s: %v, want ErrInvalidOption saying %q", tt.name, err, tt.want)
	}
}

func TestFailureText(t *testing.T) {
	tests := []struct {
		lang   string
		f      Failure
		region string
		api    bool
		want   string
	}{
		{"en", Failure{Code: RateLimited, RetryAfter: 27}, "", false, "Too many requests. Please wait 27 seconds and try again."},
		{"en", Failure{Code: RateLimited, RetryAfter: 1}, "", false, "Too many requests. Please wait 1 second and try again."},
		{"en", Failure{Code: RateLimited, RetryAfter: 61}, "", false, "Too many requests. Please wait 1 minute and 1 second and try again."},
		{"en", Failure{Code: RateLimited, RetryAfter: 121}, "", false, "Too many requests. Please wait 2 minutes and 1 second and try again."},
		{"en", Failure{Code: RateLimited, RetryAfter: 3599}, "", false, "Too many requests. Please wait 60 minutes and try again."},
		{"ru", Failure{Code: RateLimited, RetryAfter: 119, ReasonCode: reasonResend}, "", false, "Новый код можно будет запросить через 1 минуту 59 секунд."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "line_type", LineType: "premium_rate"}, "", false, "Premium-rate numbers cannot be verified. Use a mobile or landline number."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "line_type", LineType: "personal"}, "", false, "Personal numbers cannot be verified. Use a mobile or landline number."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "line_type", LineType: "something_new"}, "", false, "Numbers of this kind, such as premium-rate or toll-free numbers, cannot be verified. Use a mobile or landline number."},
		{"en", Failure{Code: RateLimited}, "", false, "Too many requests. Please try again later."},
		{"en", Failure{Code: RateLimited, RetryAfter: 27, ReasonCode: reasonResend}, "", false, "You can ask for a new code in 27 seconds."},
		{"ru", Failure{Code: RateLimited, RetryAfter: 21}, "", false, "Слишком много запросов. Подождите 21 секунду и попробуйте снова."},
		{"ru", Failure{Code: RateLimited, RetryAfter: 22 * 60}, "", false, "Слишком много запросов. Подождите 22 минуты и попробуйте снова."},
		{"pl", Failure{Code: RateLimited, RetryAfter: 25, ReasonCode: reasonResend}, "", false, "O nowy kod możesz poprosić za 25 sekund."},
		{"en", Failure{Code: InvalidCode, ReasonCode: reasonFormat}, "", false, "Enter the 6-digit code."},
		{"de", Failure{Code: InvalidCode, ReasonCode: reasonFormat}, "", false, "Geben Sie den 6-stelligen Code ein."},
		{"en", Failure{Code: InvalidCode}, "", false, "That code is not right. Check it and try again."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "line_type", Reason: "premium-rate numbers cannot be verified"}, "", false, "Numbers of this kind, such as premium-rate or toll-free numbers, cannot be verified. Use a mobile or landline number."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "region"}, "NL", false, "Numbers from the Netherlands cannot be verified here."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "region"}, "DE", false, "Numbers from Germany cannot be verified here."},
		{"de", Failure{Code: InvalidPhone, ReasonCode: "region"}, "NL", false, "Nummern aus diesem Land (Niederlande) können hier nicht bestätigt werden."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "region"}, "001", false, "Numbers from this region cannot be verified here."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "region"}, "", false, "Numbers from this region cannot be verified here."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "invalid"}, "US", false, "This is not a valid phone number for the United States."},
		{"fr", Failure{Code: InvalidPhone, ReasonCode: "invalid"}, "GB", false, "Ce numéro de téléphone n’est pas valide (pays\u00a0: Royaume-Uni)."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "too_short"}, "", false, "The number is too short."},
		{"en", Failure{Code: InvalidPhone, ReasonCode: "something_new"}, "", false, "This number cannot be verified."},
		{"en", Failure{Code: InvalidRequest, Field: "phone"}, "", true, "The field \"phone\" is missing or not valid."},
		{"en", Failure{Code: InvalidRequest}, "", true, "The form could not be read. Please try again."},
		{"en", Failure{Code: InvalidRequest, Field: "channel"}, "", false, "The form could not be read. Please try again."},
		{"en", Failure{Code: RateLimited, RetryAfter: 3600, ReasonCode: reasonPumping}, "", false, "We cannot send a code to this number right now. Please try again later."},
		{"de", Failure{Code: RateLimited, RetryAfter: 3600, ReasonCode: reasonPumping}, "", true, "Wir können an diese Nummer gerade keinen Code senden. Bitte versuchen Sie es später noch einmal."},
		{"ja", Failure{Code: "challenge_failed"}, "", false, "セキュリティチェックが完了しませんでした。もう一度お試しください。"},
		{"en", Failure{Code: "no_such_code"}, "", false, "Something went wrong. Please try again."},
		{"en", Failure{}, "", false, "Something went wrong. Please try again."},
	}
	tx := newTestTexts(t)
	for _, tt := range tests {
		tt.f.Region = tt.region
		got := tx.forAccept(tt.lang).failureText(&tt.f, 6, tt.api)
		assert.Equalf(t, tt.want, got, "%s %+v:\n got %q\nwant %q", tt.lang, tt.f, got, tt.want)
	}
}

// TestFailureTexts checks that every failure code has a text of its own
// in every built-in language.
func TestFailureTexts(t *testing.T) {
	codes := []FailureCode{InvalidPhone, Unsupported, InvalidCode, Expired, AlreadyUsed, TooManyAttempts, RateLimited,
		Unavailable, SessionInvalid, SessionExpired, InvalidToken, TokenExpired, InvalidRequest, UnsupportedMediaType,
		TooLarge, CrossOrigin, ChallengeFailed, MethodNotAllowed, NotFound}
	tx := newTestTexts(t)
	for _, lang := range defaultLanguages {
		l := tx.forAccept(lang)
		other := l.text("error_other")
		seen := map[string]FailureCode{}
		for _, c := range codes {
			got := l.failureText(&Failure{Code: c, RetryAfter: 5}, 6, false)
			prev, dup := seen[got]
			assert.Falsef(t, dup || got == other, "%s: %s has the text of %q: %q", lang, c, prev, got)
			seen[got] = c
		}
	}
}

// TestT: T escapes the text (one without arguments as Page.Text has it)
// and its string arguments, and puts an argument of type template.HTML
// in as it is; with fewer or more arguments than its text takes it shows
// the text, with the printer's note, and does not panic: a template's
// mistake shows on the page.
func TestT(t *testing.T) {
	tx := newTestTexts(t, WithMessages("en", map[string]string{"code_lead_sms": "Sent <to> %s & more.", "code_submit": "Check <now> & be 100%% sure"}))
	l := tx.forAccept("en")
	// A text without arguments is escaped too, the same by T and in
	// Page.Text ({{T "code_submit"}} and {{.Text.code_submit}}).
	assert.Equal(t, template.HTML("Check &lt;now&gt; &amp; be 100% sure"), l.T("code_submit"))
	assert.Equal(t, l.T("code_submit"), l.html["code_submit"])
	strong := templateFuncs(l.locale, time.Now)["strong"].(func(string) template.HTML)
	assert.Equal(t, template.HTML("Sent &lt;to&gt; <strong>+31 6 •••• &lt;b&gt;</strong> &amp; more."), l.T("code_lead_sms", strong("+31 6 •••• <b>")))
	assert.Equal(t, template.HTML("Sent &lt;to&gt; &lt;i&gt; &amp; more."), l.T("code_lead_sms", "<i>"))
	assert.True(t, strings.HasPrefix(string(l.T("code_lead_sms")), "Sent &lt;to&gt; %!s(MISSING)"), "T without its argument = %q", l.T("code_lead_sms"))
	got := string(l.T("code_lead_sms", "+31 6", "extra"))
	assert.True(t, strings.HasPrefix(got, "Sent &lt;to&gt; +31 6 &amp; more.") && strings.Contains(got, "EXTRA"), "T with an extra argument = %q", got)
}

// TestTEscapesByContext: a text is escaped for where the template puts
// it, like any other value: in a URL attribute, a text an app set to a
// javascript: URL does not run.
func TestTEscapesByContext(t *testing.T) {
	tx := newTestTexts(t, WithMessages("en", map[string]string{"success_continue": "javascript:alert(1)", "phone_label": `a"b`}))
	tmpl, err := localized(template.Must(DefaultTemplates().New("x").Parse(`<a href="{{T "success_continue"}}" title="{{T "phone_label"}}">`)), tx.list[0], time.Now)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, tmpl.ExecuteTemplate(&b, "x", &Page{}))
	assert.Equal(t, `<a href="#ZgotmplZ" title="a&#34;b">`, b.String())
}

// TestCallLanguageNote: the code page names the language of the call or
// text in the page's language, unless it is the page's.
func TestCallLanguageNote(t *testing.T) {
	tx := newTestTexts(t)
	tests := []struct {
		lang, call string
		ch         verify.Channel
		want       string
	}{
		{"en", "de-de", verify.Voice, "The call will be in German."},
		{"fr", "de-de", verify.SMS, "Le SMS sera en allemand."},
		{"ru", "en-gb", verify.Voice, "Язык звонка: английский."},
		{"de-AT", "de-de", verify.Voice, ""},
		{"en", "sv-se", verify.Voice, "The call will be in Swedish."}, // not a language of calls today
		{"en", "", verify.Voice, ""},
	}
	for _, tt := range tests {
		got := tx.forAccept(tt.lang).callLanguageNote(tt.call, tt.ch)
		assert.Equalf(t, tt.want, got, "CallLanguageNote of a %s page, %s %s: %q, want %q", tt.lang, tt.ch, tt.call, got, tt.want)
	}
}

// TestDuration: a wait is said in seconds below a minute, in minutes and
// seconds up to ten minutes, and in minutes, rounded up, beyond.
func TestDuration(t *testing.T) {
	l := newTestTexts(t).forAccept("en")
	for _, tt := range []struct {
		seconds int
		want    string
	}{{1, "1 second"}, {59, "59 seconds"}, {60, "1 minute"}, {61, "1 minute and 1 second"}, {119, "1 minute and 59 seconds"},
		{120, "2 minutes"}, {121, "2 minutes and 1 second"}, {599, "9 minutes and 59 seconds"}, {600, "10 minutes"}, {601, "11 minutes"}} {
		got := l.duration(tt.seconds)
		assert.Equalf(t, tt.want, got, "duration(%d) = %q, want %q", tt.seconds, got, tt.want)
	}
}

// TestLongAcceptLanguage: a header longer than is read still picks its
// first language, whatever tag the cut falls in: the cut ends at a comma.
func TestLongAcceptLanguage(t *testing.T) {
	tx := newTestTexts(t)
	for pad := range 12 {
		accept := "nl," + strings.Repeat(" ", pad)
		for len(accept) <= maxAcceptLanguage {
			accept += "fr-FR;q=0.5,"
		}
		l := tx.forAccept(accept)
		assert.Equalf(t, "nl", l.lang, "a %d-byte header cut at %q: language %s, want nl", len(accept), accept[maxAcceptLanguage-12:maxAcceptLanguage], l.lang)
	}
	// A header of exactly the length read is read whole: its last
	// language, the only one offered, is not cut off.
	accept := "sw,"
	for len(accept)+len("sw,nl;q=0.1") <= maxAcceptLanguage {
		accept += "sw,"
	}
	accept += strings.Repeat(" ", maxAcceptLanguage-len(accept)-len("nl;q=0.1")) + "nl;q=0.1"
	l := tx.forAccept(accept)
	assert.Equalf(t, maxAcceptLanguage, len(accept), "a %d-byte header ending in nl: language %s, want nl", len(accept), l.lang)
	assert.Equalf(t, "nl", l.lang, "a %d-byte header ending in nl: language %s, want nl", len(accept), l.lang)
	l = tx.forAccept("nl" + strings.Repeat("x", maxAcceptLanguage))
	assert.Equalf(t, "en", l.lang, "a long header without a comma: language %s, want the default", l.lang)
	// The entry the cut falls in is dropped, even when its tag is read
	// whole: its weight may lie past the cut. German refused with q=0 is
	// not picked, also when the only comma read is the header's first
	// byte (an empty element, which HTTP lists allow).
	for accept, want := range map[string]string{
		", de" + strings.Repeat(" ", maxAcceptLanguage) + ";q=0":         "en",
		"nl;q=0.1, de" + strings.Repeat(" ", maxAcceptLanguage) + ";q=0": "nl",
	} {
		l = tx.forAccept(accept)
		assert.Equalf(t, want, l.lang, "%q…%q, cut in German's entry: language %s, want %s", accept[:12], accept[len(accept)-8:], l.lang, want)
	}
}
