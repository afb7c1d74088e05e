package admin

import (
	"net/http"

	"github.com/customersd/customersd"
)

// tokenJSON is an API account on the wire. ClientSecret and AccessToken
// appear only in the answer to its creation: the token is stored as a hash
// and cannot be shown again, and the secret is never shown again.
type tokenJSON struct {
	ClientID     string             `json:"client_id"`
	ClientSecret string             `json:"client_secret,omitempty"`
	AccessToken  string             `json:"access_token,omitempty"`
	Scopes       []customersd.Scope `json:"scopes"`
	CreatedAt    string             `json:"created_at"`
}

func newTokenJSON(a *customersd.APIAccount) *tokenJSON {
	scopes := a.Scopes
	if scopes == nil {
		scopes = []customersd.Scope{}
	}
	return &tokenJSON{ClientID: a.ClientID, Scopes: scopes, CreatedAt: formatTime(a.CreatedAt)}
}

// newCreatedTokenJSON is the answer to a creation: the account with the
// secret and the token, shown this once.
func newCreatedTokenJSON(a *customersd.APIAccount, token string) *tokenJSON {
	out := newTokenJSON(a)
	out.ClientSecret, out.AccessToken = a.ClientSecret, token
	return out
}

// credentialsInput are the credentials a script may choose for a new
// account; each one left out is random.
type credentialsInput struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	AccessToken  string `json:"access_token"`
}

// account returns the account to create, with every credential set, or
// EINVALID naming the bad one and its rule.
func (c credentialsInput) account(scopes []customersd.Scope) (*customersd.APIAccountInput, error) {
	in := &customersd.APIAccountInput{ClientID: c.ClientID, ClientSecret: c.ClientSecret, AccessToken: c.AccessToken, Scopes: scopes}
	in.Complete()
	return in, in.Validate()
}

// tokenInput is the body of POST .../tokens. Scopes left out means full
// access; an empty list makes a token that every endpoint refuses with 403,
// which is what a test of that answer needs.
type tokenInput struct {
	Scopes *[]customersd.Scope `json:"scopes"`
	credentialsInput
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
	acc, err := in.account(scopes)
	if err != nil {
		return err
	}
	a, err := s.Tenants.CreateAPIAccountFrom(r.Context(), st.ID, acc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newCreatedTokenJSON(a, acc.AccessToken))
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
