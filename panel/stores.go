package panel

import (
	"net/http"

	"github.com/customersd/customersd"
)

// storeSummary is a store with what the stores page shows of it.
type storeSummary struct {
	*customersd.Store
	Counts *customersd.StoreCounts
	Quota  customersd.Quota
	// OwnQuota: the store has its own quota, not its plan's.
	OwnQuota bool
}

func (s *Server) summary(r *http.Request, st *customersd.Store) (*storeSummary, error) {
	n, err := s.Tenants.CountStore(r.Context(), st.ID)
	if err != nil {
		return nil, err
	}
	return &storeSummary{Store: st, Counts: n, Quota: s.Quota(st), OwnQuota: st.RateLimit != nil}, nil
}

// listStores implements GET /admin/ui/: every store with its counts, plan
// and quota. Counts are kept per store (migration 0002), so this costs a
// row per store, not a count of a million customers.
func (s *Server) listStores(w http.ResponseWriter, r *http.Request) error {
	stores, err := s.Tenants.FindStores(r.Context())
	if err != nil {
		return err
	}
	out := make([]*storeSummary, len(stores))
	for i, st := range stores {
		if out[i], err = s.summary(r, st); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "stores", &view{Title: "Stores", Data: out})
}

// resetView is the reset confirmation page.
type resetView struct {
	*storeSummary
	Problem string
}

// confirmReset implements GET /admin/ui/stores/{hash}/reset: what a reset
// deletes, and the form that does it.
func (s *Server) confirmReset(w http.ResponseWriter, r *http.Request) error {
	return s.renderReset(w, r, http.StatusOK, "")
}

func (s *Server) renderReset(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	sum, err := s.summary(r, st)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "reset", &view{Title: "Reset " + st.Hash, Store: st, Section: "reset", Data: &resetView{sum, problem}})
}

// resetStore implements POST /admin/ui/stores/{hash}/reset. The form's
// confirm box must be ticked: a reset cannot be undone.
func (s *Server) resetStore(w http.ResponseWriter, r *http.Request) error {
	if r.PostFormValue("confirm") != "yes" {
		return s.renderReset(w, r, http.StatusBadRequest, "Tick the box to confirm the reset; nothing was deleted.")
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if err := s.Tenants.ResetStore(r.Context(), st.ID); err != nil {
		return err
	}
	http.Redirect(w, r, base+"/stores/"+st.Hash+"/customers?notice=reset", http.StatusSeeOther)
	return nil
}
