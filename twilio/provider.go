package twilio

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	verifyv2 "github.com/twilio/twilio-go/rest/verify/v2"

	"github.com/phoneverify/verify"
)

var (
	_ verify.Provider       = (*Provider)(nil)
	_ verify.StatusProvider = (*Provider)(nil)
	_ verify.Canceler       = (*Provider)(nil)
)

// Twilio's fixed limits per verification.
const (
	twilioChecks          = 5                // checks Twilio allows
	defaultValidity       = 10 * time.Minute // a Service's code validity unless Support changed it
	minValidity           = 2 * time.Minute
	maxValidity           = 24 * time.Hour
	defaultCodeLength     = 6
	maxFriendlyName       = 30
	recordRetention       = 24 * time.Hour // how long a record outlives its code
	storePrefix           = "twilio:"
	maxReference          = 128
	friendlyNameParameter = "WithAppName"
)

// Provider sends and checks codes with Twilio's Verify API (v2). Create
// it with New; it is safe for concurrent use and keeps its connections
// alive between calls, so create one and share it.
type Provider struct {
	c        *client
	service  string         // the main Service
	length   int            // its code length
	services map[int]string // more Services, by code length
	validity time.Duration  // the Services' code validity
	store    verify.LimitStore
	now      func() time.Time
}

// WithCodeLength tells the Provider the code length of the Service given
// to New: 4 to 10, default 6 (Twilio's default). Twilio sets it per
// Service, in the console or with the Services API; a start asking for
// another length is refused unless WithService names a Service for it.
func WithCodeLength(n int) Option {
	return optionFunc(func(cfg *config) {
		if n < 4 || n > 10 {
			cfg.err = optionError("WithCodeLength(%d): a Service's code length is 4 to 10", n)
		}
		cfg.length, cfg.only = n, "WithCodeLength"
	})
}

// WithService adds a Service whose codes have codeLength digits (4 to
// 10), for verifications that ask for that length (verify.WithTokenLength).
// Default: only the Service given to New.
func WithService(codeLength int, serviceSID string) Option {
	return optionFunc(func(cfg *config) {
		switch {
		case codeLength < 4 || codeLength > 10:
			cfg.err = optionError("WithService(%d, ...): a Service's code length is 4 to 10", codeLength)
		case !validSID(serviceSID, "VA"):
			cfg.err = optionError("WithService: the Service SID is not VA and 32 hexadecimal digits")
		default:
			if cfg.services == nil {
				cfg.services = map[int]string{}
			}
			cfg.services[codeLength], cfg.only = serviceSID, "WithService"
		}
	})
}

// WithValidity tells the Provider how long its Services' codes stay
// valid: 2 minutes to 24 hours, default Twilio's 10 minutes (Twilio's
// Support changes it per Service). A verification may ask for less, which
// the Provider enforces itself; a start asking for more is refused.
func WithValidity(d time.Duration) Option {
	return optionFunc(func(cfg *config) {
		if d < minValidity || d > maxValidity {
			cfg.err = optionError("WithValidity(%s): Twilio's code validity is 2m to 24h", d)
		}
		cfg.validity, cfg.only = d, "WithValidity"
	})
}

// WithStore keeps the Provider's record of each verification (see New) in
// store, such as the redislimit module's, so that app instances behind a
// load balancer share them. Default: an in-memory store of the
// Provider's own, which serves one instance.
func WithStore(store verify.LimitStore) Option {
	return optionFunc(func(cfg *config) {
		if store == nil {
			cfg.err = optionError("WithStore(nil)")
		}
		cfg.store, cfg.only = store, "WithStore"
	})
}

