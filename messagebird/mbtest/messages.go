package mbtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// voiceLanguages are the languages of MessageBird's Voice Messages API,
// space-separated: more than the Verify API's.
const voiceLanguages = "cy-gb da-dk de-de el-gr en-au en-gb en-gb-wls en-in en-us es-es es-mx es-us fr-ca fr-fr id-id is-is it-it ja-jp ko-kr ms-my nb-no nl-nl pl-pl pt-br pt-pt ro-ro ru-ru sv-se ta-in th-th tr-tr vi-vn zh-cn zh-hk"

// Sent is one message the Server "sent" through the Messages API (an
// SMS) or the Voice Messages API (a call), as the request asked for it,
// with MessageBird's defaults filled in.
type Sent struct {
	// ID is the id of the message.
	ID string
	// Channel is "sms" (POST /messages) or "voice" (POST /voicemessages).
	Channel string
	// Recipients are the numbers, as digits without "+".
	Recipients []string
	// Originator is the sender as requested; for voice "" when none was
	// given.
	Originator string
	// Body is the text, as sent or read out.
	Body string
	// Reference is the reference as requested, "" when none was given.
	Reference string
	// Type is "sms", "binary" or "flash" ("sms" when none was given);
	// "" for voice.
	Type string
	// DataCoding is "plain", "unicode" or "auto" ("plain" when none was
	// given); "" for voice.
	DataCoding string
	// Language is the spoken language, such as "nl-nl" ("en-gb" when
	// none was given); "" for SMS.
	Language string
	// Voice is "female" or "male" ("female" when none was given); "" for
	// SMS.
	Voice string
	// Repeat is how many times the body is read out (1 when none was
	// given); 0 for SMS.
	Repeat int
	// IfMachine is "continue", "delay" or "hangup" ("delay", MessageBird's
	// default, when none was given); "" for SMS.
	IfMachine string
	// SentAt is the Server's time (its clock plus Advance) at creation.
	SentAt time.Time
}

// Sent returns every SMS and voice message sent, oldest first.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	sent := slices.Clone(s.sent)
	for i := range sent {
		sent[i].Recipients = slices.Clone(sent[i].Recipients)
	}
	return sent
}

// LastText returns the body of the SMS or voice message most recently
// sent to recipient, given as digits or in E.164 ("+31612345678").
func (s *Server) LastText(recipient string) (string, bool) {
	recipient = strings.TrimPrefix(recipient, "+")
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sent) - 1; i >= 0; i-- {
		if slices.Contains(s.sent[i].Recipients, recipient) {
			return s.sent[i].Body, true
		}
	}
	return "", false
}

// messageParams are the fields of POST /messages and POST
// /voicemessages, as received.
type messageParams struct {
	Recipients     json.RawMessage `json:"recipients"`
	Originator     string          `json:"originator"`
	Body           string          `json:"body"`
	Reference      string          `json:"reference"`
	Type           string          `json:"type"`
	DataCoding     string          `json:"datacoding"`
	Validity       *int            `json:"validity"`
	MClass         *int            `json:"mclass"`
	Language       string          `json:"language"`
	Voice          string          `json:"voice"`
	Repeat         *int            `json:"repeat"`
	IfMachine      string          `json:"ifMachine"`
	MachineTimeout *int            `json:"machineTimeout"`
}

// maxRecipients is the most recipients one message may have.
const maxRecipients = 50

