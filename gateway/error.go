package gateway

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/customersd/customersd"
)

// Error is a failure of the HTTP exchange itself (route, method, credentials,
// scope, media type, size, rate), not of the domain. An empty Message lets
// the surface's renderer word it in its own way.
type Error struct {
	Status  int
	Message string
	// Header is added to the response (Allow, X-Retry-After, WWW-Authenticate).
	Header http.Header
}

func (e *Error) Error() string {
	if e.Message == "" {
		return http.StatusText(e.Status)
	}
	return e.Message
}

// tooManyRequests is the 429 of the gateway, with X-Retry-After in whole
// seconds (at least 1; see ratelimit.Decision.RetryAfterSeconds).
func tooManyRequests(retryAfter int) *Error {
	return &Error{
		Status:  http.StatusTooManyRequests,
		Message: "Too many requests",
		Header:  http.Header{"X-Retry-After": {strconv.Itoa(max(retryAfter, 1))}},
	}
}

// serviceUnavailable is the 503 of a backend outage, with Retry-After in
// whole seconds.
func serviceUnavailable() *Error {
	return &Error{
		Status:  http.StatusServiceUnavailable,
		Message: "The service is temporarily unavailable. Please try again later.",
		Header:  http.Header{"Retry-After": {strconv.Itoa(int(UnavailableRetryAfter / time.Second))}},
	}
}

// domainStatus maps a domain error code to its HTTP status. ECONFLICT is the
// surface's to choose: V2 answers every client mistake with 400.
var domainStatus = map[string]int{
	customersd.EINVALID:      http.StatusBadRequest,
	customersd.ENOTFOUND:     http.StatusNotFound,
	customersd.EUNAUTHORIZED: http.StatusUnauthorized,
	customersd.EFORBIDDEN:    http.StatusForbidden,
}

// Problem is what a renderer needs of any error: the status, and a message
// fit to show (empty when the renderer must word it: an internal error, or
// a gateway error that left it to the surface).
type Problem struct {
	Status  int
	Message string
	// Details are the domain error's, for the V2 array.
	Details map[string]string
}

// ProblemOf classifies err for a renderer; conflict is the status of
// ECONFLICT on the surface. Anything that is neither a *Error nor a domain
// error with a known code is a 500 with no message.
func ProblemOf(err error, conflict int) Problem {
	var he *Error
	var de *customersd.Error
	switch {
	case errors.As(err, &he):
		return Problem{Status: he.Status, Message: he.Message}
	case errors.As(err, &de):
		status, ok := domainStatus[de.Code]
		if de.Code == customersd.ECONFLICT {
			status, ok = conflict, true
		}
		if ok {
			return Problem{Status: status, Message: de.Message, Details: de.Details}
		}
	}
	return Problem{Status: http.StatusInternalServerError}
}
