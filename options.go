package verify

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/phoneverify/verify/internal/phone"
)

// Defaults and ranges of the options, in one place; the doc comment of each
// option repeats them.
const (
	defaultTokenLength = 6
	minTokenLength     = 6
	maxTokenLength     = 10

	defaultValidity = 10 * time.Minute
	minValidity     = 30 * time.Second
	maxValidity     = 72 * time.Hour

	defaultMaxAttempts = 5
	minAttempts        = 1
	maxAttemptsLimit   = 10

	defaultLanguage = "en-gb" // when neither the user nor the number says

	defaultCooldown    = 30 * time.Second
	maxCooldown        = time.Hour
	defaultNumberLimit = 5
	defaultClientLimit = 20
	// defaultNetworkLimit is five clients' budgets for an IPv6 /48.
	defaultNetworkLimit = 100
	maxLimitWindow      = 31 * 24 * time.Hour

	defaultPumpingStarts   = 100
	defaultPumpingVerified = 10 // percent
	defaultPumpingWindow   = time.Hour

	defaultFailuresAfter   = 20
	defaultFailuresLongest = 24 * time.Hour
	minFailuresLongest     = time.Minute

	maxOriginatorAlnum  = 11
	maxOriginatorDigits = 15
	maxReference        = 64
	maxTemplate         = 480
	maxAppName          = 30
)

// message holds the options that may change per call.
type message struct {
	channel     Channel
	tokenLength int
	voice       VoiceGender
	language    string // set by WithLanguage; chosen per verification otherwise
	template    string // set by WithTemplate; built in otherwise
	validity    time.Duration
	maxAttempts int
	originator  string
	reference   string
	region      string
	clientKey   string
	userLangs   []string

	fixedLanguage  bool   // WithLanguage was given
	customTemplate bool   // WithTemplate was given
	webOrigin      string // as given to WithWebOrigin
	webOTPLine     string // "\n\n@host #%token", or "" when no valid origin

	appName    string // set by WithAppName
	appNameSet bool   // WithAppName was given
}

// rate is a limit of n events per window; n == 0 means no limit.
type rate struct {
	n   int
	per time.Duration
}

// config holds everything a Verifier is configured with.
type config struct {
	msg              message
	logger           *slog.Logger
	allowedRegions   []string
	deniedRegions    []string
	allowAnyLineType bool
	observer         Observer
	callOnly         string // the name of a per-call option given to New
	testNumbers      map[string]string

	limiter      Limiter
	cooldown     time.Duration
	numberLimit  rate
	clientLimit  rate
	networkLimit rate
	globalLimit  rate
	pumping      pumpingGuard
	failures     failureThrottle
	pumpingSet   bool // WithPumpingGuard was given
	failuresSet  bool // WithFailureThrottle was given
}

// pumpingGuard is the setting of the SMS-pumping guard; starts == 0
// means off.
type pumpingGuard struct {
	starts          int
	verifiedPercent int
	per             time.Duration
}

// failureThrottle is the setting of the throttle on failed checks per
// number; after == 0 means off.
type failureThrottle struct {
	after   int
	longest time.Duration
}

// defaults returns the configuration of a Verifier given no options.
func defaults() config {
	return config{
		msg: message{
			channel:     Voice,
			tokenLength: defaultTokenLength,
			voice:       Female,
			validity:    defaultValidity,
			maxAttempts: defaultMaxAttempts,
		},
		cooldown:     defaultCooldown,
		numberLimit:  rate{defaultNumberLimit, time.Hour},
		clientLimit:  rate{defaultClientLimit, time.Hour},
		networkLimit: rate{defaultNetworkLimit, time.Hour},
		pumping:      pumpingGuard{defaultPumpingStarts, defaultPumpingVerified, defaultPumpingWindow},
		failures:     failureThrottle{defaultFailuresAfter, defaultFailuresLongest},
	}
}

// An Option configures a [Verifier] in [New].
type Option interface {
	applyOption(*config)
}

