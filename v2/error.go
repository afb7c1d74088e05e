package v2

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/customersd/customersd"
)

// statusOf maps a domain error code to its V2 status. BigCommerce answers
// every client mistake with 400, a duplicate email included (BEHAVIOR.md,
// "Status codes").
var statusOf = map[string]int{
	customersd.EINVALID:      http.StatusBadRequest,
	customersd.ECONFLICT:     http.StatusBadRequest,
	customersd.ENOTFOUND:     http.StatusNotFound,
	customersd.EUNAUTHORIZED: http.StatusUnauthorized,
	customersd.EFORBIDDEN:    http.StatusForbidden,
	customersd.EINTERNAL:     http.StatusInternalServerError,
}

// httpError is a failure of the HTTP exchange itself (method, media type,
// size, rate), not of the domain.
type httpError struct {
	status  int
	message string
	header  http.Header
}

func (e *httpError) Error() string { return e.message }

// notFoundMessage is what BigCommerce says for any missing resource,
// whatever the path; clients match it.
const notFoundMessage = "The requested resource was not found."

// gatewayTitles are the titles of the errors BigCommerce's API gateway
// answers with, in the V3 object shape (BEHAVIOR.md, "Error bodies").
var gatewayTitles = map[int]string{
	http.StatusUnauthorized:    "No valid credentials were found in this request",
	http.StatusForbidden:       "You don't have a required scope to access the endpoint",
	http.StatusTooManyRequests: "Too many requests",
}

const statusCodesPage = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

type errorJSON struct {
	Status  int               `json:"status"`
	Message string            `json:"message"`
	Details map[string]string `json:"details,omitempty"`
}

type gatewayErrorJSON struct {
	Status int      `json:"status"`
	Title  string   `json:"title"`
	Type   string   `json:"type"`
	Errors struct{} `json:"errors"`
}

// writeError renders err in the V2 shape: the gateway object for 401, 403
// and 429, the error array for everything else. An internal error is logged
// in full and shown as a bare "Internal Server Error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := s.errorBody(r, err)
	var he *httpError
	if errors.As(err, &he) {
		for k, v := range he.header {
			w.Header()[k] = v
		}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) errorBody(r *http.Request, err error) (int, any) {
	var he *httpError
	var de *customersd.Error
	status, message := http.StatusInternalServerError, "Internal Server Error"
	var details map[string]string
	switch {
	case errors.As(err, &he):
		status, message = he.status, he.message
	case errors.As(err, &de):
		status, message, details = statusOf[de.Code], de.Message, de.Details
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if status == http.StatusNotFound {
			message = notFoundMessage
		}
	}
	if status == http.StatusInternalServerError {
		message = "Internal Server Error"
		s.logger().ErrorContext(r.Context(), "request failed", slog.String("request_id", requestID(r.Context())), slog.Any("error", err))
	}
	if title, ok := gatewayTitles[status]; ok {
		return status, gatewayErrorJSON{Status: status, Title: title, Type: statusCodesPage}
	}
	return status, []errorJSON{{Status: status, Message: message, Details: details}}
}
