package panel

import (
	"net/http"

	"github.com/customersd/customersd"
)

// accountsView is the API accounts page; Created is set only in the
// answer to a creation, the one time its secret and token are shown.
type accountsView struct {
	Accounts []*customersd.APIAccount
	Created  *createdAccount
	Scopes   []customersd.Scope
	Problem  string
}

type createdAccount struct {
	*customersd.APIAccount
	AccessToken string
}

// scopeChoices are the scopes the creation form offers.
var scopeChoices = []customersd.Scope{customersd.ScopeCustomers, customersd.ScopeCustomersReadOnly, customersd.ScopeCustomersLogin}

// listAccounts implements GET /admin/ui/stores/{hash}/accounts.
func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccounts(w, r, http.StatusOK, &accountsView{})
}

func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, status int, v *accountsView) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if v.Accounts, err = s.Tenants.FindAPIAccounts(r.Context(), st.ID); err != nil {
		return err
	}
	v.Scopes = scopeChoices
	return s.render(w, r, status, "accounts", &view{Title: "API accounts of " + st.Hash, Store: st, Section: "accounts", Data: v})
}

// createAccount implements POST /admin/ui/stores/{hash}/accounts: an API
// account with random credentials and the scopes ticked. The answer is the
// only page that ever shows its client secret and access token.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	var scopes []customersd.Scope
	for _, v := range r.PostForm["scope"] {
		sc := customersd.Scope(v)
		if !sc.Valid() {
			return s.renderAccounts(w, r, http.StatusBadRequest, &accountsView{Problem: customersd.UnknownScope(sc) + "; no account was created."})
		}
		scopes = append(scopes, sc)
	}
	if len(scopes) == 0 {
		return s.renderAccounts(w, r, http.StatusBadRequest, &accountsView{Problem: "Tick at least one scope; no account was created."})
	}
	in := &customersd.APIAccountInput{Scopes: scopes}
	in.Complete()
	a, err := s.Tenants.CreateAPIAccountFrom(r.Context(), st.ID, in)
	if err != nil {
		return err
	}
	return s.renderAccounts(w, r, http.StatusCreated, &accountsView{Created: &createdAccount{APIAccount: a, AccessToken: in.AccessToken}})
}