// A MessageOption configures the message that carries a code. It can be
// given to [New], as the Verifier's default, or to [Verifier.Start], for
// one call.
type MessageOption interface {
	Option
	applyMessage(*message)
}

// configOption adapts a function to Option: an option of New only.
type configOption func(*config)

func (f configOption) applyOption(c *config) { f(c) }

// messageOption adapts a function to MessageOption: an option of New, as
// the Verifier's default, or of Start, for one call.
type messageOption func(*message)

func (f messageOption) applyMessage(m *message) { f(m) }
func (f messageOption) applyOption(c *config)   { f(&c.msg) }

// callOption adapts a function to MessageOption for an option of Start
// only: given to New, it makes New fail with its name.
type callOption struct {
	name  string
	apply func(*message)
}

func (o callOption) applyMessage(m *message) { o.apply(m) }
func (o callOption) applyOption(c *config)   { c.callOnly = o.name }

// Options of New and Start: the message that carries a code.

// WithChannel sets how codes are sent: [Voice] (the default), [SMS], or
// [Auto] (SMS to mobile numbers, a call to every other number).
func WithChannel(ch Channel) MessageOption {
	return messageOption(func(m *message) { m.channel = ch })
}

// WithTokenLength sets the number of digits in a code: 6 to 10, default 6.
func WithTokenLength(n int) MessageOption {
	return messageOption(func(m *message) { m.tokenLength = n })
}

// WithVoice sets the voice that speaks the code on a call: [Female] (the
// default) or [Male].
func WithVoice(g VoiceGender) MessageOption {
	return messageOption(func(m *message) { m.voice = g })
}

// WithLanguage fixes the language of the call or text, one of
// [Languages], such as "nl-nl". Default: none, so that each verification
// is in the user's language ([WithUserLanguage]) if the provider speaks
// it, else in the main language of the number's country (see
// [Languages]), else "en-gb"; a text given with [WithTemplate] is spoken
// in "en-gb" unless WithLanguage names its language. The built-in text
// follows the language.
func WithLanguage(lang string) MessageOption {
	return messageOption(func(m *message) { m.language, m.fixedLanguage = strings.ToLower(lang), true })
}

// WithTemplate sets the text that is spoken or texted, in place of the
// built-in one. It must contain "%token", which is replaced by the code,
// and be at most 480 bytes (with the line [WithWebOrigin] adds to texts).
// Give [WithLanguage] with it: the Verifier cannot tell a text's language,
// so without WithLanguage it is spoken in "en-gb". Default: a built-in
// text in the chosen language, for a call or for a text, that says the
// code (twice on a call, so that a missed digit needs no second call),
// names the app of [WithAppName], and warns never to share it. A built-in
// call text thus holds "%token" twice; MessageBird's documentation does
// not say that its Verify API replaces every one (the fake and the mbtest
// emulator do): listen to a first call.
func WithTemplate(t string) MessageOption {
	return messageOption(func(m *message) { m.template, m.customTemplate = t, true })
}

// WithWebOrigin names the web origin where users type their codes, such
// as "https://example.com": an https origin, with no port, path or query.
// Every text then ends with the origin-bound line of the SMS one-time
// codes format ("@example.com #123456"), with which phones and browsers
// offer the code for autofill (a one-time-code field, the WebOTP API) on
// that site only. Calls are not changed. The text then holds "%token"
// twice; MessageBird's documentation does not say that it replaces every
// one (the fake and the mbtest emulator do): check a first text by eye.
// Default: none; "" turns it off for one call.
func WithWebOrigin(origin string) MessageOption {
	return messageOption(func(m *message) {
		m.webOrigin, m.webOTPLine = origin, ""
		if host, ok := webOTPHost(origin); ok {
			m.webOTPLine = "\n\n@" + host + " #%token"
		}
	})
}

