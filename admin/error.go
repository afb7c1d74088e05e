package admin

import (
	"encoding/json"
	"net/http"

	"github.com/customersd/customersd/gateway"
)

const internalDetail = "Internal error; the server log has the cause."

// errorJSON is every admin error body, in the shape of RFC 9457 problem details.
type errorJSON struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// renderError writes err as a problem. Unlike V2, the admin API says 409
// for a conflict: it owes nothing to BigCommerce's habits.
func renderError(w http.ResponseWriter, r *http.Request, err error) int {
	p := gateway.ProblemOf(err, http.StatusConflict)
	switch {
	case p.Status == http.StatusInternalServerError:
		p.Message = internalDetail
	case p.Status == http.StatusMethodNotAllowed:
		p.Message = "The method " + r.Method + " is not allowed here."
	case p.Message == "":
		p.Message = "Not found."
	}
	writeJSON(w, p.Status, errorJSON{Status: p.Status, Title: http.StatusText(p.Status), Detail: p.Message})
	return p.Status
}

// writeJSON writes v as the response body with status. No cache may keep
// any of it: a new store or token carries its secret and token (shown that
// once), an export password hashes and client secrets, and the rest is
// the state of a control plane, stale as soon as it changes.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err // rendered by the gateway as a 500
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) // a failed write means the client left; nothing to tell it
	return nil
}
