package admin

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/login"
)

// The limits of GET .../login/attempts: a page of the newest, at most all
// a store keeps.
const (
	defaultAttemptsLimit = 50
	maxAttemptsLimit     = customersd.MaxLoginAttempts
)

// errNoLogins answers the login calls of a server built without login
// records (a program embedding the admin API alone).
var errNoLogins = customersd.Errorf(customersd.ENOTFOUND, "This server keeps no login records.")

// loginAttemptJSON is a login attempt on the wire: claims decoded, never the
// signature or a secret.
type loginAttemptJSON struct {
	ID         int64           `json:"id"`
	At         string          `json:"at"`
	OK         bool            `json:"ok"`
	Check      string          `json:"check,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Detail     string          `json:"detail,omitempty"`
	ClientID   string          `json:"client_id"`
	CustomerID int64           `json:"customer_id"`
	IP         string          `json:"ip"`
	Claims     json.RawMessage `json:"claims"`
}

// listLoginAttempts implements GET /admin/v1/stores/{hash}/login/attempts?limit=N:
// the store's newest login token attempts, newest first, with the reason
// of each refusal.
func (s *Server) listLoginAttempts(w http.ResponseWriter, r *http.Request) error {
	if s.Logins == nil || s.Login == nil {
		return errNoLogins
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	limit := defaultAttemptsLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAttemptsLimit {
			return customersd.Errorf(customersd.EINVALID, "limit must be a whole number from 1 to %d.", maxAttemptsLimit)
		}
		limit = n
	}
	found, err := s.Logins.FindLoginAttempts(r.Context(), st.ID, limit)
	if err != nil {
		return err
	}
	out := make([]loginAttemptJSON, len(found))
	for i, a := range found {
		claims := json.RawMessage(a.Claims)
		if !json.Valid(claims) {
			claims = json.RawMessage("{}")
		}
		out[i] = loginAttemptJSON{ID: a.ID, At: formatTime(a.At), OK: a.OK, Check: a.Check, Reason: a.Reason, Detail: a.Detail,
			ClientID: a.ClientID, CustomerID: a.CustomerID, IP: a.IP, Claims: claims}
	}
	return writeJSON(w, http.StatusOK, out)
}

// explainInput is the body of POST .../login/explain. IP, optional, is the
// browser address to compare with the token's request_ip.
type explainInput struct {
	Token string `json:"token"`
	IP    string `json:"ip"`
}

// explainJSON answers POST .../login/explain.
type explainJSON struct {
	Valid  bool          `json:"valid"`
	Checks []login.Check `json:"checks"`
}

// explainLogin implements POST /admin/v1/stores/{hash}/login/explain: every
// check a sign-in with the token would run, without using its jti and
// without recording an attempt, so the token can still sign in.
func (s *Server) explainLogin(w http.ResponseWriter, r *http.Request) error {
	if s.Logins == nil || s.Login == nil {
		return errNoLogins
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	var in explainInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.Token == "" {
		return customersd.Errorf(customersd.EINVALID, "token is required: the login JWT to explain.")
	}
	res, err := s.Login.Explain(r.Context(), st, in.Token, in.IP)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, explainJSON{Valid: res.Valid(), Checks: res.Checks})
}
