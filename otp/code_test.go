package otp

import (
	"crypto/rand"
	"testing"
	"testing/cryptotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chiSquare returns, for each position of the codes, Pearson's statistic
// of its digits against the uniform distribution (9 degrees of freedom).
func chiSquare(codes []string) []float64 {
	counts := make([][10]int, len(codes[0]))
	for _, c := range codes {
		for i := 0; i < len(c); i++ {
			counts[i][c[i]-'0']++
		}
	}
	stats := make([]float64, len(counts))
	expected := float64(len(codes)) / 10
	for i, cs := range counts {
		for _, n := range cs {
			d := float64(n) - expected
			stats[i] += d * d / expected
		}
	}
	return stats
}

// chiSquareLimit is the 99.9th percentile of the chi-square distribution
// with 9 degrees of freedom.
const chiSquareLimit = 27.88

const (
	codeSamples = 200_000
	codeLen     = 10
)

// TestCodesAreUniformPerPosition draws 200,000 codes of 10 digits as
// Start does, from crypto/rand made deterministic by
// cryptotest.SetGlobalRandom (so that the test gives the same answer
// every run), and checks each position's digits with a chi-square test
// at the 0.1 % level. Drawing digits as byte % 10 without rejecting the
// top of the byte range makes 0 to 5 4 % likelier than 6 to 9: on as
// many codes, that gives statistics of 58 to 102 per position, which the
// test refuses (see TestChiSquareCatchesModuloBias).
func TestCodesAreUniformPerPosition(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 15)
	codes := make([]string, codeSamples)
	for i := range codes {
		codes[i] = newCode(codeLen)
		require.Len(t, codes[i], codeLen)
	}
	stats := chiSquare(codes)
	for pos, x := range stats {
		assert.Less(t, x, chiSquareLimit, "position %d", pos)
	}
	t.Logf("chi-square per position over %d codes: %.1f", codeSamples, stats)
}

// TestChiSquareCatchesModuloBias: the test above has the power to see the
// bias it is there for.
func TestChiSquareCatchesModuloBias(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 15)
	codes := make([]string, codeSamples)
	buf := make([]byte, codeLen)
	for i := range codes {
		rand.Read(buf)
		for j, b := range buf {
			buf[j] = '0' + b%10
		}
		codes[i] = string(buf)
	}
	stats := chiSquare(codes)
	for pos, x := range stats {
		assert.Greater(t, x, chiSquareLimit, "position %d", pos)
	}
	t.Logf("chi-square per position of biased codes: %.1f", stats)
}
