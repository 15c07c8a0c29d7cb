package verify_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// previousTexts are the built-in texts before the app name and the
// twice-read code, with the sentence each call now adds to say the code
// again: without an app name, a call is the previous call with that
// sentence after the code, and a text is the previous text.
var previousTexts = map[string]struct{ voice, again, sms string }{
	"nl-nl": {"Hallo. Je verificatiecode is %token. Deel deze code met niemand.", " Nogmaals: %token.",
		"Je verificatiecode is %token. Deel deze code met niemand."},
	"de-de": {"Hallo. Ihr Bestätigungscode lautet %token. Geben Sie diesen Code an niemanden weiter.", " Noch einmal: %token.",
		"Ihr Bestätigungscode lautet %token. Geben Sie ihn an niemanden weiter."},
	"en-gb": {"Hello. Your verification code is %token. Never share this code with anyone.", " Once again: %token.",
		"Your verification code is %token. Never share it with anyone."},
	"en-us": {"Hi. Your verification code is %token. Don't share this code with anyone.", " Again: %token.",
		"Your verification code is %token. Don't share it with anyone."},
	"en-au": {"Hi there. Your verification code is %token. Never share this code with anyone.", " Once again: %token.",
		"Your verification code is %token. Never share it with anyone."},
	"es-es": {"Hola. Tu código de verificación es %token. No compartas este código con nadie.", " Repito: %token.",
		"Tu código es %token. No lo compartas con nadie."},
	"es-mx": {"Hola. Tu código de verificación es %token. No se lo compartas a nadie.", " Te lo repito: %token.",
		"Tu código es %token. No lo compartas con nadie."},
	"es-us": {"Hola. Su código de verificación es %token. No comparta este código con nadie.", " Se lo repito: %token.",
		"Su código es %token. No lo comparta con nadie."},
	"fr-fr": {"Bonjour. Votre code de vérification est le %token. Ne communiquez ce code à personne.", " Je répète : %token.",
		"Votre code de vérification est %token. Ne le communiquez à personne."},
	"fr-ca": {"Bonjour. Votre code de vérification est le %token. Ne partagez ce code avec personne.", " Je répète : %token.",
		"Votre code de vérification est %token. Ne le partagez avec personne."},
	"it-it": {"Buongiorno. Il tuo codice di verifica è %token. Non condividere questo codice con nessuno.", " Ripeto: %token.",
		"Il tuo codice di verifica è %token. Non condividerlo con nessuno."},
	"pt-br": {"Olá. Seu código de verificação é %token. Não compartilhe este código com ninguém.", " Repetindo: %token.",
		"Seu código: %token. Não compartilhe com ninguém."},
	"pl-pl": {"Dzień dobry. Twój kod weryfikacyjny to %token. Nie podawaj tego kodu nikomu.", " Powtarzam: %token.",
		"Twój kod to %token. Nie podawaj go nikomu."},
	"ro-ro": {"Bună ziua. Codul tău de verificare este %token. Nu da acest cod nimănui.", " Repet: %token.",
		"Codul tău este %token. Nu-l da nimănui."},
	"ru-ru": {"Здравствуйте. Ваш код подтверждения: %token. Никому не сообщайте этот код.", " Повторяю: %token.",
		"Ваш код: %token. Никому его не сообщайте."},
	"is-is": {"Halló. Staðfestingarkóðinn þinn er %token. Ekki deila þessum kóða með neinum.", " Ég endurtek: %token.",
		"Kóðinn þinn er %token. Ekki gefa hann neinum."},
	"zh-cn": {"您好。您的验证码是 %token。请勿将验证码告诉任何人。", "再重复一遍：%token。",
		"您的验证码是%token，请勿泄露给他人。"},
	"ja-jp": {"こんにちは。認証コードは %token です。このコードは誰にも教えないでください。", "繰り返します。%token です。",
		"認証コードは%tokenです。このコードは誰にも教えないでください。"},
	"ko-kr": {"안녕하세요. 인증번호는 %token 입니다. 인증번호를 다른 사람에게 알려 주지 마세요.", " 다시 한 번 말씀드립니다. %token 입니다.",
		"인증번호는 %token입니다. 타인에게 알려 주지 마세요."},
}

// builtin returns the templates a Verifier sends in lang, by call and by
// text, with opts, and the AppName of the requests.
func builtin(t *testing.T, lang string, opts ...verify.MessageOption) (voice, sms, app string) {
	t.Helper()
	s := &spy{}
	v := newVerifier(t, s)
	for _, ch := range []verify.Channel{verify.Voice, verify.SMS} {
		_, err := v.Start(context.Background(), "+31612345678",
			append([]verify.MessageOption{verify.WithLanguage(lang), verify.WithChannel(ch)}, opts...)...)
		require.NoError(t, err)
		if ch == verify.Voice {
			voice, app = s.lastReq.Template, s.lastReq.AppName
		} else {
			sms = s.lastReq.Template
			require.Equal(t, app, s.lastReq.AppName, "AppName by call and by text")
		}
	}
	return voice, sms, app
}

