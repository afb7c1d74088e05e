// Package admin is the HTTP API test suites use to manage customersd:
// create, list, reset, export, import and delete stores, and issue and
// revoke their tokens. It is mounted under /admin/v1 on the gateway, which
// answers only when an admin token is configured.
package admin

import (
	"net/http"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
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
