package cli

import (
	"context"
	"flag"
	"log/slog"

	"github.com/customersd/customersd/admin"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
)

// AdminConfig is the admin part of Config (docs/admin.md).
type AdminConfig struct {
	// Token enables the admin API under /admin/v1; empty disables it.
	// Secret: never printed, never logged.
	Token string
	// Seed is a customersd/1 document imported into its store at start-up.
	Seed string
}

// String keeps the token out of anything that prints the configuration.
func (a AdminConfig) String() string {
	token := "(none: admin API disabled)"
	if a.Token != "" {
		token = "[redacted]"
	}
	return "admin token " + token + ", seed " + a.Seed
}

// adminFlags registers --admin-token and --seed. The token's environment
// twin is read after parsing rather than used as the flag's default, so
// "serve -h" cannot print it.
func (c *ServeCommand) adminFlags(fs *flag.FlagSet, cfg *AdminConfig) {
	fs.StringVar(&cfg.Token, "admin-token", "", "enable the admin API under /admin/v1 with this bearer token (env CUSTOMERSD_ADMIN_TOKEN; prefer the environment: flags show in ps)")
	fs.StringVar(&cfg.Seed, "seed", c.Getenv("CUSTOMERSD_SEED"), "import this customersd/1 document into its store at start-up, creating the store if needed (env CUSTOMERSD_SEED)")
}

// adminEnv fills what adminFlags left to the environment.
func (c *ServeCommand) adminEnv(cfg *AdminConfig) {
	if cfg.Token == "" {
		cfg.Token = c.Getenv("CUSTOMERSD_ADMIN_TOKEN")
	}
}

// adminSurface is the admin API, to be mounted at /admin/. It is always
// mounted: without a token the gateway answers 404 to every admin path.
func (c *ServeCommand) adminSurface(db *sqlstore.DB, tenants *sqlstore.TenantService, hasher password.Hasher, logger *slog.Logger) *gateway.Surface {
	if c.Config.Admin.Token != "" {
		logger.Info("admin API enabled", slog.String("path", "/admin/v1"))
	}
	s := &admin.Server{
		Tenants:  tenants,
		Exporter: sqlstore.NewExportService(db, hasher),
		Hooks:    sqlstore.NewHookService(db),
		Queue:    sqlstore.NewWebhookQueue(db),
	}
	return s.Surface()
}

// seedAtStart imports the --seed document, if any, before the server
// accepts requests, so a test environment starts with its fixtures.
func (c *ServeCommand) seedAtStart(ctx context.Context, db *sqlstore.DB, tenants *sqlstore.TenantService, logger *slog.Logger) error {
	if c.Config.Admin.Seed == "" {
		return nil
	}
	return c.seed(ctx, db, tenants, logger)
}
