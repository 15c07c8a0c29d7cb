package verify

// This file holds the built-in texts: for each language of languages, what
// a call says and what a text reads, written as a native speaker would
// say them. Each has the code once: MessageBird's documentation does not
// say whether it replaces a second "%token", and a call that reads out
// "percent token" would be worse than one that says the code once. A text
// stays short, to fit one SMS with room for the WebOTP line
// of WithWebOrigin. Both end with the warning banks give: never share the
// code. WithTemplate replaces them.

// text is the built-in wording of one language.
type text struct {
	voice string // spoken on a call; %token once
	sms   string // read in a text; %token once
}

// builtinText returns the built-in wording of lang, one of languages.
func builtinText(lang string) text {
	switch lang {
	case "nl-nl":
		return text{
			voice: "Hallo. Je verificatiecode is %token. Deel deze code met niemand.",
			sms:   "Je verificatiecode is %token. Deel deze code met niemand.",
		}
	case "de-de":
		return text{
			voice: "Hallo. Ihr Bestätigungscode lautet %token. Geben Sie diesen Code an niemanden weiter.",
			sms:   "Ihr Bestätigungscode lautet %token. Geben Sie ihn an niemanden weiter.",
		}
	case "en-gb":
		return text{
			voice: "Hello. Your verification code is %token. Never share this code with anyone.",
			sms:   "Your verification code is %token. Never share it with anyone.",
		}
	case "en-us":
		return text{
			voice: "Hi. Your verification code is %token. Don't share this code with anyone.",
			sms:   "Your verification code is %token. Don't share it with anyone.",
		}
	case "en-au":
		return text{
			voice: "Hi there. Your verification code is %token. Never share this code with anyone.",
			sms:   "Your verification code is %token. Never share it with anyone.",
		}
	case "es-es":
		return text{
			voice: "Hola. Tu código de verificación es %token. No compartas este código con nadie.",
			sms:   "Tu código es %token. No lo compartas con nadie.",
		}
	case "es-mx":
		return text{
			voice: "Hola. Tu código de verificación es %token. No se lo compartas a nadie.",
			sms:   "Tu código es %token. No lo compartas con nadie.",
		}
	case "es-us":
		return text{
			voice: "Hola. Su código de verificación es %token. No comparta este código con nadie.",
			sms:   "Su código es %token. No lo comparta con nadie.",
		}
	case "fr-fr":
		return text{
			voice: "Bonjour. Votre code de vérification est le %token. Ne communiquez ce code à personne.",
			sms:   "Votre code de vérification est %token. Ne le communiquez à personne.",
		}
	case "fr-ca":
		return text{
			voice: "Bonjour. Votre code de vérification est le %token. Ne partagez ce code avec personne.",
			sms:   "Votre code de vérification est %token. Ne le partagez avec personne.",
		}
	case "it-it":
		return text{
			voice: "Buongiorno. Il tuo codice di verifica è %token. Non condividere questo codice con nessuno.",
			sms:   "Il tuo codice di verifica è %token. Non condividerlo con nessuno.",
		}
	case "pt-br":
		return text{
			voice: "Olá. Seu código de verificação é %token. Não compartilhe este código com ninguém.",
			sms:   "Seu código: %token. Não compartilhe com ninguém.",
		}
	case "pl-pl":
		return text{
			voice: "Dzień dobry. Twój kod weryfikacyjny to %token. Nie podawaj tego kodu nikomu.",
			sms:   "Twój kod to %token. Nie podawaj go nikomu.",
		}
	case "ro-ro":
		return text{
			voice: "Bună ziua. Codul tău de verificare este %token. Nu da acest cod nimănui.",
			sms:   "Codul tău este %token. Nu-l da nimănui.",
		}
	case "ru-ru":
		return text{
			voice: "Здравствуйте. Ваш код подтверждения: %token. Никому не сообщайте этот код.",
			sms:   "Ваш код: %token. Никому его не сообщайте.",
		}
	case "is-is":
		return text{
			voice: "Halló. Staðfestingarkóðinn þinn er %token. Ekki deila þessum kóða með neinum.",
			sms:   "Kóðinn þinn er %token. Ekki gefa hann neinum.",
		}
	case "zh-cn":
		return text{
			voice: "您好。您的验证码是 %token。请勿将验证码告诉任何人。",
			sms:   "您的验证码是%token，请勿泄露给他人。",
		}
	case "ja-jp":
		return text{
			voice: "こんにちは。認証コードは %token です。このコードは誰にも教えないでください。",
			sms:   "認証コードは%tokenです。このコードは誰にも教えないでください。",
		}
	case "ko-kr":
		return text{
			voice: "안녕하세요. 인증번호는 %token 입니다. 인증번호를 다른 사람에게 알려 주지 마세요.",
			sms:   "인증번호는 %token입니다. 타인에게 알려 주지 마세요.",
		}
	}
	return builtinText(defaultLanguage)
}

// text returns the template of a verification in lang on ch: the one
// given with WithTemplate, else the built-in one, with the line of
// WithWebOrigin at the end of a text.
func (m *message) text(lang string, ch Channel) string {
	t := m.template
	if !m.customTemplate {
		b := builtinText(lang)
		t = b.voice
		if ch == SMS {
			t = b.sms
		}
	}
	if ch == SMS && m.webOTPLine != "" {
		t += m.webOTPLine
	}
	return t
}
