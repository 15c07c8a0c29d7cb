// Command cli verifies a phone number from the terminal: MessageBird (or
// Twilio) calls the number and speaks a code (or texts it, with -sms), you
// type the code, and the program says whether the number is verified.
//
//	MESSAGEBIRD_ACCESS_KEY=live_... go run -C examples ./cli +31612345678
//	TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... TWILIO_VERIFY_SERVICE_SID=VA... \
//		go run -C examples ./cli -provider twilio +31612345678
//	go run -C examples ./cli -fake +31612345678   # no key: the code is printed instead of sent
//
// Flags: -provider chooses messagebird (the default), twilio or fake;
// -sms texts instead of calling; -lang sets the language of the call
// (such as nl-nl); -originator the sender shown; -region lets you type a
// national number (-region NL 06 12345678); -fake is -provider fake, the
// in-memory fake provider, which logs the code to stderr; -endpoint sends
// the requests to another base URL, such as an mbtest or twiliotest
// emulator.
//
// Exit status: 0 verified, 1 not verified or failed, 2 usage error.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/twilio"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const noKey = `MESSAGEBIRD_ACCESS_KEY is not set.

To verify a real number, get an access key: log in to MessageBird's
dashboard, open Developers > API access, and copy a live key (a test key
sends nothing). Then run:

    MESSAGEBIRD_ACCESS_KEY=<your key> go run -C examples ./cli +31612345678

With Twilio, set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
TWILIO_VERIFY_SERVICE_SID and add -provider twilio.

To try the flow without a key, use the fake provider, which prints the
code here instead of calling:

    go run -C examples ./cli -fake +31612345678
`

const noTwilio = `TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_VERIFY_SERVICE_SID must be set.

They are on Twilio's console: the account SID and auth token on its
front page, the Service SID (VA...) under Verify > Services.
`

// run is the program, with its environment passed in so that tests can
// run it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sms := fs.Bool("sms", false, "text the code instead of calling")
	lang := fs.String("lang", "", "language of the call or text, one of: "+strings.Join(verify.Languages(), " ")+" (default: the number's country's)")
	originator := fs.String("originator", "", "sender shown to the recipient (up to 11 letters and digits, or a phone number)")
	region := fs.String("region", "", "region of national numbers, such as NL")
	provider := fs.String("provider", "messagebird", "who calls or texts: messagebird, twilio or fake")
	useFake := fs.Bool("fake", false, "the same as -provider fake: nothing is sent, the code is printed to stderr")
	endpoint := fs.String("endpoint", "", "base URL of the provider's API, such as an emulator's (default: the live API)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cli [flags] phone-number")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	phone := strings.Join(fs.Args(), " ")

	if *useFake {
		*provider = "fake"
	}
	p, status := choose(*provider, *endpoint, getenv, stderr)
	if p == nil {
		return status
	}
	if c, ok := p.(interface{ CloseIdleConnections() }); ok {
		defer c.CloseIdleConnections()
	}

	var opts []verify.Option
	if *lang != "" {
		opts = append(opts, verify.WithLanguage(*lang))
	}
	if *sms {
		opts = append(opts, verify.WithChannel(verify.SMS))
	}
	if *originator != "" {
		opts = append(opts, verify.WithOriginator(*originator))
	}
	if *region != "" {
		opts = append(opts, verify.WithDefaultRegion(*region))
	}
	v, err := verify.New(p, opts...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}

	ver, err := v.Start(ctx, phone)
	if err != nil {
		fmt.Fprintln(stderr, "could not start:", err)
		return 1
	}
	how := "Calling"
	if ver.Channel == verify.SMS {
		how = "Texting"
	}
	fmt.Fprintf(stdout, "%s %s. The code is valid until %s.\n", how, verify.MaskPhone(ver.Phone), ver.ExpiresAt.Local().Format("15:04:05"))

	in := bufio.NewScanner(stdin)
	for {
		fmt.Fprint(stdout, "Code: ")
		if !in.Scan() {
			fmt.Fprintln(stdout)
			fmt.Fprintln(stderr, "no code entered")
			return 1
		}
		got, err := v.Check(ctx, ver.ID, in.Text())
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "Verified: %s\n", got.Phone)
			return 0
		case errors.Is(err, verify.ErrInvalidCode):
			fmt.Fprintln(stdout, "That code is not right; try again.")
		case errors.Is(err, verify.ErrTooManyAttempts):
			fmt.Fprintln(stderr, "Too many wrong codes: start again.")
			return 1
		case errors.Is(err, verify.ErrExpired):
			fmt.Fprintln(stderr, "The code has expired: start again.")
			return 1
		default:
			fmt.Fprintln(stderr, "could not check the code:", err)
			return 1
		}
	}
}

// choose returns the provider named, or nil and the exit status after
// saying why on stderr.
func choose(name, endpoint string, getenv func(string) string, stderr io.Writer) (verify.Provider, int) {
	switch name {
	case "fake":
		return fake.New(fake.WithLogger(slog.New(slog.NewTextHandler(stderr, nil)))), 0
	case "messagebird":
		key := getenv("MESSAGEBIRD_ACCESS_KEY")
		if key == "" {
			fmt.Fprint(stderr, noKey)
			return nil, 2
		}
		var opts []messagebird.Option
		if endpoint != "" {
			opts = append(opts, messagebird.WithEndpoint(endpoint))
		}
		p, err := messagebird.New(key, opts...)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return nil, 2
		}
		return p, 0
	case "twilio":
		sid, token, service := getenv("TWILIO_ACCOUNT_SID"), getenv("TWILIO_AUTH_TOKEN"), getenv("TWILIO_VERIFY_SERVICE_SID")
		if sid == "" || token == "" || service == "" {
			fmt.Fprint(stderr, noTwilio)
			return nil, 2
		}
		var opts []twilio.Option
		if endpoint != "" {
			opts = append(opts, twilio.WithEndpoint(endpoint))
		}
		p, err := twilio.New(sid, token, service, opts...)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return nil, 2
		}
		return p, 0
	}
	fmt.Fprintf(stderr, "-provider %q: want messagebird, twilio or fake\n", name)
	return nil, 2
}
