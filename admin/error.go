package admin

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/customersd/customersd"
)

// statusOf maps a domain error code to its admin status. Unlike V2, the
// admin API says 409 for a conflict: it owes nothing to BigCommerce's habits.
var statusOf = map[string]int{
	customersd.EINVALID:      http.StatusBadRequest,
	customersd.ENOTFOUND:     http.StatusNotFound,
	customersd.ECONFLICT:     http.StatusConflict,
	customersd.EUNAUTHORIZED: http.StatusUnauthorized,
	customersd.EFORBIDDEN:    http.StatusForbidden,
	customersd.EINTERNAL:     http.StatusInternalServerError,
}

const internalDetail = "Internal error; the server log has the cause."

// httpError is a failure of the exchange itself (auth, route, method, size,
// media type), not of the domain.
type httpError struct {
	status int
	detail string
	header http.Header
}

func (e *httpError) Error() string { return e.detail }

// errorJSON is every admin error body, in the shape of RFC 9457 problem details.
type errorJSON struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// writeError renders err. An internal error is logged in full, with the
// request's method and path, and shown only as a generic detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, detail := http.StatusInternalServerError, internalDetail
	var he *httpError
	var de *customersd.Error
	switch {
	case errors.As(err, &he):
		status, detail = he.status, he.detail
		for k, v := range he.header {
			w.Header()[k] = v
		}
	case errors.As(err, &de):
		if st, ok := statusOf[de.Code]; ok && st != http.StatusInternalServerError {
			status, detail = st, de.Message
		}
	}
	if status == http.StatusInternalServerError {
		s.logger().ErrorContext(r.Context(), "admin request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	writeJSON(w, status, errorJSON{Status: status, Title: http.StatusText(status), Detail: detail})
}

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err // rendered by the adapter as a 500
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) // a failed write means the client left; nothing to tell it
	return nil
}
