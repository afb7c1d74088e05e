package cli

import (
	"net/http"

	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/panel"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
)

// panelHandler is the control panel under /admin/ui/, or nil when the admin
// API is off: the panel signs in with the admin token and exists exactly
// when the admin API does.
func (c *ServeCommand) panelHandler(gw *gateway.Gateway, db *sqlstore.DB, tenants *sqlstore.TenantService, hasher password.Hasher, limits *ratelimit.Policy) http.Handler {
	if c.Config.Admin.Token == "" {
		return nil
	}
	customers := sqlstore.NewCustomerService(db, hasher)
	s := &panel.Server{
		AdminToken: c.Config.Admin.Token,
		Tenants:    tenants,
		Customers:  customers,
		Search:     customers,
		Addresses:  sqlstore.NewAddressService(db),
		Groups:     sqlstore.NewGroupService(db),
		Quota:      limits.StoreQuota,
		Hooks:      sqlstore.NewHookService(db),
		Webhooks:   sqlstore.NewWebhookQueue(db),
		Journal:    gw.Journal,
		Faults:     gw.Faults,
		Logins:     sqlstore.NewLoginService(db),
	}
	return gw.Mount(s.Surface())
}
