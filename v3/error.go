package v3

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// statusCodesPage is the type of every V3 error, as BigCommerce's gateway
// writes it.
const statusCodesPage = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

// errorJSON is the V3 error object (spec/WEBHOOKS.md): errors maps a field
// to what is wrong with it, {} when no one field is to blame.
type errorJSON struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Errors map[string]string `json:"errors"`
}

// fixedTitles word the gateway's refusals as BigCommerce's gateway does,
// whatever the cause says.
var fixedTitles = map[int]string{
	http.StatusUnauthorized:        "No valid credentials were found in this request",
	http.StatusTooManyRequests:     "Too many requests",
	http.StatusInternalServerError: "Internal Server Error",
}

// renderError writes err as a V3 error object. V3 answers a body that is
// well-formed but wrong, and a broken limit, with 422 (a limit is ECONFLICT
// or EINVALID from storage); anything that is not a domain or gateway
// error is a 500 without detail (the gateway logs it).
func renderError(w http.ResponseWriter, r *http.Request, err error) int {
	p := gateway.ProblemOf(err, http.StatusUnprocessableEntity)
	var de *customersd.Error
	isDomain := errors.As(err, &de)
	if isDomain && de.Code == customersd.EINVALID {
		p.Status = http.StatusUnprocessableEntity
	}
	out := errorJSON{Status: p.Status, Title: p.Message, Type: statusCodesPage, Errors: map[string]string{}}
	if t, ok := fixedTitles[p.Status]; ok {
		out.Title = t
	}
	if out.Title == "" {
		out.Title = http.StatusText(p.Status)
	}
	if isDomain && de.Field != "" && p.Status == http.StatusUnprocessableEntity {
		out.Errors[de.Field] = de.Message
	}
	b, _ := json.Marshal(out) // the error wire type always encodes
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	w.Write(b)
	return p.Status
}

// writeJSON writes a V3 body.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	// Not json.Marshal: it writes & < > as \u0026 …, which BigCommerce
	// doesn't, and V3's pagination links hold "&".
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err // the gateway's 500
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return nil
}

// envelope is every V3 success body.
type envelope struct {
	Data any  `json:"data"`
	Meta meta `json:"meta"`
}

type meta struct {
	Pagination *pagination `json:"pagination,omitempty"`
}

// pagination is meta.pagination of a list, with BigCommerce's links
// relative to the collection.
type pagination struct {
	Total       int64 `json:"total"`
	Count       int   `json:"count"`
	PerPage     int   `json:"per_page"`
	CurrentPage int   `json:"current_page"`
	TotalPages  int64 `json:"total_pages"`
	Links       links `json:"links"`
}

type links struct {
	Previous string `json:"previous,omitempty"`
	Current  string `json:"current"`
	Next     string `json:"next,omitempty"`
}
