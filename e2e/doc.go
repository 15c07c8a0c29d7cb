// Package e2e holds the end-to-end tests of phoneverify that drive a real
// headless Chromium: the drop-in pages of the http package, and the
// examples/webapp quick start as a newcomer runs it. It has no API.
//
// It is a module of its own so that the browser driver (chromedp) stays
// out of the dependencies of the library's users; its go.mod replaces
// github.com/phoneverify/verify with the repository's root. Run it from
// this folder:
//
//	cd e2e && go test ./...
//
// The tests look for chromium, chromium-browser, google-chrome or
// headless-shell in PATH (on Debian: apt-get install chromium). Without
// one they are skipped, except when CI=true, where they fail: the
// end-to-end checks must not silently disappear. Screenshots of the pages
// are written to $TMPDIR/verifyhttp-browser/.
//
// axe-core checks the accessibility of every state of the pages, in light
// and dark mode. Install it once with npm, at the version package.json
// pins:
//
//	cd e2e && npm ci
//
// Without it the other checks run and the accessibility check is only
// logged as not run, except when CI=true, where it fails.
package e2e
