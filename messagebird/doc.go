// Package messagebird is a verify.Provider backed by MessageBird's Verify API.
package messagebird