func TestBuiltinTextsWithoutAppName(t *testing.T) {
	require.Len(t, previousTexts, len(verify.Languages()))
	seen := map[string]bool{}
	for _, lang := range verify.Languages() {
		t.Run(lang, func(t *testing.T) {
			prev, ok := previousTexts[lang]
			require.True(t, ok, "no previous texts")
			voice, sms, app := builtin(t, lang)
			assert.Empty(t, app)
			// A call says the code twice, in one sentence more than it did.
			assert.Equal(t, 2, strings.Count(voice, "%token"), voice)
			assert.Equal(t, 2, strings.Count(voice, "%"), "nothing else looks like a placeholder: %q", voice)
			assert.Equal(t, 1, strings.Count(prev.again, "%token"))
			assert.Equal(t, prev.voice, strings.Replace(voice, prev.again, "", 1), "the call, less the code said again")
			assert.Less(t, strings.Index(voice, "%token"), strings.Index(voice, prev.again), "the code, then the code again")
			// A text is as it was.
			assert.Equal(t, prev.sms, sms)
			assert.NotContains(t, voice+sms, "{app}")
			assert.False(t, seen[voice] && lang[:2] != "en", "a call text of another language: %q", voice)
			seen[voice] = true
			assert.LessOrEqual(t, len(voice), 480, "a call in bytes, MessageBird takes 480")
			assert.LessOrEqual(t, len(sms+"\n\n@"+strings.Repeat("x", 253)+" #%token"), 480, "a text with the longest origin, in bytes")
			// One SMS: with the longest code, and with the default code and
			// the WebOTP line of a short origin.
			for _, text := range []string{
				strings.ReplaceAll(sms, "%token", "1234567890"),
				strings.ReplaceAll(sms+"\n\n@example.com #%token", "%token", "123456"),
			} {
				assert.Equal(t, 1, smsSegments(text), "%q", text)
			}
		})
	}
}

func TestBuiltinTextsNameTheApp(t *testing.T) {
	longASCII := strings.Repeat("A", 30)
	longBytes := strings.Repeat("𝔄", 30) // 4 bytes each: the longest name in bytes
	require.Equal(t, 120, len(longBytes))
	for _, lang := range verify.Languages() {
		t.Run(lang, func(t *testing.T) {
			plainVoice, plainSMS, _ := builtin(t, lang)
			prev := previousTexts[lang]
			for _, name := range []string{"Acme", "Bank of Foo", "淘宝", longASCII, longBytes} {
				voice, sms, app := builtin(t, lang, verify.WithAppName(name))
				assert.Equal(t, name, app, "Request.AppName")
				for _, text := range []string{voice, sms} {
					assert.Equal(t, 1, strings.Count(text, name), "the app once in %q", text)
					assert.NotContains(t, text, "{app}")
				}
				assert.Equal(t, 2, strings.Count(voice, "%token"), voice)
				assert.Equal(t, 2, strings.Count(voice, "%"), voice)
				assert.Equal(t, 1, strings.Count(sms, "%token"), sms)
				assert.Equal(t, 1, strings.Count(sms, "%"), sms)
				assert.Contains(t, voice, prev.again, "the code said again")
				assert.NotContains(t, sms, "\n")
				// Nothing but the app's name is added: the wording around
				// it is the plain text's, give or take a word or two.
				assert.Less(t, len(voice)-len(name)-len(plainVoice), 12, "%q next to %q", voice, plainVoice)
				assert.Less(t, len(sms)-len(name)-len(plainSMS), 12, "%q next to %q", sms, plainSMS)
				assert.LessOrEqual(t, len(voice), 480, "a call in bytes, MessageBird takes 480")
				longestOrigin := "\n\n@" + strings.Repeat("x", 253) + " #%token"
				assert.LessOrEqual(t, len(sms+longestOrigin), 480, "a text with the longest origin, in bytes")
			}
			// One SMS with a short name, the longest code and the WebOTP
			// line of a short origin; two at most with the longest name.
			for _, c := range []struct {
				name string
				max  int
			}{{"Acme", 1}, {longASCII, 2}, {strings.Repeat("淘", 30), 2}} {
				_, sms, _ := builtin(t, lang, verify.WithAppName(c.name))
				for _, text := range []string{
					strings.ReplaceAll(sms, "%token", "1234567890"),
					strings.ReplaceAll(sms+"\n\n@example.com #%token", "%token", "123456"),
				} {
					assert.LessOrEqual(t, smsSegments(text), c.max, "%q", text)
				}
			}
		})
	}
}

