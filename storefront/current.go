package storefront

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/login"
)

// currentCustomer implements GET /stores/{store_hash}/storefront/customer/current.jwt?app_client_id=…:
// the signed-in shopper as a JWT signed with that app's client secret,
// valid 15 minutes (LOGIN.md, "Current Customer"). The app is any API
// account of the store: BigCommerce asks only that the client id be an
// app's. The answer is the token as plain text, or {"token": "…"} when
// Accept asks only for JSON; errors follow the same choice.
func (s *Server) currentCustomer(w http.ResponseWriter, r *http.Request) error {
	st := gateway.StoreOf(r.Context())
	asJSON := wantsJSONOnly(r.Header.Values("Accept"))
	clientID := r.URL.Query().Get("app_client_id")
	if clientID == "" {
		return writeCurrent(w, asJSON, http.StatusBadRequest, "", "The app_client_id query parameter is required.")
	}
	app, err := s.Tenants.FindAPIAccountByClientID(r.Context(), st.ID, clientID)
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		return writeCurrent(w, asJSON, http.StatusNotFound, "", "No app with this client id on this store.")
	} else if err != nil {
		return err
	}
	cu, err := s.shopper(r.Context(), r)
	if err != nil {
		return err
	}
	if cu == nil {
		return writeCurrent(w, asJSON, http.StatusNotFound, "", "No customer is signed in.")
	}
	token, err := login.SignCurrentCustomer(app, st, cu, s.now())
	if err != nil {
		return err
	}
	return writeCurrent(w, asJSON, http.StatusOK, token, "")
}

// wantsJSONOnly reports whether every media range of Accept is JSON: code
// in the wild reads both response.text() and response.json().token, and only
// the second asks for JSON.
func wantsJSONOnly(accept []string) bool {
	seen := false
	for _, v := range accept {
		for part := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			mt, _, err := mime.ParseMediaType(part)
			if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
				return false
			}
			seen = true
		}
	}
	return seen
}

// writeCurrent writes a token (status 200) or an error message.
func writeCurrent(w http.ResponseWriter, asJSON bool, status int, token, msg string) error {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept")
	var body []byte
	switch {
	case asJSON && status == http.StatusOK:
		body, _ = json.Marshal(map[string]string{"token": token})
	case asJSON:
		body, _ = json.Marshal(map[string]any{"status": status, "title": msg})
	case status == http.StatusOK:
		body = []byte(token)
	default:
		body = []byte(msg)
	}
	if asJSON {
		h.Set("Content-Type", "application/json")
	} else {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.WriteHeader(status)
	w.Write(body)
	return nil
}
