package admin

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/journal"
)

// journalParams are the query parameters of the journal's calls.
// path, beyond the list, pins one resource: "GET /customers/5".
var journalParams = []string{"method", "route", "path", "status", "since", "client_id", "limit"}

// journal returns the journal, or a 404 on a server that keeps none.
func (s *Server) journal() (*journal.Journal, error) {
	if s.Journal == nil {
		return nil, &gateway.Error{Status: http.StatusNotFound, Message: "The request journal is off on this server (--journal=false)."}
	}
	return s.Journal, nil
}

// journalFilter reads the query strictly: an unknown or repeated
// parameter, or a bad value, is a 400 naming it, since a typo would
// otherwise count every request and pass a test that should fail.
func (s *Server) journalFilter(q url.Values) (journal.Filter, error) {
	var f journal.Filter
	for k, v := range q {
		if !slices.Contains(journalParams, k) {
			return f, customersd.Errorf(customersd.EINVALID, "Unknown query parameter '%s'; the journal filters by %s.", k, strings.Join(journalParams, ", "))
		}
		if len(v) > 1 {
			return f, customersd.Errorf(customersd.EINVALID, "The query parameter '%s' is given %d times; give it once.", k, len(v))
		}
	}
	f.Method = strings.ToUpper(q.Get("method"))
	f.ClientID, f.Path = q.Get("client_id"), q.Get("path")
	if f.Route = q.Get("route"); f.Route != "" && (!strings.HasPrefix(f.Route, "/") || (s.KnownRoute != nil && !s.KnownRoute(f.Route))) {
		return f, customersd.Errorf(customersd.EINVALID, "'route' %q is no route of this server; routes are relative to the version root, such as /customers/{customer_id}.", f.Route)
	}
	if v := q.Get("status"); v != "" {
		if c, ok := strings.CutSuffix(strings.ToLower(v), "xx"); ok && len(c) == 1 && c[0] >= '1' && c[0] <= '5' {
			f.StatusClass = int(c[0] - '0')
		} else if n, err := strconv.Atoi(v); err == nil && n >= 100 && n <= 599 {
			f.Status = n
		} else {
			return f, customersd.Errorf(customersd.EINVALID, "'status' must be a status such as 429, or a class such as 5xx, not %q.", v)
		}
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, customersd.Errorf(customersd.EINVALID, "'since' must be an RFC 3339 time such as 2026-01-02T15:04:05Z, not %q.", v)
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, customersd.Errorf(customersd.EINVALID, "'limit' must be a whole number of 1 or more, not %q.", v)
		}
		f.Limit = n
	}
	return f, nil
}

// journalOf is the store and filter of a journal call.
func (s *Server) journalOf(r *http.Request) (*journal.Journal, *customersd.Store, journal.Filter, error) {
	j, err := s.journal()
	if err != nil {
		return nil, nil, journal.Filter{}, err
	}
	st, err := s.store(r)
	if err != nil {
		return nil, nil, journal.Filter{}, err
	}
	f, err := s.journalFilter(r.URL.Query())
	return j, st, f, err
}

// listRequests implements GET /admin/v1/stores/{hash}/requests: the
// store's requests this node served, newest first.
func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) error {
	j, st, f, err := s.journalOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Node     string           `json:"node"`
		Requests []*journal.Entry `json:"requests"`
	}{Node: s.node(), Requests: j.Find(st.ID, f)})
}

// countRequests implements GET /admin/v1/stores/{hash}/requests/count:
// {"count": N} with the same filters (limit does not apply).
func (s *Server) countRequests(w http.ResponseWriter, r *http.Request) error {
	j, st, f, err := s.journalOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Count int    `json:"count"`
		Node  string `json:"node"`
	}{Count: j.Count(st.ID, f), Node: s.node()})
}

// clearRequests implements DELETE /admin/v1/stores/{hash}/requests.
func (s *Server) clearRequests(w http.ResponseWriter, r *http.Request) error {
	j, err := s.journal()
	if err != nil {
		return err
	}
	st, err := s.store(r)
	if err != nil {
		return err
	}
	j.Clear(st.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
