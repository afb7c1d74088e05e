package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// storeJSON is a store on the wire. Counts appear on GET of one store and
// after an import; Token only in the answer to its creation.
type storeJSON struct {
	Hash      string `json:"store_hash"`
	Plan      string `json:"plan"`
	CreatedAt string `json:"created_at"`
	APIPath   string `json:"api_path"`
	// RateLimit is the store's own quota; null: its plan's default.
	RateLimit *rateLimitJSON `json:"rate_limit"`
	Counts    *countsJSON    `json:"counts,omitempty"`
	Token     *tokenJSON     `json:"token,omitempty"`
}

type countsJSON struct {
	Customers int64 `json:"customers"`
	Addresses int64 `json:"addresses"`
	Groups    int64 `json:"groups"`
}

func newStoreJSON(st *customersd.Store) *storeJSON {
	return &storeJSON{
		Hash:      st.Hash,
		Plan:      st.Plan,
		CreatedAt: formatTime(st.CreatedAt),
		APIPath:   "/stores/" + st.Hash + "/v2",
		RateLimit: newRateLimitJSON(st.RateLimit),
	}
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// storeInput is the body of POST /admin/v1/stores. The credentials are
// those of the store's first API account.
type storeInput struct {
	Hash      string         `json:"store_hash"`
	Plan      string         `json:"plan"`
	RateLimit *rateLimitJSON `json:"rate_limit"`
	credentialsInput
}

// createStore implements POST /admin/v1/stores: a store (hash generated when
// absent) and one full-scope API account (credentials random unless given),
// so a test can start at once.
func (s *Server) createStore(w http.ResponseWriter, r *http.Request) error {
	var in storeInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	// Checked before the store exists, so a bad credential leaves nothing.
	acc, err := in.account([]customersd.Scope{customersd.ScopeCustomers})
	if err != nil {
		return err
	}
	st := &customersd.Store{Hash: in.Hash, Plan: in.Plan, RateLimit: in.RateLimit.toRateLimit()}
	if in.Plan == "" && st.RateLimit == nil {
		// A test suite's store: no plan asked for, no limit to meet.
		st.RateLimit = ratelimit.Unthrottled()
	}
	if st.Hash == "" {
		st.Hash = customersd.NewStoreHash()
	}
	if err := s.Tenants.CreateStore(r.Context(), st); err != nil {
		return err
	}
	a, err := s.Tenants.CreateAPIAccountFrom(r.Context(), st.ID, acc)
	if err != nil {
		// A store nobody can reach is no use; take it back.
		if derr := s.Tenants.DeleteStore(r.Context(), st.ID); derr != nil {
			return fmt.Errorf("admin: create token of new store %q: %w (and delete it: %v)", st.Hash, err, derr)
		}
		return fmt.Errorf("admin: create token of new store %q: %w", st.Hash, err)
	}
	out := newStoreJSON(st)
	out.Token = newCreatedTokenJSON(a, acc.AccessToken)
	w.Header().Set("Location", "/admin/v1/stores/"+st.Hash)
	return writeJSON(w, http.StatusCreated, out)
}

// listStores implements GET /admin/v1/stores.
func (s *Server) listStores(w http.ResponseWriter, r *http.Request) error {
	stores, err := s.Tenants.FindStores(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Stores []*storeJSON `json:"stores"`
	}{Stores: make([]*storeJSON, len(stores))}
	for i, st := range stores {
		out.Stores[i] = newStoreJSON(st)
	}
	return writeJSON(w, http.StatusOK, out)
}

// getStore implements GET /admin/v1/stores/{hash}.
func (s *Server) getStore(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	out, err := s.withCounts(r, st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) withCounts(r *http.Request, st *customersd.Store) (*storeJSON, error) {
	n, err := s.Tenants.CountStore(r.Context(), st.ID)
	if err != nil {
		return nil, err
	}
	out := newStoreJSON(st)
	out.Counts = &countsJSON{Customers: n.Customers, Addresses: n.Addresses, Groups: n.Groups}
	return out, nil
}

// deleteStore implements DELETE /admin/v1/stores/{hash}: the store, its
// data and its tokens.
func (s *Server) deleteStore(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if err := s.Tenants.DeleteStore(r.Context(), st.ID); err != nil {
		return err
	}
	s.Faults.Clear(st.ID) // this node's; a store hash made again starts clean
	if s.Journal != nil {
		s.Journal.Clear(st.ID)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resetStore implements POST /admin/v1/stores/{hash}/reset: no customers,
// addresses or groups, IDs from 1 again, tokens kept.
func (s *Server) resetStore(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if err := s.Tenants.ResetStore(r.Context(), st.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// store finds the store named in the path. Returns ENOTFOUND.
func (s *Server) store(r *http.Request) (*customersd.Store, error) {
	return s.Tenants.FindStoreByHash(r.Context(), r.PathValue("hash"))
}