func TestWithAppName(t *testing.T) {
	for _, good := range []string{"A", "Acme", "Bank of Foo", "Café Ünïcode", "淘宝", "ACME-24/7 (beta)", "Ça & Co.", strings.Repeat("é", 30)} {
		_, err := verify.New(fake.New(), verify.WithAppName(good))
		assert.NoError(t, err, "%q", good)
	}
	for _, bad := range []string{
		"", " ", " Acme", "Acme ", "100%", "%token", "Acme\nCode", "Acme\r", "Acme\tCo", "A\x00", "\x7f",
		"\xffAcme", "Acme\u2028", "Acme\u202eemcA", "Ac\u200bme", "Acme\u00a0Co", strings.Repeat("a", 31), strings.Repeat("é", 31),
	} {
		_, err := verify.New(fake.New(), verify.WithAppName(bad))
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "%q", bad)
		assert.ErrorContains(t, err, "WithAppName", "%q", bad)
		// Per call too, before any provider call.
		s := &spy{}
		_, err = newVerifier(t, s).Start(context.Background(), "+31612345678", verify.WithAppName(bad))
		assert.ErrorIs(t, err, verify.ErrInvalidOption, "%q", bad)
		assert.Zero(t, s.starts.Load())
	}
	// The error shows a long name shortened.
	_, err := verify.New(fake.New(), verify.WithAppName(strings.Repeat("n", 1000)))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300)
	// A bad name of up to 20 bytes is shown whole, a longer one cut at 20.
	name := "Acme 100% Discounts!"
	require.Len(t, name, 20)
	_, err = verify.New(fake.New(), verify.WithAppName(name))
	assert.ErrorContains(t, err, `WithAppName("Acme 100% Discounts!"):`)
	_, err = verify.New(fake.New(), verify.WithAppName(name+"!"))
	assert.ErrorContains(t, err, `WithAppName("Acme 100% Discounts!..."):`)
}

func TestWithAppNamePerCall(t *testing.T) {
	ctx := context.Background()
	s := &spy{}
	v := newVerifier(t, s, verify.WithAppName("Acme"), verify.WithLanguage("en-gb"))
	_, err := v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	assert.Equal(t, "Hello. Your Acme verification code is %token. Once again: %token. Never share this code with anyone.", s.lastReq.Template)
	_, err = v.Start(ctx, "+31612345678", verify.WithAppName("Acme Shop"), verify.WithChannel(verify.SMS), verify.WithLanguage("nl-nl"))
	require.NoError(t, err)
	assert.Equal(t, "Je verificatiecode voor Acme Shop is %token. Deel deze code met niemand.", s.lastReq.Template)
	assert.Equal(t, "Acme Shop", s.lastReq.AppName)
	_, err = v.Start(ctx, "+31612345678")
	require.NoError(t, err)
	assert.Equal(t, "Acme", s.lastReq.AppName, "the next call is back on the Verifier's name")

	// A text of the app's own is left as written; the provider still
	// gets the name.
	_, err = v.Start(ctx, "+31612345678", verify.WithTemplate("Code %token"))
	require.NoError(t, err)
	assert.Equal(t, "Code %token", s.lastReq.Template)
	assert.Equal(t, "Acme", s.lastReq.AppName)

	// With the WebOTP line, the name is in the first line and the
	// origin-bound line stays last.
	_, err = v.Start(ctx, "+31612345678", verify.WithChannel(verify.SMS), verify.WithWebOrigin("https://example.com"))
	require.NoError(t, err)
	assert.Equal(t, "Your Acme verification code is %token. Never share it with anyone.\n\n@example.com #%token", s.lastReq.Template)
}

func TestTheFakeSaysTheCodeTwice(t *testing.T) {
	ctx := context.Background()
	p := fake.New(fake.WithCode("123456"))
	v := newVerifier(t, p, verify.WithAppName("Acme"))
	for _, lang := range verify.Languages() {
		_, err := v.Start(ctx, "+31612345678", verify.WithLanguage(lang))
		require.NoError(t, err)
		msgs := p.Messages()
		text := msgs[len(msgs)-1].Text
		assert.Equal(t, 2, strings.Count(text, "123456"), "%s: %q", lang, text)
		assert.Contains(t, text, "Acme", lang)
		assert.NotContains(t, text, "%", lang)
		assert.True(t, utf8.ValidString(text), lang)
	}
	msgs := p.Messages()
	assert.Equal(t, "Hallo. Je verificatiecode voor Acme is 123456. Nogmaals: 123456. Deel deze code met niemand.", msgs[0].Text)
}

// smsSegments returns how many SMS a text takes: 160 characters of the
// GSM 03.38 alphabet (its extension characters count twice), else 70
// UCS-2 characters; longer texts are split into parts of 153 and 67.
func smsSegments(s string) int {
	const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	const extension = "^{}\\[~]|€\f"
	septets, gsm := 0, true
	for _, r := range s {
		switch {
		case strings.ContainsRune(basic, r):
			septets++
		case strings.ContainsRune(extension, r):
			septets += 2
		default:
			gsm = false
		}
	}
	if gsm {
		if septets <= 160 {
			return 1
		}
		return (septets + 152) / 153
	}
	units := len(utf16Units(s))
	if units <= 70 {
		return 1
	}
	return (units + 66) / 67
}

func utf16Units(s string) []uint16 {
	var u []uint16
	for _, r := range s {
		if r >= 0x10000 {
			u = append(u, 0, 0)
			continue
		}
		u = append(u, uint16(r))
	}
	return u
}
