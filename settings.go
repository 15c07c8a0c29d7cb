package verify

import "time"

// TokenLength returns the number of digits in the codes the Verifier
// sends unless Start says otherwise (WithTokenLength), so that a form can
// say "Enter the 6-digit code".
func (v *Verifier) TokenLength() int { return v.cfg.msg.tokenLength }

// DefaultRegion returns the region whose national numbers the Verifier
// reads (WithDefaultRegion), such as "NL"; "" when there is none.
func (v *Verifier) DefaultRegion() string { return v.cfg.msg.region }

// ResendCooldown returns the time a number waits between two starts on
// the same channel (WithResendCooldown); 0 when the cooldown is off.
func (v *Verifier) ResendCooldown() time.Duration { return v.cfg.cooldown }

// AppName returns the name of the app that the built-in texts say the
// code is for (WithAppName given to New), such as "Acme"; "" when there
// is none.
func (v *Verifier) AppName() string { return v.cfg.msg.appName }
