package cli

import (
	"flag"
	"fmt"
	"net/http"
	"strconv"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/sqlstore"
	v2 "github.com/customersd/customersd/v2"
	v3 "github.com/customersd/customersd/v3"
)

// HooksAPIConfig is the hooks API's part of Config.
type HooksAPIConfig struct {
	// RequireHTTPS holds hook destinations to BigCommerce's rule, https on
	// port 443; off, any absolute http(s) URL will do, so tests can run
	// receivers on localhost.
	RequireHTTPS bool
}

// hooksAPIFlags registers --webhook-require-https.
func (c *ServeCommand) hooksAPIFlags(fs *flag.FlagSet, cfg *HooksAPIConfig) error {
	def := false
	if v := c.Getenv("CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS: want true or false, not %q", v)
		}
		def = b
	}
	fs.BoolVar(&cfg.RequireHTTPS, "webhook-require-https", def, "refuse hook destinations that are not https on port 443, as BigCommerce does (env CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS)")
	return nil
}

// mountHooks serves /v2/hooks from api and returns the V3 surface
// (/stores/{store_hash}/v3/hooks), both on the same hooks.
func (c *ServeCommand) mountHooks(gw *gateway.Gateway, db *sqlstore.DB, api *v2.Server) http.Handler {
	rules := customersd.HookRules{RequireHTTPS: c.Config.HooksAPI.RequireHTTPS}
	hooks := sqlstore.NewHookService(db)
	api.Hooks, api.HookRules = hooks, rules
	return gw.Mount((&v3.Server{Hooks: hooks, Queue: sqlstore.NewWebhookQueue(db), Rules: rules, Blocked: c.blockedDomains}).Surface())
}
