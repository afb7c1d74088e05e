package cli

import (
	"log/slog"

	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/login"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/storefront"
)

// storefrontPrefix is where the stores' storefronts are mounted
// (storefront.Server.Surface; docs/login.md).
const storefrontPrefix = "/stores/{store_hash}/storefront/"

// loginVerifier checks Customer Login tokens, for the storefront and the
// admin API's explain call alike.
func loginVerifier(db *sqlstore.DB, tenants *sqlstore.TenantService, hasher password.Hasher) *login.Verifier {
	return &login.Verifier{Tenants: tenants, Customers: sqlstore.NewCustomerService(db, hasher), Logins: sqlstore.NewLoginService(db)}
}

// storefrontSurface is the stores' storefronts (Customer Login, Current
// Customer), to be mounted at storefrontPrefix.
func storefrontSurface(db *sqlstore.DB, tenants *sqlstore.TenantService, hasher password.Hasher, limits *ratelimit.Policy, logger *slog.Logger) *gateway.Surface {
	s := &storefront.Server{
		Customers: sqlstore.NewCustomerService(db, hasher),
		Groups:    sqlstore.NewGroupService(db),
		Tenants:   tenants,
		Logins:    sqlstore.NewLoginService(db),
		Verifier:  loginVerifier(db, tenants, hasher),
		RateLimit: limits,
		Logger:    logger,
	}
	return s.Surface()
}
