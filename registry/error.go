package registry

import (
	"errors"
	"fmt"
)

// Error codes. They classify failures for callers (the CLI maps them to exit
// codes and messages); they are not meant to be shown to clerks as such.
const (
	EBUSY         = "busy"         // another process holds what the action needs; try again later
	ECONFLICT     = "conflict"     // the action conflicts with the current state
	EINTERNAL     = "internal"     // a bug or an environment failure
	EINVALID      = "invalid"      // the input is not acceptable
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	EREFUSED      = "refused"      // a rule forbids the action without an explicit override
	EUNVERIFIABLE = "unverifiable" // it cannot be checked with what is at hand (a key, a trust root)
)

// Error is an error a user can act on. Message is written for the person at
// the keyboard (in Vietnamese where a clerk reads it).
type Error struct {
	Code    string
	Message string
	// Field names the input the error is about, in the domain's terms
	// ("actor", "basis", "note"), for a front end to point at its own
	// input (a flag, a form field); "" when it is about none.
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// The inputs errors name.
const (
	FieldActor     = "actor"     // who acts: a clerk, a reviewer
	FieldBasis     = "basis"     // the legal basis of a correction
	FieldNote      = "note"      // why, what was checked
	FieldChoice    = "choice"    // the value chosen to settle a conflict
	FieldRequester = "requester" // who asked for a copy
	FieldIssuer    = "issuer"    // the issuing unit
	FieldOverride  = "override"  // why a record under review is copied anyway
	FieldReason    = "reason"    // why a copy is revoked
)

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for other errors.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "Lỗi hệ thống, vui lòng báo cho quản trị viên."
}
