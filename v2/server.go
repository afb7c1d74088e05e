// Package v2 is the HTTP surface of the BigCommerce Customers V2 API: its
// routes, request decoding and the V2 wire format. The request pipeline
// around it (store, authentication, quotas, log) is package gateway's.
package v2

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/ratelimit"
)

// Server serves /stores/{store_hash}/v2. Set the services, then mount
// Surface on a gateway.
type Server struct {
	Customers customersd.CustomerService
	Addresses customersd.AddressService
	Groups    customersd.GroupService
	// Hooks, when set, serves /hooks (hook.go) under HookRules.
	Hooks     customersd.HookService
	HookRules customersd.HookRules
	// RateLimit guards password validation; give it the gateway's Policy.
	RateLimit *ratelimit.Policy
	// ListBudget bounds the bytes of list pages this node holds at once;
	// nil means ratelimit.DefaultListBudget, half of it per store.
	ListBudget *ratelimit.ByteBudget
	// DefaultFormat answers a request that asks for no format (no Accept,
	// */*, no suffix). Empty means XML, as BigCommerce (XML.md §2.2);
	// FormatJSON is for teams that want the old behaviour.
	DefaultFormat Format

	budgetOnce sync.Once
	rowSizes   sync.Map // "store/collection" → int64: the average row of its last page
}

// listBudget returns ListBudget, made from the defaults on first use when nil.
func (s *Server) listBudget() *ratelimit.ByteBudget {
	s.budgetOnce.Do(func() {
		if s.ListBudget == nil {
			s.ListBudget = ratelimit.NewByteBudget(ratelimit.DefaultListBudget, ratelimit.DefaultListBudget/2, ratelimit.DefaultListBudgetWait)
		}
	})
	return s.ListBudget
}

// The bytes a list reserves per row of its limit before it reads, waiting
// for them if need be, until the store's last page of the collection shows
// larger rows; rows larger than the reservation are charged as they are
// read (sqlstore), without waiting, and refused when there is no room.
// About what a row without long notes holds.
const (
	customerRowEstimate = 2 << 10
	addressRowEstimate  = 1 << 10
	groupRowEstimate    = 1 << 10
)

// meterList reserves the node's bytes for a page of at most limit rows of
// collection, and returns the context under which the service charges the
// rows it reads. release frees them once the page is written, and
// remembers the page's average row for the store's next page: a store
// whose rows are large then waits for room before it reads, rather than
// being refused halfway through.
func (s *Server) meterList(r *http.Request, collection string, limit int, rowEstimate int64) (ctx context.Context, release func(), err error) {
	store := strconv.FormatInt(int64(storeOf(r)), 10)
	sizeKey := store + "/" + collection
	if v, ok := s.rowSizes.Load(sizeKey); ok {
		rowEstimate = max(rowEstimate, v.(int64))
	}
	acct, err := s.listBudget().Reserve(r.Context(), store, int64(limit)*rowEstimate)
	if err != nil {
		return nil, nil, err
	}
	release = func() {
		if bytes, rows := acct.Charged(); rows > 0 {
			s.rowSizes.Store(sizeKey, bytes/int64(rows))
		}
		acct.Release()
	}
	return customersd.WithReadMeter(r.Context(), acct), release, nil
}

// Surface returns the V2 API for gateway.Mount. Mount it at "/": it answers
// every path no other surface claims, with V2's 404.
func (s *Server) Surface() *gateway.Surface {
	return &gateway.Surface{
		Name:          "v2",
		Auth:          gateway.StoreToken,
		Version:       "v2",
		Routes:        s.routes(),
		Render:        renderError,
		Methods:       []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
		Rewrite:       normalizePath,
		Match:         match,
		Negotiate:     s.negotiate,
		Unrouted:      unrouted,
		DefaultScopes: scopesFor,
	}
}

// The scopes of V2: a read-only token may GET and HEAD, a full one anything.
var (
	readScopes  = []customersd.Scope{customersd.ScopeCustomers, customersd.ScopeCustomersReadOnly}
	writeScopes = []customersd.Scope{customersd.ScopeCustomers}
)

func scopesFor(method string) []customersd.Scope {
	if method == http.MethodGet || method == http.MethodHead {
		return readScopes
	}
	return writeScopes
}

// storeOf returns the store the request authenticated for.
func storeOf(r *http.Request) customersd.StoreID {
	return gateway.StoreOf(r.Context()).ID
}

// writeCreated answers a POST that made a resource: 201 with its absolute URL
// in Location (BEHAVIOR.md, "Status codes"). resource is its path under the
// version root, "/customers/5".
func writeCreated(w http.ResponseWriter, r *http.Request, resource string, v any) error {
	w.Header().Set("Location", versionRoot(r)+resource)
	return write(w, r, http.StatusCreated, v)
}

// normalizePath accepts what V2 always accepted: a trailing slash and a
// ".json" or ".xml" suffix on the last segment (the old Ruby client
// appends one; negotiate has read it already).
func normalizePath(r *http.Request) {
	p := r.URL.Path
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	if suffix := pathSuffix(p); suffix == "json" || suffix == "xml" {
		p = strings.TrimSuffix(p, "."+suffix)
	}
	if p != r.URL.Path {
		r.URL.Path = p
		r.URL.RawPath = ""
	}
}

// unrouted answers PATCH and TRACE, which V2 never implemented, with 501,
// and anything else no route serves with 404 or 405.
func unrouted(r *http.Request, allow []string) error {
	if r.Method == http.MethodPatch || r.Method == http.MethodTrace {
		return &gateway.Error{Status: http.StatusNotImplemented, Message: "The HTTP method '" + r.Method + "' is not implemented."}
	}
	return gateway.Unrouted(allow)
}
