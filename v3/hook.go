package v3

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/customersd/customersd"
)

// hookNotFound is BigCommerce's 404 for a hook, also for one of another
// account, which must not be told apart from none.
func hookNotFound(id string) error {
	return &customersd.Error{Code: customersd.ENOTFOUND, Message: fmt.Sprintf("Webhook with id [%s] not found", id)}
}

// hookID reads {id}; an id that is not a positive number names no hook.
func hookID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, hookNotFound(s)
	}
	return id, nil
}

// orNotFound words storage's ENOTFOUND for hook id as BigCommerce does.
func orNotFound(err error, id int64) error {
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		return hookNotFound(strconv.FormatInt(id, 10))
	}
	return err
}

// writeHook writes one hook in the envelope.
func writeHook(w http.ResponseWriter, r *http.Request, h *customersd.Hook) error {
	return writeJSON(w, http.StatusOK, envelope{Data: h.View(storeOf(r).Hash)})
}

// listHooks implements GET /stores/{store_hash}/v3/hooks: the account's
// hooks, filtered and paged.
func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) error {
	f, err := hookFilterOf(r)
	if err != nil {
		return err
	}
	f.ClientID = account(r).ClientID
	st := storeOf(r)
	hooks, err := s.Hooks.FindHooks(r.Context(), st.ID, f)
	if err != nil {
		return err
	}
	total, err := s.Hooks.CountHooks(r.Context(), st.ID, f)
	if err != nil {
		return err
	}
	data := make([]customersd.HookView, len(hooks))
	for i, h := range hooks {
		data[i] = h.View(st.Hash)
	}
	return writeJSON(w, http.StatusOK, envelope{Data: data, Meta: meta{Pagination: newPagination(r, total, len(hooks), f)}})
}

// createHook implements POST /stores/{store_hash}/v3/hooks. V3 answers 200,
// not 201 (spec/WEBHOOKS.md).
func (s *Server) createHook(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeHook(w, r)
	if err != nil {
		return err
	}
	if err := s.Rules.Validate(in, true); err != nil {
		return err
	}
	if err := customersd.CheckHookScope(account(r), in); err != nil {
		return err
	}
	h, err := s.Hooks.CreateHook(r.Context(), storeOf(r).ID, account(r).ClientID, in)
	if err != nil {
		return err
	}
	return writeHook(w, r, h)
}

// getHook implements GET /stores/{store_hash}/v3/hooks/{id}.
func (s *Server) getHook(w http.ResponseWriter, r *http.Request) error {
	id, err := hookID(r)
	if err != nil {
		return err
	}
	h, err := s.Hooks.FindHookByID(r.Context(), storeOf(r).ID, account(r).ClientID, id)
	if err != nil {
		return orNotFound(err, id)
	}
	return writeHook(w, r, h)
}

// updateHook implements PUT /stores/{store_hash}/v3/hooks/{id}: any subset
// of the fields, at least one.
func (s *Server) updateHook(w http.ResponseWriter, r *http.Request) error {
	id, err := hookID(r)
	if err != nil {
		return err
	}
	in, err := decodeHook(w, r)
	if err != nil {
		return err
	}
	if err := s.Rules.Validate(in, false); err != nil {
		return err
	}
	if err := customersd.CheckHookScope(account(r), in); err != nil {
		return err
	}
	h, err := s.Hooks.UpdateHook(r.Context(), storeOf(r).ID, account(r).ClientID, id, in)
	if err != nil {
		return orNotFound(err, id)
	}
	return writeHook(w, r, h)
}

// deleteHook implements DELETE /stores/{store_hash}/v3/hooks/{id}: 200 with
// the hook as it was.
func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) error {
	id, err := hookID(r)
	if err != nil {
		return err
	}
	h, err := s.Hooks.DeleteHook(r.Context(), storeOf(r).ID, account(r).ClientID, id)
	if err != nil {
		return orNotFound(err, id)
	}
	return writeHook(w, r, h)
}
