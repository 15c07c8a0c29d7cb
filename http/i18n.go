package http

import "net/http"

// This file holds what the user reads: the language of a request and the
// texts of the pages and the JSON API.

// localize sets the language of the page p answering r.
func (h *handler) localize(r *http.Request, p *Page) {
	p.Lang, p.Dir = "en", "ltr"
}

// message returns the default English text of an error code.
func message(code string) string {
	switch code {
	case "invalid_phone":
		return "This number cannot be verified."
	case "unsupported":
		return "This number cannot receive text messages. A voice call works."
	case "invalid_code":
		return "That code is not right. Check it and try again."
	case "expired":
		return "This code has expired or was already used. Ask for a new one."
	case "already_used":
		return "This code was already used. If you submitted it twice, your number may already be verified; otherwise ask for a new code."
	case "too_many_attempts":
		return "Too many wrong codes were entered. Ask for a new one."
	case "rate_limited":
		return "Too many requests. Try again after retry_after seconds."
	case "unavailable":
		return "Codes cannot be sent or checked right now. Try again in a few minutes."
	case "session_invalid":
		return "The verification has ended or was not kept. Start again."
	case "session_expired":
		return "The verification has ended. Start again."
	case "invalid_token":
		return "The token is malformed, was tampered with or was issued by another server."
	case "token_expired":
		return "The token has expired. Start again."
	case "invalid_request":
		return "The request could not be read."
	case "unsupported_media_type":
		return "The request body must be JSON (Content-Type: application/json)."
	case "too_large":
		return "The request is too large."
	case "cross_origin":
		return "Cross-origin requests are refused."
	}
	return "Something went wrong."
}
