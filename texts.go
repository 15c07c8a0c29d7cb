package verify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the built-in texts: for each language of languages, what
// a call says and what a text reads, written as a native speaker would
// say them, each with and without the name of WithAppName. A call says
// the code twice ("%token" twice), so that a user who missed a digit
// need not ask for another call; a text has it once. A text stays
// short, to fit one SMS with room for the WebOTP line of WithWebOrigin
// (with the longest app name, it still fits in 480 bytes, and in two
// SMS). Both end with the warning banks give: never share the code.
// WithTemplate replaces them.

// text is the built-in wording of one language. In app texts, appMark
// stands for the name of WithAppName; it never reaches a provider.
type text struct {
	voice, sms       string // spoken on a call (%token twice), read in a text (%token once)
	appVoice, appSMS string // the same, saying whose code it is
}

// appMark is where the app's name goes in the built-in texts.
const appMark = "{app}"

// builtinText returns the built-in wording of lang, one of languages.
func builtinText(lang string) text {
	switch lang {
	case "nl-nl":
		return text{
			voice:    "Hallo. Je verificatiecode is %token. Nogmaals: %token. Deel deze code met niemand.",
			sms:      "Je verificatiecode is %token. Deel deze code met niemand.",
			appVoice: "Hallo. Je verificatiecode voor {app} is %token. Nogmaals: %token. Deel deze code met niemand.",
			appSMS:   "Je verificatiecode voor {app} is %token. Deel deze code met niemand.",
		}
	case "de-de":
		return text{
			voice:    "Hallo. Ihr Bestätigungscode lautet %token. Noch einmal: %token. Geben Sie diesen Code an niemanden weiter.",
			sms:      "Ihr Bestätigungscode lautet %token. Geben Sie ihn an niemanden weiter.",
			appVoice: "Hallo. Ihr Bestätigungscode für {app} lautet %token. Noch einmal: %token. Geben Sie diesen Code an niemanden weiter.",
			appSMS:   "Ihr Bestätigungscode für {app} lautet %token. Geben Sie ihn an niemanden weiter.",
		}
	case "en-gb":
		return text{
			voice:    "Hello. Your verification code is %token. Once again: %token. Never share this code with anyone.",
			sms:      "Your verification code is %token. Never share it with anyone.",
			appVoice: "Hello. Your {app} verification code is %token. Once again: %token. Never share this code with anyone.",
			appSMS:   "Your {app} verification code is %token. Never share it with anyone.",
		}
	case "en-us":
		return text{
			voice:    "Hi. Your verification code is %token. Again: %token. Don't share this code with anyone.",
			sms:      "Your verification code is %token. Don't share it with anyone.",
			appVoice: "Hi. Your {app} verification code is %token. Again: %token. Don't share this code with anyone.",
			appSMS:   "Your {app} verification code is %token. Don't share it with anyone.",
		}
	case "en-au":
		return text{
			voice:    "Hi there. Your verification code is %token. Once again: %token. Never share this code with anyone.",
			sms:      "Your verification code is %token. Never share it with anyone.",
			appVoice: "Hi there. Your {app} verification code is %token. Once again: %token. Never share this code with anyone.",
			appSMS:   "Your {app} verification code is %token. Never share it with anyone.",
		}
	case "es-es":
		return text{
			voice:    "Hola. Tu código de verificación es %token. Repito: %token. No compartas este código con nadie.",
			sms:      "Tu código es %token. No lo compartas con nadie.",
			appVoice: "Hola. Tu código de verificación de {app} es %token. Repito: %token. No compartas este código con nadie.",
			appSMS:   "Tu código de {app} es %token. No lo compartas.",
		}
	case "es-mx":
		return text{
			voice:    "Hola. Tu código de verificación es %token. Te lo repito: %token. No se lo compartas a nadie.",
			sms:      "Tu código es %token. No lo compartas con nadie.",
			appVoice: "Hola. Tu código de verificación de {app} es %token. Te lo repito: %token. No se lo compartas a nadie.",
			appSMS:   "Tu código de {app} es %token. No lo compartas.",
		}
	case "es-us":
		return text{
			voice:    "Hola. Su código de verificación es %token. Se lo repito: %token. No comparta este código con nadie.",
			sms:      "Su código es %token. No lo comparta con nadie.",
			appVoice: "Hola. Su código de verificación de {app} es %token. Se lo repito: %token. No comparta este código con nadie.",
			appSMS:   "Su código de {app} es %token. No lo comparta.",
		}
	case "fr-fr":
		return text{
			voice:    "Bonjour. Votre code de vérification est le %token. Je répète : %token. Ne communiquez ce code à personne.",
			sms:      "Votre code de vérification est %token. Ne le communiquez à personne.",
			appVoice: "Bonjour. Votre code de vérification {app} est le %token. Je répète : %token. Ne communiquez ce code à personne.",
			appSMS:   "Votre code de vérification {app} est %token. Ne le communiquez à personne.",
		}
	case "fr-ca":
		return text{
			voice:    "Bonjour. Votre code de vérification est le %token. Je répète : %token. Ne partagez ce code avec personne.",
			sms:      "Votre code de vérification est %token. Ne le partagez avec personne.",
			appVoice: "Bonjour. Votre code de vérification {app} est le %token. Je répète : %token. Ne partagez ce code avec personne.",
			appSMS:   "Votre code de vérification {app} est %token. Ne le partagez avec personne.",
		}
	case "it-it":
		return text{
			voice:    "Buongiorno. Il tuo codice di verifica è %token. Ripeto: %token. Non condividere questo codice con nessuno.",
			sms:      "Il tuo codice di verifica è %token. Non condividerlo con nessuno.",
			appVoice: "Buongiorno. Il tuo codice di verifica {app} è %token. Ripeto: %token. Non condividere questo codice con nessuno.",
			appSMS:   "Il tuo codice di verifica {app} è %token. Non condividerlo con nessuno.",
		}
	case "pt-br":
		return text{
			voice:    "Olá. Seu código de verificação é %token. Repetindo: %token. Não compartilhe este código com ninguém.",
			sms:      "Seu código: %token. Não compartilhe com ninguém.",
			appVoice: "Olá. Seu código de verificação {app} é %token. Repetindo: %token. Não compartilhe este código com ninguém.",
			appSMS:   "Seu código {app}: %token. Não o compartilhe.",
		}
	case "pl-pl":
		return text{
			voice:    "Dzień dobry. Twój kod weryfikacyjny to %token. Powtarzam: %token. Nie podawaj tego kodu nikomu.",
			sms:      "Twój kod to %token. Nie podawaj go nikomu.",
			appVoice: "Dzień dobry. Twój kod weryfikacyjny do {app} to %token. Powtarzam: %token. Nie podawaj tego kodu nikomu.",
			appSMS:   "Kod do {app}: %token. Nie podawaj go nikomu.",
		}
	case "ro-ro":
		return text{
			voice:    "Bună ziua. Codul tău de verificare este %token. Repet: %token. Nu da acest cod nimănui.",
			sms:      "Codul tău este %token. Nu-l da nimănui.",
			appVoice: "Bună ziua. Codul tău de verificare pentru {app} este %token. Repet: %token. Nu da acest cod nimănui.",
			appSMS:   "Codul tău {app} este %token. Nu-l da nimănui.",
		}
	case "ru-ru":
		return text{
			voice:    "Здравствуйте. Ваш код подтверждения: %token. Повторяю: %token. Никому не сообщайте этот код.",
			sms:      "Ваш код: %token. Никому его не сообщайте.",
			appVoice: "Здравствуйте. Ваш код подтверждения для {app}: %token. Повторяю: %token. Никому не сообщайте этот код.",
			appSMS:   "Код для {app}: %token. Никому его не сообщайте.",
		}
	case "is-is":
		return text{
			voice:    "Halló. Staðfestingarkóðinn þinn er %token. Ég endurtek: %token. Ekki deila þessum kóða með neinum.",
			sms:      "Kóðinn þinn er %token. Ekki gefa hann neinum.",
			appVoice: "Halló. Staðfestingarkóðinn þinn fyrir {app} er %token. Ég endurtek: %token. Ekki deila þessum kóða með neinum.",
			appSMS:   "Kóði fyrir {app}: %token. Ekki gefa hann neinum.",
		}
	case "zh-cn":
		return text{
			voice:    "您好。您的验证码是 %token。再重复一遍：%token。请勿将验证码告诉任何人。",
			sms:      "您的验证码是%token，请勿泄露给他人。",
			appVoice: "您好。您的{app}验证码是 %token。再重复一遍：%token。请勿将验证码告诉任何人。",
			appSMS:   "您的{app}验证码是%token，请勿泄露给他人。",
		}
	case "ja-jp":
		return text{
			voice:    "こんにちは。認証コードは %token です。繰り返します。%token です。このコードは誰にも教えないでください。",
			sms:      "認証コードは%tokenです。このコードは誰にも教えないでください。",
			appVoice: "こんにちは。{app}の認証コードは %token です。繰り返します。%token です。このコードは誰にも教えないでください。",
			appSMS:   "{app}の認証コードは%tokenです。このコードは誰にも教えないでください。",
		}
	case "ko-kr":
		return text{
			voice:    "안녕하세요. 인증번호는 %token 입니다. 다시 한 번 말씀드립니다. %token 입니다. 인증번호를 다른 사람에게 알려 주지 마세요.",
			sms:      "인증번호는 %token입니다. 타인에게 알려 주지 마세요.",
			appVoice: "안녕하세요. {app} 인증번호는 %token 입니다. 다시 한 번 말씀드립니다. %token 입니다. 인증번호를 다른 사람에게 알려 주지 마세요.",
			appSMS:   "{app} 인증번호는 %token입니다. 타인에게 알려 주지 마세요.",
		}
	}
	return builtinText(defaultLanguage)
}

// on returns the built-in template on ch, naming app unless it is "".
func (t text) on(ch Channel, app string) string {
	s, named := t.voice, t.appVoice
	if ch == SMS {
		s, named = t.sms, t.appSMS
	}
	if app == "" {
		return s
	}
	return strings.Replace(named, appMark, app, 1)
}

// text returns the template of a verification in lang on ch: the one
// given with WithTemplate, else the built-in one (naming the app of
// WithAppName), with the line of WithWebOrigin at the end of a text.
func (m *message) text(lang string, ch Channel) string {
	t := m.template
	if !m.customTemplate {
		t = builtinText(lang).on(ch, m.appName)
	}
	if ch == SMS && m.webOTPLine != "" {
		t += m.webOTPLine
	}
	return t
}

// validAppName reports whether name may be given to WithAppName: valid
// UTF-8 of 1 to maxAppName characters, each a letter, mark, digit,
// punctuation, symbol or ASCII space (so no control character, line
// break or invisible formatting character), with no space at either end
// and no '%', so that a name cannot make a placeholder such as "%token".
func validAppName(name string) bool {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxAppName ||
		strings.TrimSpace(name) != name {
		return false
	}
	for _, r := range name {
		if r == '%' || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