// recipients reads the recipients: a JSON array of numbers or strings,
// or one string of numbers separated by commas. It returns them as
// digits, and the error code and parameter when they are missing (9) or
// bad (10).
func (p *messageParams) recipients() ([]string, int) {
	if len(p.Recipients) == 0 || string(p.Recipients) == "null" {
		return nil, 9
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(p.Recipients, &raw); err != nil {
		var list string
		if json.Unmarshal(p.Recipients, &list) != nil {
			return nil, 10
		}
		for r := range strings.SplitSeq(list, ",") {
			b, _ := json.Marshal(strings.TrimSpace(r))
			raw = append(raw, b)
		}
	}
	if len(raw) == 0 {
		return nil, 9
	}
	if len(raw) > maxRecipients {
		return nil, 10
	}
	var out []string
	for _, r := range raw {
		d, ok := recipientDigits(r)
		if !ok || !validRecipient(d) {
			return nil, 10
		}
		out = append(out, d)
	}
	return out, 0
}

// checkSMS fills in MessageBird's defaults for an SMS and checks the
// parameters. It returns the first bad one with MessageBird's error code
// (9 missing, 10 bad), or "" when all are good.
func (p *messageParams) checkSMS() (param string, code int) {
	if p.Originator == "" {
		return "originator", 9
	}
	if p.Body == "" {
		return "body", 9
	}
	texts := []textParam{
		{"originator", &p.Originator, "", validOriginator},
		{"type", &p.Type, "sms", oneOf("sms", "binary", "flash")},
		{"datacoding", &p.DataCoding, "plain", oneOf("plain", "unicode", "auto")},
	}
	if param := checkTexts(texts); param != "" {
		return param, 10
	}
	if p.Validity != nil && *p.Validity < 0 {
		return "validity", 10
	}
	if p.MClass != nil && *p.MClass != 0 && *p.MClass != 1 {
		return "mclass", 10
	}
	return "", 0
}

// maxVoiceBody is the most characters the body of a voice message may
// have.
const maxVoiceBody = 1000

// checkVoice does what checkSMS does, for a voice message.
func (p *messageParams) checkVoice() (param string, code int) {
	if p.Body == "" {
		return "body", 9
	}
	if utf8.RuneCountInString(p.Body) > maxVoiceBody {
		return "body", 10
	}
	texts := []textParam{
		{"originator", &p.Originator, "", func(s string) bool { return s == "" || digits(strings.TrimPrefix(s, "+")) && len(s) <= 16 }},
		{"language", &p.Language, "en-gb", oneOf(strings.Fields(voiceLanguages)...)},
		{"voice", &p.Voice, "female", oneOf("female", "male")},
		{"ifMachine", &p.IfMachine, "delay", oneOf("continue", "delay", "hangup")},
	}
	if param := checkTexts(texts); param != "" {
		return param, 10
	}
	numbers := []numberParam{
		{"repeat", &p.Repeat, 1, 1, 10},
		{"machineTimeout", &p.MachineTimeout, 0, 0, 10000},
	}
	if param := checkNumbers(numbers); param != "" {
		return param, 10
	}
	return "", 0
}

// send answers POST /messages (channel "sms") and POST /voicemessages
// ("voice"): 201 with the new message object, or MessageBird's error
// naming the first bad parameter.
func (s *Server) send(w http.ResponseWriter, r *http.Request, body []byte, channel string) {
	var p messageParams
	if json.Unmarshal(body, &p) != nil {
		writeError(w, http.StatusBadRequest, 21, "Bad request (malformed body)", "")
		return
	}
	recipients, code := p.recipients()
	param := "recipients"
	if code == 0 {
		if channel == "sms" {
			param, code = p.checkSMS()
		} else {
			param, code = p.checkVoice()
		}
	}
	if code != 0 {
		writeParamError(w, param, code)
		return
	}
	s.mu.Lock()
	now := s.now().UTC().Truncate(time.Second)
	m := Sent{
		ID: randomFrom(32, idAlphabet), Channel: channel, Recipients: recipients,
		Originator: p.Originator, Body: p.Body, Reference: p.Reference, SentAt: now,
	}
	if channel == "sms" {
		m.Type, m.DataCoding = p.Type, p.DataCoding
	} else {
		m.Language, m.Voice, m.Repeat, m.IfMachine = p.Language, p.Voice, *p.Repeat, p.IfMachine
	}
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, messageObject(r, m, p))
}

// messageObject renders m as MessageBird's message object (SMS) or voice
// message object.
func messageObject(r *http.Request, m Sent, p messageParams) map[string]any {
	path := "/messages/"
	if m.Channel == "voice" {
		path = "/voicemessages/"
	}
	created := m.SentAt.Format(timeLayout)
	items := make([]map[string]any, len(m.Recipients))
	for i, rc := range m.Recipients {
		items[i] = map[string]any{"recipient": json.Number(rc), "status": "sent", "statusDatetime": created}
	}
	o := map[string]any{
		"id": m.ID, "href": "http://" + r.Host + path + m.ID,
		"originator": nullable(m.Originator), "body": m.Body, "reference": nullable(m.Reference),
		"scheduledDatetime": nil, "createdDatetime": created,
		"recipients": map[string]any{
			"totalCount": len(items), "totalSentCount": len(items),
			"totalDeliveredCount": 0, "totalDeliveryFailedCount": 0, "items": items,
		},
	}
	if m.Channel == "sms" {
		o["direction"], o["type"], o["datacoding"] = "mt", m.Type, m.DataCoding
		o["validity"], o["mclass"], o["gateway"], o["typeDetails"] = p.Validity, 1, 10, map[string]any{}
		if p.MClass != nil {
			o["mclass"] = *p.MClass
		}
	} else {
		o["language"], o["voice"], o["repeat"], o["ifMachine"] = m.Language, m.Voice, m.Repeat, m.IfMachine
		o["machineTimeout"] = *p.MachineTimeout
	}
	return o
}

// nullable is s, or JSON null when s is empty.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
