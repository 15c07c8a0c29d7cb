package http

// This file holds how the handler reads a number as the user typed it.

import "github.com/phoneverify/verify"

// e164 returns the number as the user typed it in E.164 form, reading a
// national number as one of region; "" when it cannot be read. It only
// compares a typed number with one the Verifier already accepted: the
// Verifier decides what may be verified.
func e164(input, region string) string {
	n, err := verify.ParsePhone(input, region)
	if err != nil {
		return ""
	}
	return n
}
