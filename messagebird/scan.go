package messagebird

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// topLevelString returns the contents of the string value of the key name
// in the JSON object b, which encoding/json has already accepted as
// valid. It returns nil when the key is absent, or its value is not a
// string or has escapes. Keys match as encoding/json matches them to a
// struct field: unescaped, then case-insensitively (Unicode simple
// folding, as bytes.EqualFold); of repeated keys the last wins.
func topLevelString(b []byte, name string) []byte {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	var found []byte
	for i++; ; i++ {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return found // '}' of an empty object, or not JSON
		}
		end := skipString(b, i)
		if end < 0 {
			return nil
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil
		}
		i = skipSpace(b, i+1)
		start := i
		if i = skipValue(b, i); i < 0 {
			return nil
		}
		if keyMatches(key, name) {
			found = plainString(b[start:i])
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ',' {
			return found
		}
	}
}

// plainString returns the contents of the JSON string v, or nil when v is
// not a string or has escapes.
func plainString(v []byte) []byte {
	if len(v) < 2 || v[0] != '"' {
		return nil
	}
	v = v[1 : len(v)-1]
	for _, c := range v {
		if c == '\\' {
			return nil
		}
	}
	return v
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i], or
// -1 when it does not end.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the value that starts at b[i], or -1
// when it does not end.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// keyMatches reports whether the JSON string contents key, once
// unescaped, equals name under Unicode simple folding, without
// allocating. It unescapes as encoding/json does: invalid UTF-8 and lone
// surrogates read as U+FFFD.
func keyMatches(key []byte, name string) bool {
	for len(key) > 0 {
		r, n := keyRune(key)
		key = key[n:]
		nr, nn := utf8.DecodeRuneInString(name)
		if nn == 0 || !foldEqual(r, nr) {
			return false
		}
		name = name[nn:]
	}
	return name == ""
}

// keyRune decodes the first character of the JSON string contents b,
// which is not empty: an escape, or a UTF-8 sequence. It returns the rune
// and the bytes it took.
func keyRune(b []byte) (rune, int) {
	if b[0] != '\\' {
		if b[0] < utf8.RuneSelf {
			return rune(b[0]), 1
		}
		return utf8.DecodeRune(b)
	}
	if len(b) < 2 {
		return utf8.RuneError, 1
	}
	switch b[1] {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r := hex4(b[2:])
		if r < 0 {
			return utf8.RuneError, 2
		}
		if !utf16.IsSurrogate(r) {
			return r, 6
		}
		if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if r2 := hex4(b[8:]); r2 >= 0 {
				if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
					return d, 12
				}
			}
		}
		return unicode.ReplacementChar, 6
	}
	return rune(b[1]), 2 // '"', '\\', '/'
}

// hex4 returns the value of the four hex digits that start b, or -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// foldEqual reports whether a and b are equal under Unicode simple
// folding, as bytes.EqualFold compares them.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return 'A' <= a && a <= 'Z' && a+'a'-'A' == b || 'A' <= b && b <= 'Z' && b+'a'-'A' == a
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
