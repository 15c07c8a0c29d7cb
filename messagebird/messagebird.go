package messagebird

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	mbverify "github.com/messagebird/go-rest-api/v9/verify"

	"github.com/phoneverify/verify"
)

var (
	_ verify.Provider       = (*Provider)(nil)
	_ verify.StatusProvider = (*Provider)(nil)
	_ verify.Canceler       = (*Provider)(nil)
)

// Provider sends and checks codes with MessageBird's Verify API. Create it
// with New; it is safe for concurrent use and keeps its connections alive
// between calls, so create one and share it.
type Provider struct {
	cl client
}

// New returns a Provider that authenticates with accessKey (a live or
// test key from MessageBird's dashboard). An empty or malformed key, or a
// bad option, gives an error matching verify.ErrInvalidOption; the key
// never appears in it. The options of NewSender alone are refused.
func New(accessKey string, opts ...Option) (*Provider, error) {
	cl, cfg, err := newClient(accessKey, opts)
	if err != nil {
		return nil, err
	}
	if cfg.senderOnly != "" {
		return nil, invalidOption("%s is an option of NewSender", cfg.senderOnly)
	}
	return &Provider{cl: cl}, nil
}

// CloseIdleConnections closes the idle keep-alive connections of the
// Provider's transport (that of WithHTTPClient, when given).
func (p *Provider) CloseIdleConnections() { p.cl.closeIdleConnections() }

// createRequest is the body of POST /verify: go-rest-api's own request
// type has no maxAttempts.
type createRequest struct {
	Recipient   string `json:"recipient"`
	Type        string `json:"type"`
	Originator  string `json:"originator,omitempty"`
	Reference   string `json:"reference,omitempty"`
	Template    string `json:"template,omitempty"`
	DataCoding  string `json:"datacoding,omitempty"`
	Voice       string `json:"voice,omitempty"`
	Language    string `json:"language,omitempty"`
	Timeout     int    `json:"timeout,omitempty"`
	TokenLength int    `json:"tokenLength,omitempty"`
	MaxAttempts int    `json:"maxAttempts,omitempty"`
}

// newCreateRequest maps req onto MessageBird's fields, refusing what
// MessageBird would refuse. A zero TokenLength, Validity or MaxAttempts
// leaves MessageBird's default (6, 30 s, 1).
func newCreateRequest(req verify.Request) (*createRequest, error) {
	if !e164(req.Phone) {
		return nil, &verify.PhoneError{Code: "format", Reason: "the number is not in international (E.164) form"}
	}
	cr := &createRequest{
		Recipient:   req.Phone[1:],
		Originator:  req.Originator,
		Reference:   req.Reference,
		Template:    req.Template,
		TokenLength: req.TokenLength,
		MaxAttempts: req.MaxAttempts,
	}
	switch req.Channel {
	case verify.Voice:
		cr.Type = "tts"
		switch req.Voice {
		case "", verify.Female, verify.Male:
		default:
			return nil, invalidOption("voice %q is not female or male", req.Voice)
		}
		cr.Voice = string(req.Voice)
		cr.Language = req.Language
	case verify.SMS:
		cr.Type = "sms"
		// MessageBird's default is plain (GSM 03.38): a template in
		// Cyrillic, CJK or with most accents would arrive garbled.
		cr.DataCoding = "auto"
	default:
		return nil, invalidOption("channel %q is not voice or sms", req.Channel)
	}
	if req.Template != "" && !strings.Contains(req.Template, "%token") {
		return nil, invalidOption("the template does not contain %%token")
	}
	if req.TokenLength != 0 && (req.TokenLength < 6 || req.TokenLength > 10) {
		return nil, invalidOption("token length %d is not within 6 to 10", req.TokenLength)
	}
	if req.MaxAttempts != 0 && (req.MaxAttempts < 1 || req.MaxAttempts > 10) {
		return nil, invalidOption("max attempts %d is not within 1 to 10", req.MaxAttempts)
	}
	if req.Validity != 0 {
		secs := math.Ceil(req.Validity.Seconds())
		if secs < 30 || secs > 259200 {
			return nil, invalidOption("validity %s is not within 30s to 72h", req.Validity)
		}
		cr.Timeout = int(secs)
	}
	return cr, nil
}

// validID reports whether id can be a MessageBird id: 1 to 64 ASCII
// letters and digits (MessageBird's have 32). Anything else could corrupt
// the request URL, which go-rest-api builds without escaping.
func validID(id string) bool { return len(id) <= 64 && only(id, isAlnum) }

// validCode reports whether code is 4 to 10 digits: go-rest-api puts it
// into the URL unescaped, and an empty code "succeeds" without an error.
func validCode(code string) bool { return len(code) >= 4 && len(code) <= 10 && only(code, isDigit) }

var (
	errBadID   = fmt.Errorf("%w: messagebird: malformed id (want letters and digits)", verify.ErrNotFound)
	errBadCode = fmt.Errorf("%w: messagebird: malformed code (want 4 to 10 digits)", verify.ErrInvalidCode)
)

