// Package v3 is the HTTP surface of BigCommerce's V3 webhooks API,
// /stores/{store_hash}/v3/hooks: the V3 envelope {"data": …, "meta": {}},
// V3 error objects, and the hooks admin (spec/WEBHOOKS.md). The request
// pipeline around it (store, token, quota, log) is package gateway's. It is
// named for the API version rather than for hooks because later V3
// resources of this API belong beside them, under the same envelope.
package v3

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// Server serves /stores/{store_hash}/v3. Set the fields, then mount Surface
// on a gateway at "/stores/{store_hash}/v3/".
type Server struct {
	Hooks customersd.HookService
	// Queue, when set, tells a hook deactivated by failed deliveries from
	// one its app switched off, for the status of GET /hooks/admin.
	Queue customersd.WebhookQueue
	// Rules are the server's hook settings (--webhook-require-https).
	Rules customersd.HookRules
	// Blocked, when set, lists the destinations of an account that delivery
	// currently refuses (spec/WEBHOOKS.md, "Blocklisting"); nil: none.
	Blocked func(ctx context.Context, store customersd.StoreID, clientID string) []BlockedDomain
}

// BlockedDomain is a destination domain on an account's blocklist.
type BlockedDomain struct {
	Destination string
	TimeLeft    time.Duration
	Reasons     []BlockReason
}

// BlockReason is one kind of failure that blocked a domain.
type BlockReason struct {
	FailureDescription string
	Count              int
	At                 time.Time
}

// Surface returns the V3 API for gateway.Mount.
func (s *Server) Surface() *gateway.Surface {
	return &gateway.Surface{
		Name:    "v3",
		Auth:    gateway.StoreToken,
		Version: "v3",
		Routes:  s.routes(),
		Render:  renderError,
		Methods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
		Match:   match,
	}
}

// routes is the whole V3 route table. Managing hooks needs any valid token
// of the store (nil Scopes); the scope a hook's events need is checked
// against its body. /hooks/admin wins over /hooks/{id}: it is more specific.
func (s *Server) routes() []gateway.Route {
	const base = "/stores/{store_hash}/v3"
	return []gateway.Route{
		{Pattern: "GET " + base + "/hooks", Handler: s.listHooks},
		{Pattern: "POST " + base + "/hooks", Handler: s.createHook},
		{Pattern: "GET " + base + "/hooks/admin", Handler: s.getHooksAdmin},
		{Pattern: "PUT " + base + "/hooks/admin", Handler: s.updateHooksAdmin},
		{Pattern: "GET " + base + "/hooks/{id}", Handler: s.getHook},
		{Pattern: "PUT " + base + "/hooks/{id}", Handler: s.updateHook},
		{Pattern: "DELETE " + base + "/hooks/{id}", Handler: s.deleteHook},
	}
}

// match keeps "admin" from being a hook id: DELETE /hooks/admin is the
// admin path with a method it lacks (405, Allow: GET, HEAD, PUT).
func match(r *http.Request, pattern string) bool {
	return !strings.HasSuffix(pattern, "/hooks/{id}") || !strings.HasSuffix(r.URL.Path, "/hooks/admin")
}

// account is the API account of the request; hooks are its own.
func account(r *http.Request) *customersd.APIAccount { return gateway.AccountOf(r.Context()) }

func storeOf(r *http.Request) *customersd.Store { return gateway.StoreOf(r.Context()) }
