package admin

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// The webhook side of the admin API: every hook of a store whatever its
// account, the delivery log, and "deliver now" (docs/admin.md, "Webhooks").

// deliveryJSON is one event on its way to one hook. Times are RFC 3339
// with fractions of a second: a scaled retry schedule
// (--webhook-time-scale) puts attempts milliseconds apart.
type deliveryJSON struct {
	ID            int64         `json:"id"`
	HookID        int64         `json:"hook_id"`
	ClientID      string        `json:"client_id"`
	Destination   string        `json:"destination"`
	Scope         string        `json:"scope"`
	State         string        `json:"state"`
	Attempts      int           `json:"attempts"`
	NextAttemptAt *string       `json:"next_attempt_at"` // null unless pending
	Event         eventJSON     `json:"event"`
	Log           []attemptJSON `json:"log"`
}

type eventJSON struct {
	ID        int64           `json:"id"`
	Hash      string          `json:"hash"`
	CreatedAt string          `json:"created_at"`
	Payload   json.RawMessage `json:"payload"` // the exact body every attempt sends
}

type attemptJSON struct {
	Number        int     `json:"number"`
	At            string  `json:"at"`
	StatusCode    *int    `json:"status_code"` // null when there was no answer
	Error         *string `json:"error"`       // why, when there was no answer
	DurationMS    float64 `json:"duration_ms"`
	NextAttemptAt *string `json:"next_attempt_at"`
}

func formatNano(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatNano(t)
	return &s
}

func newDeliveryJSON(d *customersd.DeliveryRecord) deliveryJSON {
	out := deliveryJSON{ID: d.ID, State: string(d.State), Attempts: d.Attempts, Log: make([]attemptJSON, len(d.Log))}
	if d.Hook != nil {
		out.HookID, out.ClientID, out.Destination = d.Hook.ID, d.Hook.ClientID, d.Hook.Destination
	}
	if d.State == customersd.DeliveryPending {
		out.NextAttemptAt = optionalTime(d.NextAt)
	}
	if e := d.Event; e != nil {
		out.Scope = e.Scope
		out.Event = eventJSON{ID: e.ID, Hash: e.Hash, CreatedAt: formatNano(e.CreatedAt), Payload: json.RawMessage(e.Payload)}
	}
	for i, a := range d.Log {
		aj := attemptJSON{Number: a.Number, At: formatNano(a.At), DurationMS: float64(a.Duration.Microseconds()) / 1000, NextAttemptAt: optionalTime(a.NextAt)}
		if a.StatusCode != 0 {
			aj.StatusCode = &a.StatusCode
		}
		if a.Error != "" {
			aj.Error = &a.Error
		}
		out.Log[i] = aj
	}
	return out
}

// listStoreHooks implements GET /admin/v1/stores/{hash}/hooks: every hook
// of the store, of every API account.
func (s *Server) listStoreHooks(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	hooks, err := s.Hooks.FindHooks(r.Context(), st.ID, customersd.HookFilter{})
	if err != nil {
		return err
	}
	out := struct {
		Hooks []customersd.HookView `json:"hooks"`
	}{Hooks: make([]customersd.HookView, len(hooks))}
	for i, h := range hooks {
		out.Hooks[i] = h.View(st.Hash)
	}
	return writeJSON(w, http.StatusOK, out)
}

// The delivery log's page: the newest deliveries first, 100 unless asked.
const (
	defaultDeliveries = 100
	maxDeliveries     = 1000
)

// deliveryFilterOf reads hook_id, scope, state and limit; anything else,
// or a bad value, is a 400.
func deliveryFilterOf(r *http.Request) (customersd.DeliveryFilter, error) {
	q := r.URL.Query()
	f := customersd.DeliveryFilter{Limit: defaultDeliveries}
	bad := func(format string, args ...any) error {
		return customersd.Errorf(customersd.EINVALID, format, args...)
	}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		switch k {
		case "hook_id", "scope", "state", "limit":
		default:
			return f, bad("Unknown query parameter %q: the delivery log filters on hook_id, scope, state and limit.", k)
		}
	}
	if q.Has("hook_id") {
		id, err := strconv.ParseInt(q.Get("hook_id"), 10, 64)
		if err != nil || id < 1 {
			return f, bad("hook_id must be a hook id (a positive whole number), not %q.", q.Get("hook_id"))
		}
		f.HookID = id
	}
	if q.Has("scope") {
		f.Scope = q.Get("scope")
		if !customersd.ValidHookScope(f.Scope) || strings.HasSuffix(f.Scope, "*") {
			return f, bad("scope %q is not an event scope; an event has an exact scope such as %s.", f.Scope, customersd.HookCustomerCreated)
		}
	}
	if q.Has("state") {
		switch st := customersd.DeliveryState(q.Get("state")); st {
		case customersd.DeliveryPending, customersd.DeliveryDelivered, customersd.DeliveryFailed:
			f.State = st
		default:
			return f, bad("state must be pending, delivered or failed, not %q.", q.Get("state"))
		}
	}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > maxDeliveries {
			return f, bad("limit must be a whole number from 1 to %d, not %q.", maxDeliveries, q.Get("limit"))
		}
		f.Limit = n
	}
	return f, nil
}

// listDeliveries implements GET /admin/v1/stores/{hash}/deliveries: the
// store's delivery log, newest first, each delivery with its event and
// every attempt.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	f, err := deliveryFilterOf(r)
	if err != nil {
		return err
	}
	recs, err := s.Queue.FindDeliveries(r.Context(), st.ID, f)
	if err != nil {
		return err
	}
	out := struct {
		Deliveries []deliveryJSON `json:"deliveries"`
	}{Deliveries: make([]deliveryJSON, len(recs))}
	for i, d := range recs {
		out.Deliveries[i] = newDeliveryJSON(d)
	}
	return writeJSON(w, http.StatusOK, out)
}

type deliverNowJSON struct {
	// Count is how many pending deliveries were made due now.
	Count int64 `json:"count"`
}

// deliverAll implements POST /admin/v1/stores/{hash}/deliveries/deliver:
// every pending delivery of the store is due now, whatever its schedule.
func (s *Server) deliverAll(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	n, err := s.Queue.DeliverNow(r.Context(), st.ID, 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deliverNowJSON{Count: n})
}

// deliverOne implements POST /admin/v1/stores/{hash}/deliveries/{id}/deliver.
// A delivery that is not pending (delivered, failed, or none) is a 404:
// there is nothing to send.
func (s *Server) deliverOne(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return customersd.Errorf(customersd.ENOTFOUND, "No delivery %q in store %s.", r.PathValue("id"), st.Hash)
	}
	n, err := s.Queue.DeliverNow(r.Context(), st.ID, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return &customersd.Error{Code: customersd.ENOTFOUND, Message: fmt.Sprintf("Store %s has no pending delivery %d.", st.Hash, id)}
	}
	return writeJSON(w, http.StatusOK, deliverNowJSON{Count: n})
}