// New returns a Provider that starts verifications with the Verify
// Service serviceSID of the account accountSID, authenticating with
// authToken. A malformed SID or token, or a bad option, gives an error
// matching verify.ErrInvalidOption; the token never appears in it. New
// makes no request.
func New(accountSID, authToken, serviceSID string, opts ...Option) (*Provider, error) {
	cfg, err := newConfig(config{length: defaultCodeLength, validity: defaultValidity}, opts)
	if err != nil {
		return nil, err
	}
	if cfg.senderOnly != "" {
		return nil, optionError("%s is an option of NewSender: a Provider does not take it", cfg.senderOnly)
	}
	if !validSID(serviceSID, "VA") {
		return nil, optionError("the Service SID is not VA and 32 hexadecimal digits")
	}
	c, err := newClient(accountSID, authToken, &cfg)
	if err != nil {
		return nil, err
	}
	p := &Provider{c: c, service: serviceSID, length: cfg.length, services: cfg.services,
		validity: cfg.validity, store: cfg.store, now: cfg.now}
	if p.now == nil {
		p.now = time.Now
	}
	if p.store == nil {
		p.store = &verify.MemoryLimiter{Now: p.now}
	}
	return p, nil
}

// CloseIdleConnections closes the idle keep-alive connections of the
// Provider's transport (that of WithHTTPClient, when given).
func (p *Provider) CloseIdleConnections() { p.c.closeIdle() }

// record is what the Provider keeps of a verification in its store:
// what Twilio forgets once a verification ends, and the limits Twilio
// cannot be asked for. It is stored as its fields separated by "|", in
// the order below (see encode): no field holds a "|".
type record struct {
	State    verify.Status  // pending, verified, canceled, failed
	Max      int            // wrong codes allowed
	Created  int64          // Unix milliseconds
	Expires  int64          // Unix milliseconds
	Channel  verify.Channel // voice, sms
	Language string         // such as "en-gb"
	Phone    string         // E.164
}

func (r *record) encode() string {
	return strings.Join([]string{string(r.State), strconv.Itoa(r.Max), strconv.FormatInt(r.Created, 10),
		strconv.FormatInt(r.Expires, 10), string(r.Channel), r.Language, r.Phone}, "|")
}

func decode(s string) (*record, bool) {
	f := strings.Split(s, "|")
	if len(f) != 7 {
		return nil, false
	}
	r := &record{State: verify.Status(f[0]), Channel: verify.Channel(f[4]), Language: f[5], Phone: f[6]}
	var err1, err2, err3 error
	r.Max, err1 = strconv.Atoi(f[1])
	r.Created, err2 = strconv.ParseInt(f[2], 10, 64)
	r.Expires, err3 = strconv.ParseInt(f[3], 10, 64)
	return r, err1 == nil && err2 == nil && err3 == nil && e164(r.Phone)
}

func (r *record) verification(id string) *verify.Verification {
	return &verify.Verification{ID: id, Phone: r.Phone, Channel: r.Channel, Language: r.Language,
		Status: r.State, CreatedAt: time.UnixMilli(r.Created).UTC(), ExpiresAt: time.UnixMilli(r.Expires).UTC(),
		Provider: providerName}
}

func (p *Provider) recordKey(id string) string { return storePrefix + "v:" + id }
func (p *Provider) wrongKey(id string) string  { return storePrefix + "w:" + id }

func (p *Provider) load(ctx context.Context, id string) (*record, error) {
	s, ok, err := p.store.Get(ctx, p.recordKey(id))
	if err != nil {
		return nil, storeFailure(err)
	}
	if !ok {
		return nil, nil
	}
	r, ok := decode(s)
	if !ok {
		return nil, storeFailure(fmt.Errorf("a record that does not decode"))
	}
	return r, nil
}

func (p *Provider) save(ctx context.Context, id string, r *record) error {
	ttl := time.UnixMilli(r.Expires).Sub(p.now()) + recordRetention
	if err := p.store.Put(ctx, p.recordKey(id), r.encode(), max(ttl, time.Minute)); err != nil {
		return storeFailure(err)
	}
	return nil
}

func storeFailure(err error) error {
	return fmt.Errorf("%w: twilio: the store failed: %w", verify.ErrUnavailable, err)
}

func unsupported(option, why string) error {
	return fmt.Errorf("%w: twilio: %s: %s", verify.ErrUnsupported, option, why)
}