// WithValidity sets how long a code stays valid: 30s to 72h, default 10
// minutes. (MessageBird's own default, 30 seconds, is too short for a
// person to answer a call and type the code.) Given to Start, it may
// shorten the Verifier's validity, not lengthen it: the Verifier's own
// count of checks per verification spans the Verifier's validity.
func WithValidity(d time.Duration) MessageOption {
	return messageOption(func(m *message) { m.validity = d })
}

// WithMaxAttempts sets how many wrong codes are allowed before the
// verification fails: 1 to 10, default 5. The provider enforces it; the
// Verifier also caps the checks of every verification at its own
// WithMaxAttempts, so that this cap holds with any provider. Given to
// Start, it may lower the value for one verification (which the provider
// enforces), not raise it above the Verifier's.
func WithMaxAttempts(n int) MessageOption {
	return messageOption(func(m *message) { m.maxAttempts = n })
}

// WithOriginator sets the sender the user sees: up to 11 letters and
// digits, or a phone number in international format. Default: empty, which
// leaves it to the provider (MessageBird uses "Code"). Alphanumeric senders
// are not allowed in every country, and calls always show a number.
func WithOriginator(s string) MessageOption {
	return messageOption(func(m *message) { m.originator = s })
}

// WithReference sets a reference of up to 64 letters and digits that the
// provider stores with the verification, such as your user's id. Default:
// none. It is most useful per call, in Start.
func WithReference(s string) MessageOption {
	return messageOption(func(m *message) { m.reference = s })
}

// WithDefaultRegion sets the region (ISO 3166-1 alpha-2, such as "NL")
// whose national format users may type numbers in: with "NL", "06 12345678"
// is read as +31 6 12345678. Default: none, so numbers must start with a
// country code ("+31 ..." or "0031 ...").
func WithDefaultRegion(region string) MessageOption {
	return messageOption(func(m *message) { m.region = strings.ToUpper(region) })
}

// WithAppName names the app whose code it is, such as "Acme": every
// built-in text, in every language, then says so ("Your Acme
// verification code is …"), as banks' texts do, so that users know
// which service a call or text is for and can tell when someone else
// asked for their code. The provider also gets it as Request.AppName,
// for providers that write their own texts. A text given with
// WithTemplate is left as written. The name is 1 to 30 characters:
// letters, marks, digits, punctuation, symbols and spaces (U+0020, not
// at either end); no '%' (a name must not make a placeholder such as
// "%token"), no control characters or line breaks, valid UTF-8. Thirty
// characters keep every built-in text within 480 bytes with the WebOTP
// line of WithWebOrigin; with a short name such as "Acme" a text still
// fits one SMS with the WebOTP line of a short origin, and with the
// longest name two. Default: none, and the texts name no app.
func WithAppName(name string) MessageOption {
	return messageOption(func(m *message) { m.appName, m.appNameSet = name, true })
}

// Options of Start only: who asks for this verification.

// WithClientKey names the client that asks for a verification, such as
// its IP address, so that per-client rate limits apply. The http handlers
// pass the client's IP (an IPv6 client as its /64). An IPv6 address counts
// by its /64, and an IPv6 address or prefix also by its /48 for
// [WithClientNetworkLimit]; an IPv4 address, or any other key, by itself.
// The same network (the /48, else the key) gets its own slot of the
// failed-check throttle for the checks of the verification, and its own
// share of the pumping guard (see [WithFailureThrottle], [WithPumpingGuard]).
// It is an option of Start only: New refuses it, since one key shared by
// every call would make every client share one budget. Default: none, so
// only the per-number and global limits apply, and every keyless start
// shares one slot of the throttle.
func WithClientKey(key string) MessageOption {
	return callOption{"WithClientKey", func(m *message) { m.clientKey = key }}
}

