package v3

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/customersd/customersd"
)

// The statuses of a hook in GET /hooks/admin.
const (
	statusActive      = "active"
	statusInactive    = "inactive"    // switched off by its app
	statusDeactivated = "deactivated" // switched off by failed deliveries
)

// hooksAdminJSON is the data of GET /hooks/admin.
type hooksAdminJSON struct {
	Emails         []string            `json:"emails"`
	HooksList      []adminHookJSON     `json:"hooks_list"`
	BlockedDomains []blockedDomainJSON `json:"blocked_domains"`
}

type adminHookJSON struct {
	customersd.HookView
	Status string `json:"status"`
}

type blockedDomainJSON struct {
	Destination string            `json:"destination"`
	TimeLeft    int64             `json:"time_left"` // seconds
	Reasons     []blockReasonJSON `json:"reasons"`
}

type blockReasonJSON struct {
	FailureDescription string `json:"failure_description"`
	Count              int    `json:"count"`
	Timestamp          int64  `json:"timestamp"`
}

// getHooksAdmin implements GET /stores/{store_hash}/v3/hooks/admin: the
// account's notification emails, every one of its hooks with its status
// (is_active filters them), and its blocked destinations.
func (s *Server) getHooksAdmin(w http.ResponseWriter, r *http.Request) error {
	f := customersd.HookFilter{ClientID: account(r).ClientID}
	q := r.URL.Query()
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if k != "is_active" {
			return badQuery(k, "The query parameter '"+k+"' is not supported by this resource.")
		}
	}
	if q.Has("is_active") {
		b, err := strconv.ParseBool(q.Get("is_active"))
		if err != nil {
			return badQuery("is_active", "The query parameter 'is_active' must be true or false.")
		}
		f.IsActive = &b
	}
	st, ctx := storeOf(r), r.Context()
	emails, err := s.Hooks.HookEmails(ctx, st.ID, f.ClientID)
	if err != nil {
		return err
	}
	hooks, err := s.Hooks.FindHooks(ctx, st.ID, f)
	if err != nil {
		return err
	}
	out := hooksAdminJSON{Emails: emails, HooksList: make([]adminHookJSON, len(hooks)), BlockedDomains: []blockedDomainJSON{}}
	if out.Emails == nil {
		out.Emails = []string{}
	}
	for i, h := range hooks {
		status, err := s.hookStatus(r, h)
		if err != nil {
			return err
		}
		out.HooksList[i] = adminHookJSON{HookView: h.View(st.Hash), Status: status}
	}
	if s.Blocked != nil {
		for _, b := range s.Blocked(ctx, st.ID, f.ClientID) {
			bj := blockedDomainJSON{Destination: b.Destination, TimeLeft: int64(b.TimeLeft.Round(time.Second) / time.Second), Reasons: []blockReasonJSON{}}
			for _, rs := range b.Reasons {
				bj.Reasons = append(bj.Reasons, blockReasonJSON{FailureDescription: rs.FailureDescription, Count: rs.Count, Timestamp: rs.At.Unix()})
			}
			out.BlockedDomains = append(out.BlockedDomains, bj)
		}
	}
	return writeJSON(w, http.StatusOK, envelope{Data: out})
}

// hookStatus tells a hook its app switched off from one deactivated by
// delivery: the last attempt of its newest failed delivery deactivated it,
// so a hook not changed since that attempt (a second of slack for the two
// clocks) is deactivated.
func (s *Server) hookStatus(r *http.Request, h *customersd.Hook) (string, error) {
	if h.IsActive {
		return statusActive, nil
	}
	if s.Queue == nil {
		return statusInactive, nil
	}
	recs, err := s.Queue.FindDeliveries(r.Context(), storeOf(r).ID, customersd.DeliveryFilter{HookID: h.ID, State: customersd.DeliveryFailed, Limit: 1})
	if err != nil {
		return "", err
	}
	if len(recs) == 0 || len(recs[0].Log) == 0 {
		return statusInactive, nil
	}
	last := recs[0].Log[len(recs[0].Log)-1].At
	if !last.Add(time.Second).Before(h.UpdatedAt) {
		return statusDeactivated, nil
	}
	return statusInactive, nil
}

// updateHooksAdmin implements PUT /stores/{store_hash}/v3/hooks/admin:
// {"emails": [...]} replaces the account's notification emails; 204.
func (s *Server) updateHooksAdmin(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeObject(w, r)
	if err != nil {
		return err
	}
	if err := checkFields(m, []string{"emails"}, nil); err != nil {
		return err
	}
	raw, ok := m["emails"]
	if !ok {
		return customersd.Required("emails")
	}
	var emails []string
	if json.Unmarshal(raw, &emails) != nil || emails == nil {
		return wrongType("emails", "an array of email addresses")
	}
	if err := customersd.ValidateHookEmails(emails); err != nil {
		return err
	}
	if err := s.Hooks.SetHookEmails(r.Context(), storeOf(r).ID, account(r).ClientID, emails); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
