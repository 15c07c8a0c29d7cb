package e2e

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// axePath is where `npm ci` in this folder installs axe-core, the
// accessibility checker (package.json pins its version).
const axePath = "node_modules/axe-core/axe.min.js"

// checkA11y runs axe-core on the page as it stands, in light and in dark
// mode, and fails t for every violation, naming the state, the rule and
// the elements. Without axe-core installed it fails under CI (CI=true);
// elsewhere it logs that the check did not run.
func checkA11y(t *testing.T, bctx context.Context, state string) {
	t.Helper()
	const missing = "axe-core is not installed (run: cd e2e && npm ci)"
	src, err := os.ReadFile(axePath)
	if err != nil && os.Getenv("CI") != "true" {
		t.Logf("%s: the accessibility of %q was not checked", missing, state)
		return
	}
	require.NoError(t, err, missing)
	scheme := func(value string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: value}},
			})
			return err
		})
	}
	defer chromedp.Do(bctx, scheme(""))
	for _, mode := range []string{"light", "dark"} {
		require.NoError(t, chromedp.Do(bctx, scheme(mode)), "browser: %s mode", mode)
		loaded, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`typeof axe === "object"`))
		if err == nil && !loaded {
			_, err = chromedp.Run(bctx, chromedp.Evaluate[chromedp.Void](string(src)))
		}
		require.NoError(t, err, "browser: load axe-core")
		got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(function(r) {
			return JSON.stringify(r.violations.map(function(v) {
				return {rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function(n) { return n.target.join(" ") })};
			}));
		})`, chromedp.EvalAwaitPromise))
		require.NoError(t, err, "browser: axe-core on %s, %s mode", state, mode)
		assert.Equal(t, "[]", got, "axe-core violations on %s, %s mode", state, mode)
	}
}
