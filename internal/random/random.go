// Package random draws the random characters of codes and ids, from
// crypto/rand, uniformly over an alphabet. The fake and otp packages
// share it.
package random

import (
	"crypto/rand"
	"fmt"
)

// Digits returns n decimal digits, each uniform and independent.
func Digits(n int) string { return String(n, "0123456789") }

// String returns n characters drawn uniformly and independently from
// alphabet, which must hold 1 to 256 bytes (ASCII characters). It panics
// on any other alphabet: every caller passes a constant, and no
// alphabet but those could be drawn from a byte.
//
// A byte is mapped to a character by its remainder modulo the alphabet's
// length, and bytes from the largest multiple of that length up are
// rejected and drawn again: without the rejection, 0 to 5 would be about
// 4 % likelier than 6 to 9 as digits (256 = 25 × 10 + 6).
func String(n int, alphabet string) string {
	if len(alphabet) < 1 || len(alphabet) > 256 {
		panic(fmt.Sprintf("random.String: an alphabet of %d bytes, want 1 to 256", len(alphabet)))
	}
	b := make([]byte, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for i := 0; i < n; {
		rand.Read(buf[:]) // never returns an error (Go 1.24+)
		for _, c := range buf {
			if int(c) < limit && i < n {
				b[i] = alphabet[int(c)%len(alphabet)]
				i++
			}
		}
	}
	return string(b)
}
