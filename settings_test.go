package verify_test

import (
	"testing"

	"github.com/phoneverify/verify"
	"github.com/stretchr/testify/assert"
)

// TestAppName: the Verifier reports the app name it was made with, for
// the pages (the http package) to show the same name as the texts.
func TestAppName(t *testing.T) {
	assert.Equal(t, "", newVerifier(t, &spy{}).AppName())
	assert.Equal(t, "Acme", newVerifier(t, &spy{}, verify.WithAppName("Acme")).AppName())
}
