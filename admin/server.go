// Package admin is the HTTP API test suites use to manage customersd:
// create, list, reset, export, import and delete stores, and issue and
// revoke their tokens. It is mounted under /admin/v1 on the gateway, which
// answers only when an admin token is configured.
package admin

import (
	"net/http"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/journal"
	"github.com/customersd/customersd/login"
)

// Server serves /admin/v1. Set the fields, then mount Surface on a gateway
// with an AdminToken.
type Server struct {
	Tenants  customersd.TenantService
	Exporter customersd.ExportService
	// Hooks, when set, serves every hook of a store; Queue, when set, its
	// delivery log and "deliver now" (hook.go).
	Hooks customersd.HookService
	Queue customersd.WebhookQueue
	// Logins and Login serve the login attempts and explain calls (login.go).
	Logins customersd.LoginService
	Login  *login.Verifier
	// Faults and Journal are the gateway's (fault.go, journal.go); nil
	// answers 404 on their paths.
	Faults  *fault.Engine
	Journal *journal.Journal
	// KnownRoute, when set, checks the route of a rule or a journal query
	// (gateway.Gateway.KnownRoute).
	KnownRoute func(route string) bool
	// Node names this node in the answers about faults and the journal,
	// which live in its memory; empty means the host name.
	Node string
}

// Surface returns the admin API for gateway.Mount. Mount it at "/admin/";
// its routes have full paths.
func (s *Server) Surface() *gateway.Surface {
	return &gateway.Surface{
		Name:    "admin",
		Auth:    gateway.AdminToken,
		Routes:  s.routes(),
		Render:  renderError,
		Methods: []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete},
	}
}
