package admin

import (
	"net/http"

	"github.com/customersd/customersd"
)

// tokenJSON is an API account on the wire. AccessToken appears only in the
// answer to its creation: it is stored as a hash and cannot be shown again.
type tokenJSON struct {
	ClientID    string             `json:"client_id"`
	AccessToken string             `json:"access_token,omitempty"`
	Scopes      []customersd.Scope `json:"scopes"`
	CreatedAt   string             `json:"created_at"`
}

func newTokenJSON(a *customersd.APIAccount) *tokenJSON {
	scopes := a.Scopes
	if scopes == nil {
		scopes = []customersd.Scope{}
	}
	return &tokenJSON{ClientID: a.ClientID, Scopes: scopes, CreatedAt: formatTime(a.CreatedAt)}
}

// tokenInput is the body of POST .../tokens. Scopes left out means full
// access; an empty list makes a token that every endpoint refuses with 403,
// which is what a test of that answer needs.
type tokenInput struct {
	Scopes      *[]customersd.Scope `json:"scopes"`
	AccessToken string              `json:"access_token"`
}

// createToken implements POST /admin/v1/stores/{hash}/tokens.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	scopes := []customersd.Scope{customersd.ScopeCustomers}
	if in.Scopes != nil {
		scopes = *in.Scopes
	}
	token := in.AccessToken
	if token == "" {
		token = customersd.NewAccessToken()
	}
	a, err := s.Tenants.CreateAPIAccount(r.Context(), st.ID, token, scopes)
	if err != nil {
		return err
	}
	out := newTokenJSON(a)
	out.AccessToken = token
	return writeJSON(w, http.StatusCreated, out)
}

// listTokens implements GET /admin/v1/stores/{hash}/tokens.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	accounts, err := s.Tenants.FindAPIAccounts(r.Context(), st.ID)
	if err != nil {
		return err
	}
	out := struct {
		Tokens []*tokenJSON `json:"tokens"`
	}{Tokens: make([]*tokenJSON, len(accounts))}
	for i, a := range accounts {
		out.Tokens[i] = newTokenJSON(a)
	}
	return writeJSON(w, http.StatusOK, out)
}

// revokeToken implements DELETE /admin/v1/stores/{hash}/tokens/{client_id}.
// The V2 API checks tokens against the database on every request, so the
// next request with this token is refused, on every node.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if err := s.Tenants.RevokeAPIAccount(r.Context(), st.ID, r.PathValue("client_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