// serviceFor returns the Service that sends codes of length n (0: the
// main one) and the suffix of the ids of its verifications.
func (p *Provider) serviceFor(n int) (sid, suffix string, ok bool) {
	if n == 0 || n == p.length {
		return p.service, "", true
	}
	if sid, ok := p.services[n]; ok {
		return sid, "-" + strconv.Itoa(n), true
	}
	return "", "", false
}

// parseID splits an id into Twilio's verification SID and its Service.
func (p *Provider) parseID(id string) (sid, service string, ok bool) {
	sid, suffix, found := strings.Cut(id, "-")
	if !validSID(sid, "VE") {
		return "", "", false
	}
	if !found {
		return sid, p.service, true
	}
	n, err := strconv.Atoi(suffix)
	if err != nil || strconv.Itoa(n) != suffix {
		return "", "", false
	}
	service, ok = p.services[n]
	return sid, service, ok && n != p.length
}

var (
	errBadID   = fmt.Errorf("%w: twilio: not an id of this Provider's verifications", verify.ErrNotFound)
	errBadCode = fmt.Errorf("%w: twilio: malformed code (want 4 to 10 digits)", verify.ErrInvalidCode)
)

// params maps req onto Twilio's parameters, refusing what a Service
// cannot do (see the package documentation).
func (p *Provider) params(req verify.Request) (*verifyv2.CreateVerificationParams, string, string, time.Duration, int, error) {
	if !e164(req.Phone) {
		return nil, "", "", 0, 0, &verify.PhoneError{Code: "format", Reason: "the number is not in international (E.164) form"}
	}
	params := &verifyv2.CreateVerificationParams{}
	params.SetTo(req.Phone)
	switch req.Channel {
	case verify.Voice:
		params.SetChannel("call")
	case verify.SMS:
		params.SetChannel("sms")
	default:
		return nil, "", "", 0, 0, optionError("channel %q is not voice or sms", req.Channel)
	}
	service, suffix, ok := p.serviceFor(req.TokenLength)
	if !ok {
		return nil, "", "", 0, 0, unsupported(fmt.Sprintf("WithTokenLength(%d)", req.TokenLength),
			fmt.Sprintf("the Service sends %d-digit codes (Twilio sets the length per Service: give one for %d digits with twilio.WithService)", p.length, req.TokenLength))
	}
	validity := req.Validity
	switch {
	case validity == 0:
		validity = p.validity
	case validity > p.validity:
		return nil, "", "", 0, 0, unsupported(fmt.Sprintf("WithValidity(%s)", validity),
			fmt.Sprintf("Twilio's codes stay valid %s at most (set per Service by Twilio's Support; tell the Provider with twilio.WithValidity)", p.validity))
	}
	attempts := req.MaxAttempts
	switch {
	case attempts == 0:
		attempts = twilioChecks
	case attempts > twilioChecks:
		return nil, "", "", 0, 0, unsupported(fmt.Sprintf("WithMaxAttempts(%d)", attempts), "Twilio allows 5 checks of a code")
	case attempts < 0:
		return nil, "", "", 0, 0, optionError("max attempts %d is negative", attempts)
	}
	if req.CustomTemplate {
		return nil, "", "", 0, 0, unsupported("WithTemplate",
			"Twilio Verify writes its own texts (a Service's pre-approved templates); for a text of your own use the otp package over twilio.NewSender")
	}
	if req.Voice == verify.Male {
		return nil, "", "", 0, 0, unsupported("WithVoice(Male)", "Twilio Verify calls with its own voice, set per Service")
	}
	if req.Originator != "" {
		return nil, "", "", 0, 0, unsupported("WithOriginator", "Twilio Verify sends from its own numbers and sender names")
	}
	if req.Language != "" {
		locale, ok := locales[req.Language]
		if !ok {
			return nil, "", "", 0, 0, optionError("language %q is not one of verify.Languages()", req.Language)
		}
		params.SetLocale(locale)
	}
	if req.AppName != "" {
		if n := len([]rune(req.AppName)); n > maxFriendlyName {
			return nil, "", "", 0, 0, fmt.Errorf("%w: twilio: %s: Twilio takes an app name of at most %d characters, not %d",
				verify.ErrInvalidOption, friendlyNameParameter, maxFriendlyName, n)
		}
		params.SetCustomFriendlyName(req.AppName)
	}
	if req.Reference != "" {
		if len(req.Reference) > maxReference {
			return nil, "", "", 0, 0, optionError("the reference is longer than %d bytes", maxReference)
		}
		tags, _ := json.Marshal(map[string]string{"reference": req.Reference})
		params.SetTags(string(tags))
	}
	return params, service, suffix, validity, attempts, nil
}

