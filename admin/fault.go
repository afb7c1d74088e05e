package admin

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/gateway"
)

// faultInput is the body of POST /admin/v1/stores/{hash}/faults. Pointers
// tell a field left out from one sent as zero, which is refused where it
// means nothing ("times": 0).
type faultInput struct {
	Method      *string  `json:"method"`
	Route       *string  `json:"route"`
	PathPrefix  *string  `json:"path_prefix"`
	ClientID    *string  `json:"client_id"`
	Times       *int     `json:"times"`
	Every       *int     `json:"every"`
	Probability *float64 `json:"probability"`
	Seed        *int64   `json:"seed"`
	TTLSeconds  *int     `json:"ttl_seconds"`
	Status      *int     `json:"status"`
	RateHeaders *bool    `json:"rate_headers"`
	RetryAfter  *int     `json:"retry_after_seconds"`
	DelayMS     *int     `json:"delay_ms"`
	DelayMaxMS  *int     `json:"delay_max_ms"`
	Drop        *string  `json:"drop"`
}

// faultJSON is a rule on the wire: what it was given, its seed (drawn when
// it needed one and was given none), and what it has counted so far.
type faultJSON struct {
	ID          string   `json:"id"`
	Method      string   `json:"method,omitempty"`
	Route       string   `json:"route,omitempty"`
	PathPrefix  string   `json:"path_prefix,omitempty"`
	ClientID    string   `json:"client_id,omitempty"`
	Times       int      `json:"times,omitempty"`
	Every       int      `json:"every,omitempty"`
	Probability *float64 `json:"probability,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
	TTLSeconds  int      `json:"ttl_seconds,omitempty"`
	Status      int      `json:"status,omitempty"`
	RateHeaders *bool    `json:"rate_headers,omitempty"`
	RetryAfter  int      `json:"retry_after_seconds,omitempty"`
	DelayMS     int64    `json:"delay_ms,omitempty"`
	DelayMaxMS  int64    `json:"delay_max_ms,omitempty"`
	Drop        string   `json:"drop,omitempty"`
	CreatedAt   string   `json:"created_at"`
	ExpiresAt   *string  `json:"expires_at"`
	Matched     int      `json:"matched"`
	Fired       int      `json:"fired"`
	// Remaining is the firings left to a rule with times; null without.
	Remaining *int `json:"remaining"`
	// Node is the node that holds the rule: rules live in its memory.
	Node string `json:"node"`
}

func (s *Server) newFaultJSON(st fault.Status) *faultJSON {
	r := st.Rule
	out := &faultJSON{
		ID: r.ID, Method: r.Method, Route: r.Route, PathPrefix: r.PathPrefix, ClientID: r.ClientID,
		Times: r.Times, Every: r.Every, Probability: r.Probability, Seed: r.Seed, TTLSeconds: int(r.TTL / time.Second),
		Status: r.Status, DelayMS: r.Delay.Milliseconds(), DelayMaxMS: r.DelayMax.Milliseconds(), Drop: r.Drop,
		CreatedAt: st.Created.UTC().Format(time.RFC3339Nano), Matched: st.Matched, Fired: st.Fired, Node: s.node(),
	}
	if r.Status == http.StatusTooManyRequests {
		out.RateHeaders = &r.RateHeaders
	}
	if r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable {
		out.RetryAfter = max(r.RetryAfter, 1)
	}
	if !st.Expires.IsZero() {
		e := st.Expires.UTC().Format(time.RFC3339Nano)
		out.ExpiresAt = &e
	}
	if r.Times > 0 {
		left := r.Times - st.Fired
		out.Remaining = &left
	}
	return out
}

// toRule checks what JSON alone cannot say and returns the rule; its
// errors are 422s naming the field.
func (in *faultInput) toRule() (fault.Rule, error) {
	r := fault.Rule{RateHeaders: true}
	for _, f := range []struct {
		name string
		v    *string
	}{{"method", in.Method}, {"route", in.Route}, {"path_prefix", in.PathPrefix}, {"client_id", in.ClientID}, {"drop", in.Drop}} {
		if f.v != nil && *f.v == "" {
			return r, unprocessable("'%s' must not be empty; leave it out to match any.", f.name)
		}
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"times", in.Times}, {"every", in.Every}, {"ttl_seconds", in.TTLSeconds}, {"status", in.Status}, {"retry_after_seconds", in.RetryAfter}} {
		if f.v != nil && *f.v < 1 {
			return r, unprocessable("'%s' must be 1 or more; leave it out for none.", f.name)
		}
	}
	if in.Seed != nil && in.Probability == nil && in.DelayMaxMS == nil {
		return r, unprocessable("'seed' drives 'probability' and 'delay_max_ms': give one of them with it.")
	}
	r.Method, r.Route, r.PathPrefix, r.ClientID, r.Drop = deref(in.Method), deref(in.Route), deref(in.PathPrefix), deref(in.ClientID), deref(in.Drop)
	r.Times, r.Every, r.Status, r.RetryAfter = deref(in.Times), deref(in.Every), deref(in.Status), deref(in.RetryAfter)
	r.TTL = time.Duration(deref(in.TTLSeconds)) * time.Second
	r.Delay = time.Duration(deref(in.DelayMS)) * time.Millisecond
	r.DelayMax = time.Duration(deref(in.DelayMaxMS)) * time.Millisecond
	r.Probability, r.Seed = in.Probability, in.Seed
	if in.RateHeaders != nil {
		r.RateHeaders = *in.RateHeaders
	}
	return r, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func unprocessable(format string, args ...any) error {
	return &gateway.Error{Status: http.StatusUnprocessableEntity, Message: fmt.Sprintf(format, args...)}
}

// faults returns the engine, or a 404 on a server without one.
func (s *Server) faults() (*fault.Engine, error) {
	if s.Faults == nil {
		return nil, &gateway.Error{Status: http.StatusNotFound, Message: "Fault injection is off on this server."}
	}
	return s.Faults, nil
}

// createFault implements POST /admin/v1/stores/{hash}/faults: a rule for
// the store's requests on every surface but this API, held by the node
// that answers.
func (s *Server) createFault(w http.ResponseWriter, r *http.Request) error {
	engine, err := s.faults()
	if err != nil {
		return err
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	var in faultInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	rule, err := in.toRule()
	if err != nil {
		return err
	}
	if err := rule.Validate(s.KnownRoute); err != nil {
		if fault.IsInvalid(err) {
			return &gateway.Error{Status: http.StatusUnprocessableEntity, Message: err.Error()}
		}
		return err
	}
	out := s.newFaultJSON(engine.Add(st.ID, rule))
	w.Header().Set("Location", "/admin/v1/stores/"+st.Hash+"/faults/"+out.ID)
	return writeJSON(w, http.StatusCreated, out)
}

// listFaults implements GET /admin/v1/stores/{hash}/faults: the live
// rules, oldest (first to be tried) first.
func (s *Server) listFaults(w http.ResponseWriter, r *http.Request) error {
	engine, err := s.faults()
	if err != nil {
		return err
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	rules := engine.List(st.ID)
	out := struct {
		Node   string       `json:"node"`
		Faults []*faultJSON `json:"faults"`
	}{Node: s.node(), Faults: make([]*faultJSON, len(rules))}
	for i, rule := range rules {
		out.Faults[i] = s.newFaultJSON(rule)
	}
	return writeJSON(w, http.StatusOK, out)
}

// deleteFault implements DELETE /admin/v1/stores/{hash}/faults/{id}.
func (s *Server) deleteFault(w http.ResponseWriter, r *http.Request) error {
	engine, err := s.faults()
	if err != nil {
		return err
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	if !engine.Delete(st.ID, r.PathValue("id")) {
		return &gateway.Error{Status: http.StatusNotFound, Message: "The store has no fault rule " + r.PathValue("id") + " on this node (it may have expired)."}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteFaults implements DELETE /admin/v1/stores/{hash}/faults: all the
// store's rules on this node.
func (s *Server) deleteFaults(w http.ResponseWriter, r *http.Request) error {
	engine, err := s.faults()
	if err != nil {
		return err
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	engine.Clear(st.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// node names this node in answers about what it holds in memory.
func (s *Server) node() string {
	if s.Node != "" {
		return s.Node
	}
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}
