package gateway

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
)

// ReadBody reads a request body of at most limit bytes. Its errors are
// *Error: 413 past the limit, 408 when the server's read timeout cut a slow
// client off (its body is not bad, just late), 400 when the body could not
// be read.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		return body, nil
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("The request body is larger than %d bytes.", limit)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, &Error{Status: http.StatusRequestTimeout, Message: "The request body was not received in time."}
	}
	return nil, &Error{Status: http.StatusBadRequest, Message: "The request body could not be read."}
}

// IsJSON reports whether a request's Content-Type, when it has one, is
// application/json or one of its +json relatives.
func IsJSON(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && IsJSONMediaType(mt)
}

// IsJSONMediaType admits application/json and its +json relatives.
func IsJSONMediaType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
