package twilio

// locales maps each of verify.Languages() to Twilio Verify's language tag
// (its Locale parameter). Twilio's tags name a language and, for a few, a
// variant: Spanish, French and English other than British have one tag
// each, and Twilio has no Icelandic, which is sent in British English.
var locales = map[string]string{
	"nl-nl": "nl", "de-de": "de", "en-gb": "en-GB", "en-us": "en", "es-es": "es",
	"fr-fr": "fr", "ru-ru": "ru", "zh-cn": "zh-CN", "en-au": "en-GB", "es-mx": "es",
	"es-us": "es", "fr-ca": "fr", "is-is": "en-GB", "it-it": "it", "ja-jp": "ja",
	"ko-kr": "ko", "pl-pl": "pl", "pt-br": "pt-BR", "ro-ro": "ro",
}

// sayVoice is the <Say> of a language: the language attribute and the
// Amazon Polly voices (female, male) Twilio speaks it with. Where Polly
// has no standard male voice for a language, the female one speaks.
type sayVoice struct{ language, female, male string }

// voices maps each of verify.Languages() to its <Say> voices.
var voices = map[string]sayVoice{
	"nl-nl": {"nl-NL", "Polly.Lotte", "Polly.Ruben"},
	"de-de": {"de-DE", "Polly.Vicki", "Polly.Hans"},
	"en-gb": {"en-GB", "Polly.Amy", "Polly.Brian"},
	"en-us": {"en-US", "Polly.Joanna", "Polly.Matthew"},
	"es-es": {"es-ES", "Polly.Lucia", "Polly.Enrique"},
	"fr-fr": {"fr-FR", "Polly.Lea", "Polly.Mathieu"},
	"ru-ru": {"ru-RU", "Polly.Tatyana", "Polly.Maxim"},
	"zh-cn": {"cmn-CN", "Polly.Zhiyu", "Polly.Zhiyu"},
	"en-au": {"en-AU", "Polly.Nicole", "Polly.Russell"},
	"es-mx": {"es-MX", "Polly.Mia", "Polly.Mia"},
	"es-us": {"es-US", "Polly.Penelope", "Polly.Miguel"},
	"fr-ca": {"fr-CA", "Polly.Chantal", "Polly.Chantal"},
	"is-is": {"is-IS", "Polly.Dora", "Polly.Karl"},
	"it-it": {"it-IT", "Polly.Carla", "Polly.Giorgio"},
	"ja-jp": {"ja-JP", "Polly.Mizuki", "Polly.Takumi"},
	"ko-kr": {"ko-KR", "Polly.Seoyeon", "Polly.Seoyeon"},
	"pl-pl": {"pl-PL", "Polly.Ewa", "Polly.Jacek"},
	"pt-br": {"pt-BR", "Polly.Vitoria", "Polly.Ricardo"},
	"ro-ro": {"ro-RO", "Polly.Carmen", "Polly.Carmen"},
}