// WithUserLanguage names the languages of the user who asked for a code,
// as BCP 47 tags, most preferred first (such as the languages of an
// Accept-Language header: "de-CH", "de", "en"). Unless [WithLanguage]
// fixes the language, the call or text is in the first of them that the
// provider can speak, matched by language and region ("de-CH" gives
// "de-de", "es-AR" "es-mx", "pt-PT" "pt-br", "en-IN" "en-gb"); a tag with
// no region takes the number's ("fr" on a Canadian number gives "fr-ca",
// "en" on an Australian one "en-au"). Tags that do not parse are skipped,
// and only the first 10 are read. It is an option of Start only: New
// refuses it. Default: none, so the language follows the number's
// country (see WithLanguage).
func WithUserLanguage(tags ...string) MessageOption {
	tags = append([]string(nil), tags...)
	return callOption{"WithUserLanguage", func(m *message) { m.userLangs = tags }}
}

// Options of New only: logging, observing and the number policy.

// WithLogger sets a logger for the Verifier's structured logs: one record
// per call, with the number masked and never a code. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return configOption(func(c *config) { c.logger = l })
}

// WithObserver sets an [Observer] that is told the outcome of every call.
// Default: none, which costs nothing. To have several, write an Observer
// that calls each in turn.
func WithObserver(o Observer) Option {
	return configOption(func(c *config) { c.observer = o })
}

// WithAllowedRegions restricts verification to numbers of the given regions
// (ISO 3166-1 alpha-2, such as "NL", "BE"). Default: every region.
func WithAllowedRegions(regions ...string) Option {
	up := upperRegions(regions)
	return configOption(func(c *config) { c.allowedRegions = up })
}

// WithDeniedRegions refuses numbers of the given regions (ISO 3166-1
// alpha-2), such as those where toll fraud has cost you. It applies on top
// of [WithAllowedRegions]. Default: none.
func WithDeniedRegions(regions ...string) Option {
	up := upperRegions(regions)
	return configOption(func(c *config) { c.deniedRegions = up })
}

// upperRegions returns a copy of regions in upper case, nil for none.
func upperRegions(regions []string) []string {
	var up []string
	for _, r := range regions {
		up = append(up, strings.ToUpper(r))
	}
	return up
}

// WithAnyLineType allows numbers of every line type. By default only
// mobile, fixed-line and VoIP numbers are accepted: premium-rate,
// shared-cost, personal, pager, UAN, voicemail and toll-free numbers are
// refused, because calls and texts to them cost money or feed toll fraud.
func WithAnyLineType() Option {
	return configOption(func(c *config) { c.allowAnyLineType = true })
}

// Options of New only: rate limits and abuse guards.

// WithLimiter sets the [Limiter] that counts starts and checks for the
// rate limits. Default: a [MemoryLimiter] of the Verifier's own. Give
// every app instance the same shared Limiter (see the redislimit module)
// so that limits hold across instances. The SMS-pumping guard and the
// failed-check throttle need a [LimitStore] (the MemoryLimiter and the
// redislimit module's Limiter are): with a plain Limiter they are off.
// New then refuses either one given with a value that turns it on, and
// warns through the logger ([WithLogger]) when they are on by default.
func WithLimiter(l Limiter) Option {
	return configOption(func(c *config) { c.limiter = l })
}

// WithResendCooldown sets the time a number must wait between two starts
// on the same channel: 0 (off) to 1h, default 30s. Switching channel
// ("call me instead") is not held up by the cooldown of the other channel.
func WithResendCooldown(d time.Duration) Option {
	return configOption(func(c *config) { c.cooldown = d })
}

// WithNumberLimit allows at most n starts to one number in any window of
// length per; n = 0 turns the limit off. Default: 5 per hour, which stops
// a victim's phone being bombed with calls.
func WithNumberLimit(n int, per time.Duration) Option {
	return configOption(func(c *config) { c.numberLimit = rate{n, per} })
}