// Start creates a verification and has Twilio call (Voice) or text (SMS)
// its code. See the package documentation for the mapping.
func (p *Provider) Start(ctx context.Context, req verify.Request) (*verify.Verification, error) {
	params, service, suffix, validity, attempts, err := p.params(req)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, canceledBefore(err)
	}
	ctx, cancel := p.c.bound(ctx)
	defer cancel()
	k := p.c.newCall(ctx)
	defer k.done()
	k.hide(req.Phone, "")
	v, err := k.verify().CreateVerification(service, params)
	if err != nil {
		return nil, k.fail(opStart, err)
	}
	if k.status/100 != 2 || v.Sid == nil || !validSID(*v.Sid, "VE") || v.To == nil || *v.To != req.Phone {
		return nil, k.malformed("not the verification asked for")
	}
	created := p.now()
	if v.DateCreated != nil {
		created = *v.DateCreated
	}
	r := &record{Phone: req.Phone, Channel: req.Channel, Language: languageOf(req.Language),
		Created: created.UnixMilli(), Expires: created.Add(validity).UnixMilli(), Max: attempts, State: verify.StatusPending}
	id := *v.Sid + suffix
	if v.SendCodeAttempts != nil && len(*v.SendCodeAttempts) > 1 {
		// Twilio sent the code of a pending verification again.
		if old, err := p.load(ctx, id); err == nil && old != nil && old.State == verify.StatusPending {
			r.Expires, r.Max = min(r.Expires, old.Expires), min(r.Max, old.Max) // keep its limits
		}
	}
	if err := p.save(ctx, id, r); err != nil {
		return nil, err
	}
	return r.verification(id), nil
}

// languageOf is the language a verification is in: Twilio has no
// Icelandic, which it then sends in English.
func languageOf(lang string) string {
	if lang == "is-is" {
		return "en-gb"
	}
	return lang
}

// malformed is the error for an answer that cannot be used.
func (k *call) malformed(why string) error {
	return &verify.ProviderError{Provider: providerName, HTTPStatus: k.status,
		Err: fmt.Errorf("%w: malformed response: %s", verify.ErrUnavailable, why)}
}

