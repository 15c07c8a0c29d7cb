package messagebird

// topLevelString returns the contents of the string value of the key name
// in the JSON object b, which encoding/json has already accepted as
// valid. It returns nil when the key is absent, or its value is not a
// string or has escapes. Keys are matched exactly; of repeated keys the
// last wins, as with encoding/json.
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
		if string(key) == name {
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
