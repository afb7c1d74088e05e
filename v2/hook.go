package v2

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// The V2 hooks resource, /stores/{store_hash}/v2/hooks, which the official
// clients call (spec/WEBHOOKS.md): bare bodies, create 201, delete 204, the
// V2 error array. It serves the same hooks as /v3/hooks; any valid token of
// the store manages its own account's hooks.

// The body fields of a hook. Read-only fields are ignored (clients send
// back what they fetched); events_history_enabled is still sent by apps,
// though BigCommerce dropped it: read (a boolean) and ignored.
var (
	hookWritable = []string{"scope", "destination", "is_active", "headers", "events_history_enabled"}
	hookReadOnly = []string{"id", "client_id", "store_hash", "created_at", "updated_at"}
)

// decodeHook reads a hook body into the domain's input. headers: null
// clears them, as {} does.
func decodeHook(w http.ResponseWriter, r *http.Request) (*customersd.HookInput, error) {
	f, err := decodeBody(w, r)
	if err != nil {
		return nil, err
	}
	f.check(hookWritable, hookReadOnly)
	in := &customersd.HookInput{Scope: f.str("scope"), Destination: f.str("destination"), IsActive: f.boolean("is_active")}
	f.boolean("events_history_enabled")
	if raw, ok := f.m["headers"]; ok && f.err() == nil {
		in.HeadersSet = true
		if string(raw) != "null" && json.Unmarshal(raw, &in.Headers) != nil {
			f.fail(customersd.Invalid("headers"))
		}
		if len(in.Headers) == 0 {
			in.Headers = nil
		}
	}
	return in, f.err()
}

// hookLimit turns storage's refusal of a body the rules accepted, which
// is a broken limit (spec/WEBHOOKS.md, "Limits"), into a 422 that names
// it: V2's 400 is for a bad body, and this one is not.
func hookLimit(err error) error {
	var de *customersd.Error
	if errors.As(err, &de) && (de.Code == customersd.EINVALID || de.Code == customersd.ECONFLICT) {
		return &gateway.Error{Status: http.StatusUnprocessableEntity, Message: de.Message}
	}
	return err
}

func clientOf(r *http.Request) string { return gateway.AccountOf(r.Context()).ClientID }

// listHooks implements GET /stores/{store_hash}/v2/hooks: the account's
// hooks. An empty list is [] (200), not V2's 204: the hooks service
// answers JSON arrays.
func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) error {
	q := parseQuery(r, "is_active", "scope", "destination")
	p := q.page()
	f := customersd.HookFilter{ClientID: clientOf(r), IsActive: q.boolean("is_active")}
	if scope := q.str("scope"); scope != nil {
		f.Scope = *scope
		if !customersd.ValidHookScope(f.Scope) {
			q.fail(customersd.Invalid("scope"))
		}
	}
	if d := q.str("destination"); d != nil {
		f.Destination = *d
	}
	if err := q.err(); err != nil {
		return err
	}
	f.Limit, f.Page = p.Limit, int(p.Offset/int64(p.Limit))+1
	hooks, err := s.Hooks.FindHooks(r.Context(), storeOf(r), f)
	if err != nil {
		return err
	}
	out := make([]customersd.HookView, len(hooks))
	for i, h := range hooks {
		out[i] = h.View(gateway.StoreOf(r.Context()).Hash)
	}
	return write(w, r, http.StatusOK, out)
}

// createHook implements POST /stores/{store_hash}/v2/hooks: 201 with
// Location, as every V2 create.
func (s *Server) createHook(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeHook(w, r)
	if err != nil {
		return err
	}
	if err := s.HookRules.Validate(in, true); err != nil {
		return err
	}
	if err := customersd.CheckHookScope(gateway.AccountOf(r.Context()), in); err != nil {
		return err
	}
	h, err := s.Hooks.CreateHook(r.Context(), storeOf(r), clientOf(r), in)
	if err != nil {
		return hookLimit(err)
	}
	return writeCreated(w, r, "/hooks/"+strconv.FormatInt(h.ID, 10), h.View(gateway.StoreOf(r.Context()).Hash))
}

// getHook implements GET /stores/{store_hash}/v2/hooks/{id}.
func (s *Server) getHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.Hooks.FindHookByID(r.Context(), storeOf(r), clientOf(r), id)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, h.View(gateway.StoreOf(r.Context()).Hash))
}

// updateHook implements PUT /stores/{store_hash}/v2/hooks/{id}: any subset
// of the fields, at least one.
func (s *Server) updateHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decodeHook(w, r)
	if err != nil {
		return err
	}
	if err := s.HookRules.Validate(in, false); err != nil {
		return err
	}
	if err := customersd.CheckHookScope(gateway.AccountOf(r.Context()), in); err != nil {
		return err
	}
	h, err := s.Hooks.UpdateHook(r.Context(), storeOf(r), clientOf(r), id, in)
	if err != nil {
		return hookLimit(err)
	}
	return write(w, r, http.StatusOK, h.View(gateway.StoreOf(r.Context()).Hash))
}

// deleteHook implements DELETE /stores/{store_hash}/v2/hooks/{id}: 204.
func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Hooks.DeleteHook(r.Context(), storeOf(r), clientOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// hookRoutes are the routes of /hooks, when the server has hooks. Any
// valid token of the store may manage its account's hooks (nil Scopes).
func (s *Server) hookRoutes(base string) []gateway.Route {
	if s.Hooks == nil {
		return nil
	}
	return []gateway.Route{
		{Pattern: "GET " + base + "/hooks", Handler: s.listHooks},
		{Pattern: "POST " + base + "/hooks", Handler: s.createHook},
		{Pattern: "GET " + base + "/hooks/{id}", Handler: s.getHook},
		{Pattern: "PUT " + base + "/hooks/{id}", Handler: s.updateHook},
		{Pattern: "DELETE " + base + "/hooks/{id}", Handler: s.deleteHook},
	}
}
