package fake

import (
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"
)

//go:embed inbox.html
var inboxHTML string

// Inbox returns a handler that lists the messages "sent", newest first: an
// HTML page for browsers, JSON for requests that accept application/json.
// Mount it only in development (the webapp example serves it at
// /dev/inbox): it shows every code.
func (p *Provider) Inbox() http.Handler { return p.box.inbox() }

// inbox returns the handler of Provider.Inbox and Sender.Inbox.
func (o *outbox) inbox() http.Handler {
	tmpl := template.Must(template.New("inbox").Parse(inboxHTML))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		msgs := o.list()
		slices.Reverse(msgs)
		w.Header().Set("Cache-Control", "no-store")
		if strings.Contains(r.Header.Get("Accept"), "application/json") {
			w.Header().Set("Content-Type", "application/json")
			out := make([]inboxJSON, len(msgs))
			for i, m := range msgs {
				out[i] = inboxJSON{
					ID: m.ID, Phone: m.Phone, Channel: string(m.Channel), Text: m.Text,
					Code: m.Code, Voice: string(m.Voice), Language: m.Language,
					SentAt: m.SentAt, ExpiresAt: m.ExpiresAt,
				}
			}
			json.NewEncoder(w).Encode(map[string]any{"messages": out})
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		tmpl.Execute(w, msgs)
	})
}

type inboxJSON struct {
	ID        string    `json:"id,omitempty"`
	Phone     string    `json:"phone"`
	Channel   string    `json:"channel"`
	Text      string    `json:"text"`
	Code      string    `json:"code"`
	Voice     string    `json:"voice,omitempty"`
	Language  string    `json:"language,omitempty"`
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}