// Check submits code for the verification id. It succeeds only when
// Twilio answers "approved" within the verification's own validity and
// attempts.
func (p *Provider) Check(ctx context.Context, id, code string) (*verify.Verification, error) {
	sid, service, ok := p.parseID(id)
	if !ok {
		return nil, errBadID
	}
	if len(code) < 4 || len(code) > 10 || !isDigits(code) {
		return nil, errBadCode
	}
	if err := ctx.Err(); err != nil {
		return nil, canceledBefore(err)
	}
	r, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if r != nil {
		if err := p.ended(ctx, id, r); err != nil {
			return nil, err
		}
	}
	bctx, cancel := p.c.bound(ctx)
	defer cancel()
	k := p.c.newCall(bctx)
	defer k.done()
	k.once = true
	if r != nil {
		k.hide(r.Phone, code)
	} else {
		k.hide("", code)
	}
	params := &verifyv2.CreateVerificationCheckParams{}
	params.SetVerificationSid(sid)
	params.SetCode(code)
	v, err := k.verify().CreateVerificationCheck(service, params)
	if err != nil {
		pe := k.fail(opCheck, err)
		switch {
		case pe.Err == verify.ErrTooManyAttempts && r != nil:
			r.State = verify.StatusFailed
			p.save(ctx, id, r)
		case pe.Err == verify.ErrNotFound && r != nil:
			// Twilio forgets a verification once it is approved, expired,
			// canceled or used up.
			pe.Err = verify.ErrExpired
			if r.State == verify.StatusFailed {
				pe.Err = verify.ErrTooManyAttempts
			}
		}
		return nil, pe
	}
	if k.status/100 != 2 || v.Status == nil || v.To == nil || !e164(*v.To) || r != nil && *v.To != r.Phone {
		return nil, k.malformed("not a check of this verification")
	}
	if r == nil {
		r = p.twilioRecord(v.To, v.Channel, v.DateCreated)
	}
	switch *v.Status {
	case "approved":
		// Twilio's answer decides; should the record fail to say so, a
		// second check still finds the verification gone at Twilio.
		r.State = verify.StatusVerified
		p.save(ctx, id, r)
		return r.verification(id), nil
	case "pending":
		return nil, p.wrongCode(ctx, id, sid, service, r, k)
	case "max_attempts_reached":
		return nil, &verify.ProviderError{Provider: providerName, HTTPStatus: k.status, Description: "status max_attempts_reached", Err: verify.ErrTooManyAttempts}
	case "canceled", "expired", "deleted", "failed":
		return nil, &verify.ProviderError{Provider: providerName, HTTPStatus: k.status, Description: "status " + *v.Status, Err: verify.ErrExpired}
	}
	return nil, k.malformed("unknown status")
}

// ended returns the error for a check of a verification its record shows
// ended, or nil when it is live.
func (p *Provider) ended(ctx context.Context, id string, r *record) error {
	switch r.State {
	case verify.StatusVerified, verify.StatusCanceled, verify.StatusExpired:
		return verify.ErrExpired
	case verify.StatusFailed:
		return verify.ErrTooManyAttempts
	}
	if !p.now().Before(time.UnixMilli(r.Expires)) {
		return verify.ErrExpired
	}
	if r.Max >= twilioChecks {
		return nil // Twilio counts
	}
	n, err := p.store.Count(ctx, time.UnixMilli(r.Expires).Sub(p.now())+recordRetention, p.wrongKey(id))
	if err != nil || len(n) != 1 {
		return storeFailure(fmt.Errorf("count of wrong codes: %v", err))
	}
	if n[0] >= r.Max {
		return verify.ErrTooManyAttempts
	}
	return nil
}

// wrongCode counts a wrong code; the one that uses up the verification's
// attempts also cancels it at Twilio, so that its code is dead there too.
func (p *Provider) wrongCode(ctx context.Context, id, sid, service string, r *record, k *call) error {
	pe := &verify.ProviderError{Provider: providerName, HTTPStatus: k.status, Description: "status pending after a check", Err: verify.ErrInvalidCode}
	if r.Max >= twilioChecks {
		return pe // Twilio counts: its sixth check answers 60202
	}
	window := time.UnixMilli(r.Expires).Sub(p.now()) + recordRetention
	if _, _, err := p.store.Allow(ctx, p.wrongKey(id), r.Max, window); err != nil {
		return storeFailure(err)
	}
	n, err := p.store.Count(ctx, window, p.wrongKey(id))
	if err != nil || len(n) != 1 {
		return storeFailure(fmt.Errorf("count of wrong codes: %v", err))
	}
	if n[0] < r.Max {
		return pe
	}
	pe.Err = verify.ErrTooManyAttempts
	r.State = verify.StatusFailed
	p.save(ctx, id, r)
	bctx, cancel := p.c.bound(ctx)
	defer cancel()
	c := p.c.newCall(bctx)
	defer c.done()
	params := &verifyv2.UpdateVerificationParams{}
	params.SetStatus("canceled")
	c.verify().UpdateVerification(service, sid, params) // best effort: the record refuses further checks
	return pe
}

