package verify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every module of the repository holds its importers to Go 1.26.10, the
// release that fixes the standard library's advisories (see SECURITY.md):
// a toolchain line alone binds only this repository's own builds.
func TestGoDirective(t *testing.T) {
	mods, err := filepath.Glob("*/go.mod")
	require.NoError(t, err)
	mods = append(mods, "go.mod")
	for _, want := range []string{"go.mod", "e2e/go.mod", "otelverify/go.mod", "redislimit/go.mod"} {
		require.Contains(t, mods, filepath.FromSlash(want))
	}
	for _, m := range mods {
		b, err := os.ReadFile(m)
		require.NoError(t, err)
		var directive, toolchain string
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
				directive = v
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "toolchain "); ok {
				toolchain = v
			}
		}
		assert.Equal(t, "1.26.10", directive, "%s: go directive", m)
		if toolchain != "" {
			assert.Equal(t, "go1.26.10", toolchain, "%s: toolchain line", m)
		}
	}
}
