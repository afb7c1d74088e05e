package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// Body size caps. An import carries a whole store (a thousand customers is
// about a megabyte); every other body is a few fields.
const (
	MaxBodyBytes   = 1 << 20
	MaxImportBytes = 64 << 20
)

// readBody checks the media type and reads the body, at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if !gateway.IsJSON(r) {
		return nil, &gateway.Error{Status: http.StatusUnsupportedMediaType, Message: "Send the body as application/json."}
	}
	return gateway.ReadBody(w, r, limit)
}

// decodeBody reads a small JSON object into v strictly: an unknown field, a
// wrong type or trailing data is a 400, since a typo in a test's setup
// should fail the test rather than be ignored. An empty body is {}.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r, MaxBodyBytes)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return customersd.Errorf(customersd.EINVALID, "The field '%s' has the wrong type.", te.Field)
		}
		return customersd.Errorf(customersd.EINVALID, "The body is not valid JSON for this request: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return customersd.Errorf(customersd.EINVALID, "The body has data after its JSON value.")
	}
	return nil
}