// twilioRecord stands for the record of a verification this Provider's
// store does not know (another instance without a shared store): a
// pending one that Twilio alone decides, with Twilio's own cap on checks
// and the Provider's validity from when Twilio created it.
func (p *Provider) twilioRecord(to, channel *string, created *time.Time) *record {
	r := &record{Phone: *to, Channel: channelOf(channel), State: verify.StatusPending, Max: twilioChecks}
	if created != nil {
		r.Created, r.Expires = created.UnixMilli(), created.Add(p.validity).UnixMilli()
	}
	return r
}

func channelOf(ch *string) verify.Channel {
	if ch != nil && *ch == "call" {
		return verify.Voice
	}
	return verify.SMS
}

// statusOf maps Twilio's statuses to verify's.
func statusOf(s string) (verify.Status, bool) {
	switch s {
	case "pending":
		return verify.StatusPending, true
	case "approved":
		return verify.StatusVerified, true
	case "canceled", "deleted":
		return verify.StatusCanceled, true
	case "expired":
		return verify.StatusExpired, true
	case "max_attempts_reached", "failed":
		return verify.StatusFailed, true
	}
	return "", false
}

// Status reads a verification. Twilio forgets a verification once it
// ends; the Provider's record then says how it ended.
func (p *Provider) Status(ctx context.Context, id string) (*verify.Verification, error) {
	sid, service, ok := p.parseID(id)
	if !ok {
		return nil, errBadID
	}
	if err := ctx.Err(); err != nil {
		return nil, canceledBefore(err)
	}
	r, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	bctx, cancel := p.c.bound(ctx)
	defer cancel()
	k := p.c.newCall(bctx)
	defer k.done()
	if r != nil {
		k.hide(r.Phone, "")
	}
	v, err := k.verify().FetchVerification(service, sid)
	if err != nil {
		pe := k.fail(opRead, err)
		if pe.Err != verify.ErrNotFound || r == nil {
			return nil, pe
		}
		ver := r.verification(id)
		if ver.Status == verify.StatusPending {
			ver.Status = verify.StatusExpired // Twilio forgot it: its time passed
		}
		return ver, nil
	}
	if k.status/100 != 2 || v.Sid == nil || *v.Sid != sid || v.Status == nil || v.To == nil || !e164(*v.To) {
		return nil, k.malformed("not this verification")
	}
	status, ok := statusOf(*v.Status)
	if !ok {
		return nil, k.malformed("unknown status")
	}
	if r == nil {
		r = p.twilioRecord(v.To, v.Channel, v.DateCreated)
	}
	ver := r.verification(id)
	ver.Status = status
	if status == verify.StatusPending {
		switch err := p.ended(ctx, id, r); {
		case err == verify.ErrTooManyAttempts:
			ver.Status = verify.StatusFailed
		case err == verify.ErrExpired:
			ver.Status = verify.StatusExpired
		case err != nil:
			return nil, err
		}
	}
	return ver, nil
}

// Cancel cancels a verification at Twilio, so that its code no longer
// works.
func (p *Provider) Cancel(ctx context.Context, id string) error {
	sid, service, ok := p.parseID(id)
	if !ok {
		return errBadID
	}
	if err := ctx.Err(); err != nil {
		return canceledBefore(err)
	}
	r, err := p.load(ctx, id)
	if err != nil {
		return err
	}
	bctx, cancel := p.c.bound(ctx)
	defer cancel()
	k := p.c.newCall(bctx)
	defer k.done()
	params := &verifyv2.UpdateVerificationParams{}
	params.SetStatus("canceled")
	if _, err := k.verify().UpdateVerification(service, sid, params); err != nil {
		pe := k.fail(opCancel, err)
		if pe.Err == verify.ErrNotFound && r != nil {
			pe.Err = verify.ErrExpired // it had ended already
		}
		return pe
	}
	if k.status/100 != 2 {
		return k.malformed("unexpected status")
	}
	if r != nil {
		r.State = verify.StatusCanceled
		return p.save(ctx, id, r)
	}
	return nil
}
