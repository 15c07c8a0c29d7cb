// Command example serves the phone verification pages over Twilio, with
// a second way to deliver codes when Twilio's Verify API fails:
//
//	TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... TWILIO_VERIFY_SERVICE_SID=VA... \
//	TWILIO_FROM=+15005550006 go -C twilio run ./example
//
// then open http://localhost:8080. Codes are sent for real, and paid for.
//
// Verifications start with Twilio's Verify API (twilio.New). When it is
// unavailable, or cannot do what a start asks, they go to the otp
// package, which makes the code itself and has Twilio's Messaging API
// text it (twilio.NewSender), from TWILIO_FROM; the Sender places no
// calls, which could leave a code on an answering machine, so a call
// fails over to nothing and the user is asked to choose a text. With
// MESSAGEBIRD_ACCESS_KEY set, MessageBird's Verify API comes first and
// Twilio second. verify.Failover chooses; Check goes to whichever started.
//
// Environment:
//
//	TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN   the account (required)
//	TWILIO_VERIFY_SERVICE_SID               the Verify Service (required)
//	TWILIO_FROM                             a number of the account, for the otp fallback
//	                                        (optional: without it, no fallback)
//	MESSAGEBIRD_ACCESS_KEY                  MessageBird first (optional)
//	VERIFY_SECRET                           at least 32 bytes: seals the pages' cookie and
//	                                        keys otp's codes; default: a random one
//	PORT, ADDR                              where to listen (default every interface, 8080)
package main

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"os"

	"github.com/phoneverify/verify"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/internal/serve"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/otp"
	"github.com/phoneverify/verify/twilio"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	secret := []byte(os.Getenv("VERIFY_SECRET"))
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	h, err := newHandler(log, os.Getenv, secret)
	if err == nil {
		err = serve.Run(log, "example", serve.Addr(os.Getenv, "8080", false), h)
	}
	if err != nil {
		log.Error("example: " + err.Error())
		os.Exit(1)
	}
}

// newHandler returns the verification pages over the providers getenv
// names; opts are added to every provider (tests point them at
// emulators).
func newHandler(log *slog.Logger, getenv func(string) string, secret []byte, opts ...option) (http.Handler, error) {
	p, err := providers(getenv, secret, opts...)
	if err != nil {
		return nil, err
	}
	v, err := verify.New(p, verify.WithLogger(log))
	if err != nil {
		return nil, err
	}
	return verifyhttp.New(v, verifyhttp.WithSecret(secret), verifyhttp.WithLogger(log),
		verifyhttp.WithOnVerified(func(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
			// A real app stores ver.Phone on its user here.
			log.Info("example: number verified", "phone", verify.MaskPhone(ver.Phone), "provider", ver.Provider)
		}))
}

// option points the providers elsewhere (tests: at the emulators).
type option struct {
	twilio      []twilio.Option
	messagebird []messagebird.Option
}

// providers returns MessageBird (when configured), then Twilio Verify,
// then otp over Twilio's Messaging (when TWILIO_FROM is set), in one
// Failover.
func providers(getenv func(string) string, secret []byte, opts ...option) (verify.Provider, error) {
	var tw []twilio.Option
	var mb []messagebird.Option
	for _, o := range opts {
		tw, mb = append(tw, o.twilio...), append(mb, o.messagebird...)
	}
	account, token, service := getenv("TWILIO_ACCOUNT_SID"), getenv("TWILIO_AUTH_TOKEN"), getenv("TWILIO_VERIFY_SERVICE_SID")
	if account == "" || token == "" || service == "" {
		return nil, errors.New("set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_VERIFY_SERVICE_SID")
	}
	var list []verify.Provider
	if key := getenv("MESSAGEBIRD_ACCESS_KEY"); key != "" {
		p, err := messagebird.New(key, mb...)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	p, err := twilio.New(account, token, service, tw...)
	if err != nil {
		return nil, err
	}
	list = append(list, p)
	if from := getenv("TWILIO_FROM"); from != "" {
		s, err := twilio.NewSender(account, token, from, tw...)
		if err != nil {
			return nil, err
		}
		o, err := otp.New(s, secret)
		if err != nil {
			return nil, err
		}
		list = append(list, o)
	}
	return verify.Failover(list[0], list[1:]...), nil
}