// WithClientLimit allows at most n starts from one client (the key given
// with [WithClientKey], such as an IP address) in any window of length
// per; n = 0 turns the limit off. Default: 20 per hour. With a
// [LimitStore] (the default MemoryLimiter and the redislimit module's
// are), a start refused by any limit counts against none, and each
// verified check gives the client one start back, so that real users
// behind one carrier address (CGNAT) are not refused while pumpers, who
// never verify, are; see [Limiter] for a plain one.
func WithClientLimit(n int, per time.Duration) Option {
	return configOption(func(c *config) { c.clientLimit = rate{n, per} })
}

// WithClientNetworkLimit allows at most n starts from one IPv6 /48 in
// any window of length per, on top of [WithClientLimit], which counts an
// IPv6 client by its /64: without it, one /48 would hold 65,536 separate
// client budgets. It applies when the client key is an IPv6 address or
// prefix (as the http package passes); IPv4 clients count by their
// address alone. As with [WithClientLimit], each verified check gives one
// start back. n = 0 turns it off. Default: 100 per hour.
func WithClientNetworkLimit(n int, per time.Duration) Option {
	return configOption(func(c *config) { c.networkLimit = rate{n, per} })
}

// WithGlobalLimit allows at most n starts in all in any window of length
// per, as a cap on cost: calls and texts are paid for. Default: off.
func WithGlobalLimit(n int, per time.Duration) Option {
	return configOption(func(c *config) { c.globalLimit = rate{n, per} })
}

// WithPumpingGuard sets the SMS-pumping guard, which refuses starts to
// a number range (the country code and the national number but its last
// four digits: a block of 10,000 numbers) once, within the last window
// of length per, it has had starts starts plus 100/verifiedPercent for
// each verified check (ten for 10 percent): many codes sent and few
// typed back, the signature of bots making an app call or text numbers
// whose fees the attacker shares. Real traffic, of which most ends
// verified, never trips it. One client network (an IPv6 /48, or a
// client key of another kind) adds at most a tenth of starts to a
// range's count, plus 100/verifiedPercent for each verified check of
// its own, so that one network alone cannot switch a range off for
// everyone. A refused start matches [ErrSuspectedPumping] (and
// [ErrRateLimited]); a trip of a range is logged at Warn level with the
// range and its rates, once per range and window. starts = 0 turns it
// off; verifiedPercent is 1 to 100, per up to 744h. Default: 100 starts,
// 10 percent, 1 hour. It needs a [LimitStore], such as the default
// MemoryLimiter or the redislimit module's Limiter.
func WithPumpingGuard(starts, verifiedPercent int, per time.Duration) Option {
	return configOption(func(c *config) { c.pumping, c.pumpingSet = pumpingGuard{starts, verifiedPercent, per}, true })
}

// WithFailureThrottle slows down the guessing of codes for a number.
// Checks of a number that do not succeed are counted in a row per client
// network (the IPv6 /48, IPv4 address or other [WithClientKey] of the
// start being checked; a success resets its count, which is otherwise
// forgotten a year after its last failure): once a network has after of
// them, each of its further checks must wait a minute after its last
// one, doubled for each further failure, up to longest. So a stranger
// who never knows the code uses up only their own network's slot, not
// the owner's. Above the networks, a ceiling per number keeps the guess
// caps for an attacker with any number of networks: once the number has
// 3.25 × after failures within 30 days, one check per longest; once it
// has 20 × after within a year, one per 3 × longest. Checks from a
// network the number was verified from within the last year are not
// held up by the ceiling. Each success gives its check back to the
// ceiling, up to 10,000 within a window: a number checked more often
// than that from networks it was never verified from (or with no client
// key) is held by the ceiling too, so turn the throttle off for load
// tests that verify one number over and over. after = 0 turns it off;
// longest is 1m to 24h.
// Default: after 20 failures, up to 24h, which keeps an attacker with
// any number of networks under NIST SP 800-63B's limits (see
// SECURITY.md). It needs a [LimitStore], such as the default MemoryLimiter
// or the redislimit module's Limiter.
func WithFailureThrottle(after int, longest time.Duration) Option {
	return configOption(func(c *config) { c.failures, c.failuresSet = failureThrottle{after, longest}, true })
}

