package otp

import (
	"strings"

	"github.com/phoneverify/verify"
)

// text returns the message of a verification: template with every
// "%token" replaced by code, as is in a text (the WebOTP line of
// verify.WithWebOrigin holds a second %token, and an app autofills the
// code from it), and spoken digit by digit in a call (see spoken).
func text(template, code string, ch verify.Channel, lang string) string {
	if ch == verify.Voice {
		code = spoken(code, lang)
	}
	return strings.ReplaceAll(template, "%token", code)
}

// spoken returns code written for a text-to-speech voice in lang: its
// digits one by one, each followed by a pause but the last, which the
// template's own punctuation follows. "123456" would be read as a number,
// "one hundred twenty-three thousand…", and "1,2" as a decimal in the many
// languages with a decimal comma; "1, 2, 3, 4, 5, 6", with a space after
// each comma, is a list in every language of verify.Languages but Chinese
// and Japanese, which write a list with the enumeration comma "、" and
// no space.
func spoken(code, lang string) string {
	sep := ", "
	switch lang {
	case "zh-cn", "ja-jp":
		sep = "、"
	}
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteByte(code[i])
	}
	return b.String()
}