// Start creates a verification and has MessageBird call (Voice) or text
// (SMS) its code. See the package documentation for the mapping.
func (p *Provider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	body, err := newCreateRequest(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := p.cl.bound(ctx)
	defer cancel()
	c := p.cl.newCall(ctx)
	c.number = body.Recipient
	var r response
	if err := c.Request(&r, http.MethodPost, "verify", body); err != nil {
		return nil, c.fail(opStart, err)
	}
	return c.verification(&r, req.Channel)
}

// Check submits code for the verification id. It succeeds only when
// MessageBird answers with status "verified".
func (p *Provider) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	if !validID(id) {
		return nil, errBadID
	}
	if !validCode(code) {
		return nil, errBadCode
	}
	ctx, cancel := p.cl.bound(ctx)
	defer cancel()
	c := p.cl.newCall(ctx)
	c.once, c.code = true, code
	var r response
	if err := c.Request(&r, http.MethodGet, "verify/"+id+"?token="+code, nil); err != nil {
		pe := c.fail(opCheck, err)
		if pe.Code == 10 && (pe.Err == verify.ErrInvalidCode || strings.Contains(strings.ToLower(pe.Description), "processed")) {
			p.refineWrongCode(ctx, id, pe)
		}
		return nil, pe
	}
	ver, err := c.verification(&r, "")
	if err != nil {
		return nil, err
	}
	if ver.ID != id {
		return nil, c.malformed("the answer is about another verification")
	}
	var sentinel error
	switch ver.Status {
	case verify.StatusVerified:
		return ver, nil
	case verify.StatusPending:
		sentinel = verify.ErrInvalidCode
	case verify.StatusFailed:
		sentinel = verify.ErrTooManyAttempts
	default: // expired, canceled
		sentinel = verify.ErrExpired
	}
	return nil, &verify.ProviderError{
		Provider:    providerName,
		HTTPStatus:  c.status,
		Description: "status " + r.Status + " after a check",
		Err:         sentinel,
	}
}

// refineWrongCode reads the verification after MessageBird refused a code
// as invalid, because that answer does not say whether the attempts ran
// out: when the status is now "failed", pe becomes ErrTooManyAttempts.
// When the read fails, pe stays as it is.
func (p *Provider) refineWrongCode(ctx context.Context, id string, pe *verify.ProviderError) {
	v, err := mbverify.Read(p.cl.newCall(ctx), id)
	if err != nil {
		return
	}
	switch v.Status {
	case "failed":
		pe.Err = verify.ErrTooManyAttempts
	case "expired", "verified", "deleted":
		pe.Err = verify.ErrExpired
	}
}

// Status reads a verification.
func (p *Provider) Status(ctx context.Context, id string) (*verify.Verification, error) {
	if !validID(id) {
		return nil, errBadID
	}
	ctx, cancel := p.cl.bound(ctx)
	defer cancel()
	c := p.cl.newCall(ctx)
	var r response
	if err := c.Request(&r, http.MethodGet, "verify/"+id, nil); err != nil {
		return nil, c.fail(opRead, err)
	}
	ver, err := c.verification(&r, "")
	if err == nil && ver.ID != id {
		return nil, c.malformed("the answer is about another verification")
	}
	return ver, err
}

// Cancel deletes a verification at MessageBird: its code stops working
// and the id becomes unknown (ErrNotFound).
func (p *Provider) Cancel(ctx context.Context, id string) error {
	if !validID(id) {
		return errBadID
	}
	ctx, cancel := p.cl.bound(ctx)
	defer cancel()
	c := p.cl.newCall(ctx)
	if err := mbverify.Delete(c, id); err != nil {
		return c.fail(opDelete, err)
	}
	return nil
}

// response is MessageBird's Verify object: go-rest-api's type, which
// decodes numeric and string recipients, plus the type it leaves out.
type response struct {
	mbverify.Verify
	Type string
}

// UnmarshalJSON decodes b with go-rest-api's decoder, then reads "type",
// which that decoder leaves out. A type that is not a string reads as
// none, like an absent one: the channel then comes from the request.
func (r *response) UnmarshalJSON(b []byte) error {
	if err := r.Verify.UnmarshalJSON(b); err != nil {
		return err
	}
	var t struct {
		Type string `json:"type"`
	}
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal(b, &t); err != nil && !errors.As(err, &te) {
		return err
	}
	r.Type = t.Type
	return nil
}

// malformed is the error for an answer that cannot be used.
func (c *call) malformed(why string) error {
	return &verify.ProviderError{
		Provider: providerName, HTTPStatus: c.status,
		Err: fmt.Errorf("%w: malformed response: %s", verify.ErrUnavailable, why),
	}
}

// verification converts a Verify object; ch is used when it has no type.
func (c *call) verification(r *response, ch verify.Channel) (*verify.Verification, error) {
	malformed := c.malformed
	if !validID(r.ID) {
		return nil, malformed("bad id")
	}
	digits := strings.TrimPrefix(r.Recipient, "+")
	if !e164("+" + digits) {
		return nil, malformed("recipient is not a phone number")
	}
	status, ok := mapStatus(r.Status)
	if !ok {
		return nil, malformed(fmt.Sprintf("unknown status %q", r.Status))
	}
	switch r.Type {
	case "tts":
		ch = verify.Voice
	case "sms", "flash":
		ch = verify.SMS
	}
	ver := &verify.Verification{ID: r.ID, Phone: "+" + digits, Channel: ch, Status: status, Provider: providerName}
	if r.CreatedDatetime != nil {
		ver.CreatedAt = *r.CreatedDatetime
	}
	if r.ValidUntilDatetime != nil {
		ver.ExpiresAt = *r.ValidUntilDatetime
	}
	return ver, nil
}

// mapStatus maps MessageBird's statuses to verify's.
func mapStatus(s string) (verify.Status, bool) {
	switch s {
	case "sent":
		return verify.StatusPending, true
	case "verified":
		return verify.StatusVerified, true
	case "expired":
		return verify.StatusExpired, true
	case "failed":
		return verify.StatusFailed, true
	case "deleted":
		return verify.StatusCanceled, true
	}
	return "", false
}
