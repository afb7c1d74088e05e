package panel

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/customersd/customersd"
)

// maxListedDeliveries is how many deliveries of the log a page shows,
// newest first.
const maxListedDeliveries = 100

// hooksView is the hooks page: a store's hooks, of every API account, and
// its delivery log.
type hooksView struct {
	Hooks      []*customersd.Hook
	Deliveries []*customersd.DeliveryRecord
	Notice     string
}

// hooksEnabled: the page exists with webhooks (Hooks and Webhooks set).
func (s *Server) hooksEnabled() bool { return s.Hooks != nil && s.Webhooks != nil }

// listHooks implements GET /admin/ui/stores/{hash}/hooks.
func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	v := &hooksView{}
	if n := r.URL.Query().Get("delivered"); n != "" {
		v.Notice = "Due now: " + n + " pending deliveries. Reload to see their attempts."
	}
	if v.Hooks, err = s.Hooks.FindHooks(r.Context(), st.ID, customersd.HookFilter{}); err != nil {
		return err
	}
	if v.Deliveries, err = s.Webhooks.FindDeliveries(r.Context(), st.ID, customersd.DeliveryFilter{Limit: maxListedDeliveries}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "hooks", &view{Title: "Webhooks of " + st.Hash, Store: st, Section: "hooks", Data: v})
}

// deliverNow implements POST /admin/ui/stores/{hash}/deliveries/deliver
// (every pending delivery of the store) and .../deliveries/{id}/deliver
// (one): they become due now, and a worker sends them at once.
func (s *Server) deliverNow(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	var id int64
	if p := r.PathValue("id"); p != "" {
		if id, err = strconv.ParseInt(p, 10, 64); err != nil || id < 1 {
			return customersd.Errorf(customersd.ENOTFOUND, "There is no delivery %q in store %s.", p, st.Hash)
		}
	}
	n, err := s.Webhooks.DeliverNow(r.Context(), st.ID, id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("%s/stores/%s/hooks?delivered=%d", base, st.Hash, n), http.StatusSeeOther)
	return nil
}
