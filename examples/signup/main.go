// Command signup shows phone verification mounted into an app that has
// its own login: the verification pages live under /verify/, only logged-in
// users reach them, and the verified number is stored on the user.
//
//	go run -C examples ./signup
//
// then open http://localhost:8081 (it prints the address), log in with any name, and add a phone
// number. It runs on the fake provider: codes are printed in the terminal,
// and anyone can log in with any name, so it listens on 127.0.0.1 only.
// PORT overrides the port; ADDR the whole address (host and port, such as
// ":8081" for every interface); VERIFY_SECRET the key that seals the
// state. With TURNSTILE_SITE_KEY and TURNSTILE_SECRET set, a Cloudflare
// Turnstile challenge guards the phone form.
package main

import (
	"crypto/rand"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
	verifyhttp "github.com/phoneverify/verify/http"
	"github.com/phoneverify/verify/http/turnstile"
	"github.com/phoneverify/verify/internal/serve"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("signup: " + err.Error())
		os.Exit(1)
	}
}

// user is an account of the app.
type user struct {
	Name       string
	Phone      string // verified number in E.164, empty until verified
	VerifiedAt time.Time
}

// app is the existing application: users and login sessions, in memory.
type app struct {
	mu       sync.Mutex
	users    map[string]*user  // by name
	sessions map[string]string // session id → user name
	log      *slog.Logger
}

const sessionCookie = "session"

// currentUser returns the logged-in user of r, or nil.
func (a *app) currentUser(r *http.Request) *user {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[a.sessions[c.Value]]
}

// requireLogin sends visitors who are not logged in to the login page.
func (a *app) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.currentUser(r) == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// phoneVerified is the verification handler's OnVerified: it stores the
// number on the logged-in user and returns to the account page.
func (a *app) phoneVerified(w http.ResponseWriter, r *http.Request, ver *verify.Verification) {
	u := a.currentUser(r)
	if u == nil { // logged out in another tab meanwhile
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	a.mu.Lock()
	u.Phone, u.VerifiedAt = ver.Phone, time.Now().UTC()
	a.mu.Unlock()
	a.log.Info("signup: phone verified", "user", u.Name, "phone", verify.MaskPhone(ver.Phone))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// displayPhone writes an E.164 number as people read it: "+31 6 12345678".
func displayPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

var pages = template.Must(template.New("").Parse(`
{{define "top"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Example app</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:10vh auto;padding:0 1rem;line-height:1.5}input,button{font:inherit;padding:.4rem .6rem}.ok{color:#067647}</style></head><body>{{end}}
{{define "login"}}{{template "top"}}<h1>Log in</h1>
<form method="post" action="/login"><label for="name">Name</label><br><input id="name" name="name" autocomplete="username" required> <button>Log in</button></form></body></html>{{end}}
{{define "account"}}{{template "top"}}<h1>Hello, {{.Name}}</h1>
{{if .Phone}}<p class="ok">Your phone number {{.Phone}} was verified on {{.VerifiedAt.Format "2 January 2006 at 15:04 MST"}}.</p><p><a href="/verify/">Change it</a></p>
{{else}}<p>You have not added a phone number yet.</p><p><a href="/verify/">Add and verify a phone number</a></p>{{end}}
<form method="post" action="/logout"><button>Log out</button></form></body></html>{{end}}
`))

func (a *app) routes(verifyPages http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		u := a.currentUser(r)
		if u == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		a.mu.Lock()
		snapshot := *u
		a.mu.Unlock()
		snapshot.Phone = displayPhone(snapshot.Phone)
		pages.ExecuteTemplate(w, "account", snapshot)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		pages.ExecuteTemplate(w, "login", nil)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		name := r.PostFormValue("name")
		if name == "" || len(name) > 64 {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		id := rand.Text()
		a.mu.Lock()
		if a.users[name] == nil {
			a.users[name] = &user{Name: name}
		}
		a.sessions[id] = name
		a.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil {
			a.mu.Lock()
			delete(a.sessions, c.Value)
			a.mu.Unlock()
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	// The verification pages, under a prefix, for logged-in users only.
	mux.Handle("/verify/", a.requireLogin(http.StripPrefix("/verify", verifyPages)))
	// The app's own forms get the same cross-origin protection.
	return http.NewCrossOriginProtection().Handler(mux)
}

// challengeOptions puts a Cloudflare Turnstile challenge before every
// start when TURNSTILE_SITE_KEY and TURNSTILE_SECRET are set;
// TURNSTILE_ENDPOINT replaces siteverify's URL (for a test server).
// Cloudflare publishes test keys that always pass or always fail.
func challengeOptions(getenv func(string) string) ([]verifyhttp.Option, error) {
	site, secret := getenv("TURNSTILE_SITE_KEY"), getenv("TURNSTILE_SECRET")
	if site == "" && secret == "" {
		return nil, nil
	}
	var opts []turnstile.Option
	if u := getenv("TURNSTILE_ENDPOINT"); u != "" {
		opts = append(opts, turnstile.WithEndpoint(u))
	}
	c, err := turnstile.New(site, secret, opts...)
	if err != nil {
		return nil, err
	}
	return []verifyhttp.Option{verifyhttp.WithChallenge(c)}, nil
}

func run(log *slog.Logger) error {
	a := &app{users: map[string]*user{}, sessions: map[string]string{}, log: log}
	v, err := verify.New(fake.New(fake.WithLogger(log)))
	if err != nil {
		return err
	}
	secret := []byte(os.Getenv("VERIFY_SECRET"))
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
		log.Info("signup: VERIFY_SECRET is not set, using a random secret: verifications in progress will not survive a restart")
	}
	challenge, err := challengeOptions(os.Getenv)
	if err != nil {
		return err
	}
	verifyPages, err := verifyhttp.New(v, append([]verifyhttp.Option{
		verifyhttp.WithSecret(secret),
		verifyhttp.WithLogger(log),
		verifyhttp.WithOnVerified(a.phoneVerified),
	}, challenge...)...)
	if err != nil {
		return err
	}
	log.Info("signup: on the fake provider: codes are printed here")
	return serve.Run(log, "signup", serve.Addr(os.Getenv, "8081", true), a.routes(verifyPages))
}
