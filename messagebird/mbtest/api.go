package mbtest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
)

// idAlphabet is what verification ids are made of.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// apiError is one entry of MessageBird's error body.
type apiError struct {
	Code        int     `json:"code"`
	Description string  `json:"description"`
	Parameter   *string `json:"parameter"`
}

func writeError(w http.ResponseWriter, status, code int, desc, param string) {
	e := apiError{Code: code, Description: desc}
	if param != "" {
		e.Parameter = &param
	}
	writeJSON(w, status, struct {
		Errors []apiError `json:"errors"`
	}{[]apiError{e}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AccessKey ")
	if !ok || subtle.ConstantTimeCompare([]byte(key), []byte(s.key)) != 1 {
		writeError(w, http.StatusUnauthorized, 2, "Request not allowed (incorrect access_key)", "access_key")
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/verify" && r.Method == http.MethodPost:
		s.create(w, r, body)
	case path == "/messages" && r.Method == http.MethodPost:
		s.send(w, r, body, "sms")
	case path == "/voicemessages" && r.Method == http.MethodPost:
		s.send(w, r, body, "voice")
	case strings.HasPrefix(path, "/verify/") && !strings.Contains(path[len("/verify/"):], "/"):
		id := path[len("/verify/"):]
		switch r.Method {
		case http.MethodGet:
			if q := r.URL.Query(); q.Has("token") {
				s.check(w, r, id, q.Get("token"))
			} else {
				s.read(w, r, id)
			}
		case http.MethodDelete:
			s.delete(w, id)
		default:
			writeError(w, http.StatusMethodNotAllowed, 21, "Bad request (method not allowed)", "")
		}
	default:
		writeError(w, http.StatusNotFound, 98, "API not found", "")
	}
}

// verifyObject is MessageBird's Verify object.
type verifyObject struct {
	ID                 string            `json:"id"`
	Href               string            `json:"href"`
	Recipient          json.Number       `json:"recipient"`
	Reference          *string           `json:"reference"`
	Originator         string            `json:"originator"`
	Type               string            `json:"type"`
	Status             string            `json:"status"`
	Messages           map[string]string `json:"messages"`
	CreatedDatetime    string            `json:"createdDatetime"`
	ValidUntilDatetime string            `json:"validUntilDatetime"`
}

// timeLayout is RFC 3339 as MessageBird writes it, in UTC with "+00:00".
const timeLayout = "2006-01-02T15:04:05+00:00"

// object renders e, after moving it to "expired" when its time is up;
// s.mu must be held.
func (s *Server) object(r *http.Request, e *entry) verifyObject {
	s.refresh(e)
	href := "http://" + r.Host + "/verify/" + e.msg.ID
	o := verifyObject{
		ID: e.msg.ID, Href: href, Recipient: json.Number(e.msg.Recipient),
		Originator: e.msg.Originator, Type: e.msg.Type, Status: e.status,
		Messages:           map[string]string{"href": href + "/messages"},
		CreatedDatetime:    e.created.Format(timeLayout),
		ValidUntilDatetime: e.until.Format(timeLayout),
	}
	if e.msg.Reference != "" {
		ref := e.msg.Reference
		o.Reference = &ref
	}
	return o
}

// refresh moves a waiting verification past its validity to "expired";
// s.mu must be held.
func (s *Server) refresh(e *entry) {
	if e.status == "sent" && !s.now().Before(e.until) {
		e.status = "expired"
	}
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, 20, "Verify object could not be found", "")
}

func (s *Server) read(w http.ResponseWriter, r *http.Request, id string) {
	s.answer(w, r, id, func(*entry) string { return "" })
}

func (s *Server) check(w http.ResponseWriter, r *http.Request, id, token string) {
	s.answer(w, r, id, func(e *entry) string {
		switch {
		case token == "": // MessageBird answers an empty token with the object, unchanged.
		case e.status == "expired":
			return "The token has expired."
		case e.status == "verified" || e.status == "failed":
			return "The token has already been processed."
		case subtle.ConstantTimeCompare([]byte(token), []byte(e.msg.Code)) != 1:
			e.attempts++
			if e.attempts >= e.msg.MaxAttempts {
				e.status = "failed"
			}
			return "The token is invalid."
		default:
			e.status = "verified"
		}
		return ""
	})
}

// answer answers a request about the verification id: 404 when there is
// none, else it applies do to it (under s.mu, after moving it to
// "expired" when its time is up), then answers with the object, or with
// a code 10 error when do returns a description.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, id string, do func(*entry) string) {
	s.mu.Lock()
	e := s.byID[id]
	if e == nil {
		s.mu.Unlock()
		notFound(w)
		return
	}
	s.refresh(e)
	desc := do(e)
	obj := s.object(r, e)
	s.mu.Unlock()
	if desc != "" {
		writeError(w, 422, 10, desc, "token")
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

func (s *Server) delete(w http.ResponseWriter, id string) {
	s.mu.Lock()
	_, ok := s.byID[id]
	delete(s.byID, id)
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// randomFrom returns n characters drawn uniformly from alphabet (shorter
// than 256 characters) with crypto/rand.
func randomFrom(n int, alphabet string) string {
	b := make([]byte, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for i := 0; i < n; {
		rand.Read(buf[:])
		for _, c := range buf {
			if int(c) < limit && i < n {
				b[i] = alphabet[int(c)%len(alphabet)]
				i++
			}
		}
	}
	return string(b)
}
