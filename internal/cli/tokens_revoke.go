package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// TokensRevokeCommand revokes a token by its client id; running servers
// refuse it from their next request: customersd tokens revoke --store HASH --client-id ID.
type TokensRevokeCommand struct {
	*Main
}

// Run implements "customersd tokens revoke".
func (c *TokensRevokeCommand) Run(ctx context.Context, args []string) error {
	var clientID string
	clientFlag := func(fs *flag.FlagSet) {
		fs.StringVar(&clientID, "client-id", "", "client id of the token (required; see tokens list)")
	}
	return c.runOnStore(ctx, "tokens revoke", args, clientFlag, func(tenants *sqlstore.TenantService, st *customersd.Store) error {
		if clientID == "" {
			return fmt.Errorf("--client-id is required")
		}
		if err := tenants.RevokeAPIAccount(ctx, st.ID, clientID); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "revoked %s\n", clientID)
		return nil
	})
}