func optionError(option string, value any, rule string) error {
	return fmt.Errorf("%w: %s(%#v): %s", ErrInvalidOption, option, value, rule)
}

// validate checks every message field against its range.
func (m *message) validate() error {
	switch {
	case m.channel != Voice && m.channel != SMS && m.channel != Auto:
		return optionError("WithChannel", string(m.channel), `must be verify.Voice, verify.SMS or verify.Auto`)
	case m.tokenLength < minTokenLength || m.tokenLength > maxTokenLength:
		return optionError("WithTokenLength", m.tokenLength, fmt.Sprintf("must be from %d to %d", minTokenLength, maxTokenLength))
	case m.voice != Female && m.voice != Male:
		return optionError("WithVoice", string(m.voice), "must be verify.Female or verify.Male")
	case m.fixedLanguage && !slices.Contains(languages, m.language):
		return optionError("WithLanguage", m.language, "must be one of "+strings.Join(languages, ", "))
	case m.customTemplate && !strings.Contains(m.template, "%token"):
		return optionError("WithTemplate", m.template, `must contain "%token"`)
	case m.customTemplate && len(m.template)+len(m.webOTPLine) > maxTemplate:
		return optionError("WithTemplate", abbrev(m.template), fmt.Sprintf("must be at most %d bytes, with the line of WithWebOrigin", maxTemplate))
	case m.appNameSet && !validAppName(m.appName):
		return optionError("WithAppName", abbrev(m.appName), "must be 1 to 30 characters: letters, digits, punctuation, symbols and spaces, not at either end; no '%', control characters or line breaks")
	case m.webOrigin != "" && m.webOTPLine == "":
		return optionError("WithWebOrigin", m.webOrigin, `must be an https origin with a domain name and no port or path, such as "https://example.com"`)
	case m.validity < minValidity || m.validity > maxValidity:
		return optionError("WithValidity", m.validity.String(), fmt.Sprintf("must be from %s to %s", minValidity, maxValidity))
	case m.maxAttempts < minAttempts || m.maxAttempts > maxAttemptsLimit:
		return optionError("WithMaxAttempts", m.maxAttempts, fmt.Sprintf("must be from %d to %d", minAttempts, maxAttemptsLimit))
	case !validOriginator(m.originator):
		return optionError("WithOriginator", m.originator, "must be up to 11 letters and digits, or a phone number such as +31612345678")
	case len(m.reference) > maxReference || !isAlnum(m.reference):
		return optionError("WithReference", m.reference, "must be up to 64 letters and digits")
	case m.region != "" && !phone.ValidRegion(m.region):
		return optionError("WithDefaultRegion", m.region, `must be a region code such as "NL"`)
	}
	return nil
}

