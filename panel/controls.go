package panel

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/customersd/customersd"
)

// maxListedRequests is how many journal entries a page shows, newest first.
const maxListedRequests = 100

// The pages of the test controls: the request journal, the fault rules
// and the login attempts, each when its service is set.

// requestsView is the request journal page.
type requestsView struct {
	Entries []*entry
	Notice  string
}

// listRequests implements GET /admin/ui/stores/{hash}/requests: this
// node's journal of the store, newest first.
func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	v := &requestsView{}
	if r.URL.Query().Get("notice") == "cleared" {
		v.Notice = "The journal of this store was cleared on this node."
	}
	for _, e := range s.Journal.Find(st.ID, journalFilter(maxListedRequests)) {
		v.Entries = append(v.Entries, (*entry)(e))
	}
	return s.render(w, r, http.StatusOK, "requests", &view{Title: "Requests to " + st.Hash, Store: st, Section: "requests", Data: v})
}

// clearRequests implements POST /admin/ui/stores/{hash}/requests/clear;
// the form's confirm box must be ticked.
func (s *Server) clearRequests(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return errBadInput("Tick the box to confirm clearing the journal; nothing was cleared.")
	}
	s.Journal.Clear(st.ID)
	http.Redirect(w, r, base+"/stores/"+st.Hash+"/requests?notice=cleared", http.StatusSeeOther)
	return nil
}

// faultsView is the fault rules page.
type faultsView struct {
	Rules  []*faultRule
	Notice string
}

// listFaults implements GET /admin/ui/stores/{hash}/faults.
func (s *Server) listFaults(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	v := &faultsView{}
	if r.URL.Query().Get("notice") == "deleted" {
		v.Notice = "The rule was deleted."
	}
	for _, f := range s.Faults.List(st.ID) {
		v.Rules = append(v.Rules, newFaultRule(f))
	}
	return s.render(w, r, http.StatusOK, "faults", &view{Title: "Fault rules of " + st.Hash, Store: st, Section: "faults", Data: v})
}

// deleteFault implements POST /admin/ui/stores/{hash}/faults/{id}/delete;
// the form's confirm box must be ticked.
func (s *Server) deleteFault(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return errBadInput("Tick the box to confirm deleting the rule; nothing was deleted.")
	}
	if !s.Faults.Delete(st.ID, r.PathValue("id")) {
		return customersd.Errorf(customersd.ENOTFOUND, "Store %s has no fault rule %q on this node.", st.Hash, r.PathValue("id"))
	}
	http.Redirect(w, r, base+"/stores/"+st.Hash+"/faults?notice=deleted", http.StatusSeeOther)
	return nil
}

// listLogins implements GET /admin/ui/stores/{hash}/logins: the store's
// newest login attempts, each with the check it failed and why.
func (s *Server) listLogins(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	attempts, err := s.Logins.FindLoginAttempts(r.Context(), st.ID, customersd.MaxLoginAttempts)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "logins", &view{Title: "Login attempts of " + st.Hash, Store: st, Section: "logins", Data: attempts})
}

// words joins the set parts of a rule's description.
func words(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

func ifSet[T comparable](v T, format string) string {
	var zero T
	if v == zero {
		return ""
	}
	return fmt.Sprintf(format, v)
}
