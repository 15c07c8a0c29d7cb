package mbtest

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// languages are the text-to-speech languages of MessageBird's Verify API,
// space-separated.
const languages = "nl-nl de-de en-gb en-us es-es fr-fr ru-ru zh-cn en-au es-mx es-us fr-ca is-is it-it ja-jp ko-kr pl-pl pt-br ro-ro"

// createParams are the fields of POST /verify, as received; check fills
// in MessageBird's defaults.
type createParams struct {
	Recipient   json.RawMessage `json:"recipient"`
	Originator  string          `json:"originator"`
	Reference   string          `json:"reference"`
	Type        string          `json:"type"`
	Template    string          `json:"template"`
	DataCoding  string          `json:"datacoding"`
	ReportURL   string          `json:"reportUrl"`
	Voice       string          `json:"voice"`
	Language    string          `json:"language"`
	Timeout     *int            `json:"timeout"`
	TokenLength *int            `json:"tokenLength"`
	MaxAttempts *int            `json:"maxAttempts"`

	recipient string // Recipient as digits, set by check
}

// parseCreate reads the body of POST /verify: JSON, or a form.
func parseCreate(r *http.Request, body []byte) (createParams, bool) {
	var p createParams
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return p, json.Unmarshal(body, &p) == nil
	}
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return p, false
	}
	if q.Has("recipient") {
		p.Recipient, _ = json.Marshal(q.Get("recipient"))
	}
	p.Originator, p.Reference, p.Type = q.Get("originator"), q.Get("reference"), q.Get("type")
	p.Template, p.DataCoding, p.ReportURL = q.Get("template"), q.Get("datacoding"), q.Get("reportUrl")
	p.Voice, p.Language = q.Get("voice"), q.Get("language")
	for name, dst := range map[string]**int{"timeout": &p.Timeout, "tokenLength": &p.TokenLength, "maxAttempts": &p.MaxAttempts} {
		if q.Has(name) {
			n, err := strconv.Atoi(q.Get(name))
			if err != nil {
				n = -1
			}
			*dst = &n
		}
	}
	return p, true
}

// textParam is one row of the checks of the text parameters of a
// request.
type textParam struct {
	name  string
	value *string
	def   string // MessageBird's default, for an empty value
	valid func(string) bool
}

// numberParam is one row of the checks of the number parameters.
type numberParam struct {
	name     string
	value    **int
	def      int // MessageBird's default, for an absent value
	min, max int
}

// check fills in MessageBird's defaults and checks the parameters in the
// order of its tables. It returns the first bad one with MessageBird's
// error code, 9 for a missing recipient and 10 for a bad value, or ""
// when all are good.
func (p *createParams) check() (param string, code int) {
	if len(p.Recipient) == 0 || string(p.Recipient) == "null" {
		return "recipient", 9
	}
	p.recipient, _ = recipientDigits(p.Recipient)
	texts := []textParam{
		{"recipient", &p.recipient, "", validRecipient},
		{"type", &p.Type, "sms", oneOf("sms", "flash", "tts")},
		{"originator", &p.Originator, "Code", validOriginator},
		{"reference", &p.Reference, "", alnum},
		{"template", &p.Template, "Your code is: %token", func(s string) bool { return strings.Contains(s, "%token") }},
		{"datacoding", &p.DataCoding, "plain", oneOf("plain", "unicode", "auto")},
		{"voice", &p.Voice, "female", oneOf("female", "male")},
		{"language", &p.Language, "en-gb", oneOf(strings.Fields(languages)...)},
	}
	if param := checkTexts(texts); param != "" {
		return param, 10
	}
	numbers := []numberParam{
		{"timeout", &p.Timeout, 30, 30, 259200},
		{"tokenLength", &p.TokenLength, 6, 6, 10},
		{"maxAttempts", &p.MaxAttempts, 1, 1, 10},
	}
	if param := checkNumbers(numbers); param != "" {
		return param, 10
	}
	return "", 0
}

// checkTexts fills in the defaults of texts and returns the name of the
// first that is not valid, or "".
func checkTexts(texts []textParam) string {
	for _, t := range texts {
		if *t.value == "" {
			*t.value = t.def
		}
		if !t.valid(*t.value) {
			return t.name
		}
	}
	return ""
}

// checkNumbers fills in the defaults of numbers and returns the name of
// the first out of its range, or "".
func checkNumbers(numbers []numberParam) string {
	for _, n := range numbers {
		if *n.value == nil {
			*n.value = &n.def
		}
		if v := **n.value; v < n.min || v > n.max {
			return n.name
		}
	}
	return ""
}

// writeParamError answers a bad parameter as MessageBird does: 422 with
// code 9 (missing) or 10 (bad) and the parameter's name.
func writeParamError(w http.ResponseWriter, param string, code int) {
	desc := param + " is invalid"
	if code == 9 {
		desc = param + " is required"
	}
	writeError(w, http.StatusUnprocessableEntity, code, desc, param)
}

// recipientDigits returns the recipient of a create request as digits:
// MessageBird takes a JSON number or a string.
func recipientDigits(raw json.RawMessage) (string, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil && n != "" {
		return string(n), true
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return "", false
	}
	return strings.TrimPrefix(str, "+"), true
}

// validRecipient reports whether s is 8 to 15 digits, the first not zero.
func validRecipient(s string) bool { return digits(s) && len(s) >= 8 && len(s) <= 15 && s[0] != '0' }

// validOriginator reports whether s is a phone number (up to 15 digits,
// "+" allowed) or up to 11 letters and digits.
func validOriginator(s string) bool {
	n := strings.TrimPrefix(s, "+")
	return digits(n) && len(n) <= 15 || alnum(s) && len(s) <= 11
}

func oneOf(values ...string) func(string) bool {
	return func(s string) bool { return slices.Contains(values, s) }
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// create answers POST /verify: 201 with the new Verify object, or 422
// naming the first bad parameter.
func (s *Server) create(w http.ResponseWriter, r *http.Request, body []byte) {
	p, ok := parseCreate(r, body)
	if !ok {
		writeError(w, http.StatusBadRequest, 21, "Bad request (malformed body)", "")
		return
	}
	if param, code := p.check(); param != "" {
		writeParamError(w, param, code)
		return
	}
	timeout := *p.Timeout
	code := s.code
	if code == "" {
		code = randomFrom(*p.TokenLength, "0123456789")
	}

	s.mu.Lock()
	now := s.now().UTC().Truncate(time.Second)
	id := randomFrom(32, idAlphabet)
	for s.byID[id] != nil {
		id = randomFrom(32, idAlphabet)
	}
	e := &entry{
		msg: Message{
			ID: id, Recipient: p.recipient, Type: p.Type, Originator: p.Originator,
			Reference: p.Reference, Text: strings.ReplaceAll(p.Template, "%token", code), DataCoding: p.DataCoding,
			Code: code, Voice: p.Voice, Language: p.Language, Timeout: timeout,
			TokenLength: *p.TokenLength, MaxAttempts: *p.MaxAttempts, SentAt: now,
		},
		status:  "sent",
		created: now,
		until:   now.Add(time.Duration(timeout) * time.Second),
	}
	s.byID[id] = e
	s.messages = append(s.messages, e.msg)
	obj := s.object(r, e)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, obj)
}