func (c *config) validate() error {
	if c.callOnly != "" {
		return fmt.Errorf("%w: %s is an option of Start, not of New", ErrInvalidOption, c.callOnly)
	}
	if err := c.msg.validate(); err != nil {
		return err
	}
	for _, r := range c.allowedRegions {
		if !phone.ValidRegion(r) {
			return optionError("WithAllowedRegions", r, `must be region codes such as "NL"`)
		}
	}
	for _, r := range c.deniedRegions {
		if !phone.ValidRegion(r) {
			return optionError("WithDeniedRegions", r, `must be region codes such as "NL"`)
		}
	}
	if c.cooldown < 0 || c.cooldown > maxCooldown {
		return optionError("WithResendCooldown", c.cooldown.String(), "must be from 0 (off) to "+maxCooldown.String())
	}
	for _, r := range []struct {
		name string
		rate rate
	}{{"WithNumberLimit", c.numberLimit}, {"WithClientLimit", c.clientLimit},
		{"WithClientNetworkLimit", c.networkLimit}, {"WithGlobalLimit", c.globalLimit}} {
		if r.rate.n < 0 || r.rate.n > 0 && (r.rate.per <= 0 || r.rate.per > maxLimitWindow) {
			return optionError(r.name, fmt.Sprintf("%d, %s", r.rate.n, r.rate.per), "n must be 0 (off) or more, per from 1ns to 744h")
		}
	}
	if g := c.pumping; g.starts < 0 || g.starts > 0 && (g.verifiedPercent < 1 || g.verifiedPercent > 100 || g.per <= 0 || g.per > maxLimitWindow) {
		return optionError("WithPumpingGuard", fmt.Sprintf("%d, %d, %s", g.starts, g.verifiedPercent, g.per),
			"starts must be 0 (off) or more, verifiedPercent from 1 to 100, per from 1ns to 744h")
	}
	if f := c.failures; f.after < 0 || f.after > 0 && (f.longest < minFailuresLongest || f.longest > defaultFailuresLongest) {
		return optionError("WithFailureThrottle", fmt.Sprintf("%d, %s", f.after, f.longest),
			"after must be 0 (off) or more, longest from 1m to 24h")
	}
	const storeRule = "needs a LimitStore, and the Limiter given with WithLimiter is not one; give 0 to turn it off"
	if g := c.pumping; c.pumpingSet && g.starts > 0 && c.plainLimiter() {
		return optionError("WithPumpingGuard", fmt.Sprintf("%d, %d, %s", g.starts, g.verifiedPercent, g.per), storeRule)
	}
	if f := c.failures; c.failuresSet && f.after > 0 && c.plainLimiter() {
		return optionError("WithFailureThrottle", fmt.Sprintf("%d, %s", f.after, f.longest), storeRule)
	}
	return nil
}

// plainLimiter reports whether the Limiter given with WithLimiter is not
// a LimitStore.
func (c *config) plainLimiter() bool {
	_, store := c.limiter.(LimitStore)
	return c.limiter != nil && !store
}

// warnGuardsOff warns, through the logger if there is one, that the
// SMS-pumping guard and the failed-check throttle, on by default, are off
// for want of a LimitStore. Given explicitly, they make validate fail.
func (c *config) warnGuardsOff() {
	if c.logger == nil || !c.plainLimiter() || c.pumping.starts == 0 && c.failures.after == 0 {
		return
	}
	c.logger.LogAttrs(context.Background(), slog.LevelWarn,
		"verify: the Limiter is not a LimitStore, so the SMS-pumping guard and the failed-check throttle are off; "+
			"give a LimitStore (such as a MemoryLimiter or the redislimit module's Limiter) to have them, or turn them off "+
			"with WithPumpingGuard(0, 0, 0) and WithFailureThrottle(0, 0) to silence this warning",
		slog.String("limiter", fmt.Sprintf("%T", c.limiter)))
}

// abbrev shortens a long value for an error message.
func abbrev(s string) string {
	if len(s) <= 20 {
		return s
	}
	return strings.ToValidUTF8(s[:20], "") + "..."
}

// webOTPHost returns the host of an https origin for the origin-bound line
// of a text: a domain name of ASCII letters, digits, '-' and '.', as the
// SMS one-time codes format and browsers read it (no port, no IP address).
func webOTPHost(origin string) (string, bool) {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Port() != "" ||
		u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || len(host) > 253 || net.ParseIP(host) != nil || strings.HasPrefix(host, ".") ||
		strings.HasSuffix(host, ".") || strings.Contains(host, "..") {
		return "", false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return "", false
		}
	}
	return host, true
}

func validOriginator(s string) bool {
	if s == "" {
		return true
	}
	if digits, ok := strings.CutPrefix(s, "+"); ok || isDigits(s) {
		return isDigits(digits) && len(digits) <= maxOriginatorDigits
	}
	return len(s) <= maxOriginatorAlnum && isAlnum(s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isAlnum reports whether s has only ASCII letters and digits (true for "").
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
