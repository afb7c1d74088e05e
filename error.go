// Package customersd holds the domain of the Customers V2 service: its types,
// their validation rules and the interfaces of the services that act on them.
// It imports neither HTTP nor SQL; the packages beside it do.
package customersd

import (
	"errors"
	"fmt"
)

// Error codes. Each surface (the V2 API, the admin API) maps them to its own
// status codes in one table.
const (
	EINVALID      = "invalid"      // the client sent something wrong
	ENOTFOUND     = "not_found"    // the resource does not exist in this store
	ECONFLICT     = "conflict"     // a uniqueness rule would be broken
	EUNAUTHORIZED = "unauthorized" // no valid credentials for this store
	EFORBIDDEN    = "forbidden"    // credentials lack the scope for the operation
	EINTERNAL     = "internal"     // anything else; never shown to a client
)

// Error is a failure the client can be told about. Message is safe to show;
// Field names the offending input; Details carries extra facts such as
// BigCommerce's "invalid_reason".
type Error struct {
	Code    string
	Message string
	Field   string
	Details map[string]string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrUnavailable marks a failure of a backend (the database, Redis) that is
// down, unreachable or refusing writes: nothing the client did, and worth a
// retry. Wrap it beside the cause, fmt.Errorf("...: %w: %w", ErrUnavailable,
// err); the surfaces answer 503 with Retry-After.
var ErrUnavailable = errors.New("backend unavailable")

// ErrorCode returns the code of err if it is (or wraps) an *Error, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err, or "Internal error."
// when err is not an *Error: the cause of an internal failure is logged, never shown.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// The V2 validation messages. Clients match them verbatim (BEHAVIOR.md, "Error bodies").

// Required reports a required field that was not supplied.
func Required(field string) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf("The required field '%s' was not supplied.", field)}
}

// Invalid reports a field with a bad value, type or enum member.
func Invalid(field string) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf("The field '%s' is invalid.", field)}
}

// NotSupported reports a body field or query parameter the resource does not have.
func NotSupported(field string) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf("The field '%s' is not supported by this resource.", field)}
}

// NotFound reports a resource that does not exist in the store.
func NotFound(what string, id int64) *Error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf("%s %d not found.", what, id)}
}

// EmailTaken reports a duplicate email the way BigCommerce does: an invalid
// field with a reason in details.
func EmailTaken() *Error {
	return &Error{
		Code:    ECONFLICT,
		Field:   "email",
		Message: "The field 'email' is invalid.",
		Details: map[string]string{"invalid_reason": "This email address is already in use by a customer."},
	}
}
