// Package panel is the control panel: server-rendered pages under
// /admin/ui/ where a person reads a store's customers, groups and API
// accounts, and resets a store or creates an account. It is enabled with the
// admin API and signed in with the admin token through a form; the session
// is a signed cookie (session.go) and every form carries a CSRF token.
//
// Pages are html/template over embedded files, styled by one stylesheet;
// one small script shows dates in the browser's time zone. Everything reads
// without JavaScript.
package panel

import (
	"net/http"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/journal"
)

// Server serves /admin/ui/. Set the fields, then mount Surface on a gateway.
type Server struct {
	// AdminToken signs people in. The panel must not be mounted without it.
	AdminToken string
	Tenants    customersd.TenantService
	Customers  customersd.CustomerService
	Search     customersd.CustomerSearcher
	Addresses  customersd.AddressService
	Groups     customersd.GroupService
	// Hooks and Webhooks, when both are set, add the webhooks page: hooks,
	// the delivery log and "deliver now".
	Hooks    customersd.HookService
	Webhooks customersd.WebhookQueue
	// Journal, Faults and Logins, each when set, add the page of the
	// request journal (with "clear"), the fault rules (with "delete") and
	// the login attempts. The journal and the rules are this node's.
	Journal *journal.Journal
	Faults  *fault.Engine
	Logins  customersd.LoginService
	// Quota is the request quota a store gets (ratelimit.Policy.StoreQuota).
	Quota func(*customersd.Store) customersd.Quota
	// Now is the clock of sessions; nil is time.Now.
	Now func() time.Time

	sessions *sessions
}

// base is the panel's path prefix; every route is under it.
const base = "/admin/ui"

// Surface returns the panel for gateway.Mount, to be mounted at "/admin/ui/".
// The gateway sees a public surface: the panel checks its own session.
func (s *Server) Surface() *gateway.Surface {
	s.sessions = newSessions(s.AdminToken, s.now)
	return &gateway.Surface{
		Name:    "panel",
		Auth:    gateway.Public,
		Routes:  s.routes(),
		Render:  s.renderError,
		Methods: []string{http.MethodGet, http.MethodPost},
	}
}

// routes is the panel's whole route table. Pages need a session; actions
// (POST) need a session and its CSRF token.
func (s *Server) routes() []gateway.Route {
	routes := []gateway.Route{
		{Pattern: "GET " + base + "/static/{file}", Handler: serveStatic},
		{Pattern: "GET " + base + "/login", Handler: s.loginForm},
		{Pattern: "POST " + base + "/login", Handler: s.login},
		{Pattern: "POST " + base + "/logout", Handler: s.action(s.logout)},

		{Pattern: "GET " + base + "/{$}", Handler: s.page(s.listStores)},
		{Pattern: "GET " + base + "/stores/{hash}/customers", Handler: s.page(s.listCustomers)},
		{Pattern: "GET " + base + "/stores/{hash}/customers/{id}", Handler: s.page(s.showCustomer)},
		{Pattern: "GET " + base + "/stores/{hash}/groups", Handler: s.page(s.listGroups)},
		{Pattern: "GET " + base + "/stores/{hash}/accounts", Handler: s.page(s.listAccounts)},
		{Pattern: "POST " + base + "/stores/{hash}/accounts", Handler: s.action(s.createAccount)},
		{Pattern: "GET " + base + "/stores/{hash}/reset", Handler: s.page(s.confirmReset)},
		{Pattern: "POST " + base + "/stores/{hash}/reset", Handler: s.action(s.resetStore)},
	}
	if s.hooksEnabled() {
		routes = append(routes,
			gateway.Route{Pattern: "GET " + base + "/stores/{hash}/hooks", Handler: s.page(s.listHooks)},
			gateway.Route{Pattern: "POST " + base + "/stores/{hash}/deliveries/deliver", Handler: s.action(s.deliverNow)},
			gateway.Route{Pattern: "POST " + base + "/stores/{hash}/deliveries/{id}/deliver", Handler: s.action(s.deliverNow)},
		)
	}
	if s.Journal != nil {
		routes = append(routes,
			gateway.Route{Pattern: "GET " + base + "/stores/{hash}/requests", Handler: s.page(s.listRequests)},
			gateway.Route{Pattern: "POST " + base + "/stores/{hash}/requests/clear", Handler: s.action(s.clearRequests)})
	}
	if s.Faults != nil {
		routes = append(routes,
			gateway.Route{Pattern: "GET " + base + "/stores/{hash}/faults", Handler: s.page(s.listFaults)},
			gateway.Route{Pattern: "POST " + base + "/stores/{hash}/faults/{id}/delete", Handler: s.action(s.deleteFault)})
	}
	if s.Logins != nil {
		routes = append(routes, gateway.Route{Pattern: "GET " + base + "/stores/{hash}/logins", Handler: s.page(s.listLogins)})
	}
	return routes
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// store finds the store named in the path. Returns ENOTFOUND.
func (s *Server) store(r *http.Request) (*customersd.Store, error) {
	return s.Tenants.FindStoreByHash(r.Context(), r.PathValue("hash"))
}
