package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// TokensListCommand lists a store's API accounts, one per line: client id,
// scopes, creation time. Tokens are stored as hashes and never shown;
// neither are client secrets.
type TokensListCommand struct {
	*Main
}

// Run implements "customersd tokens list".
func (c *TokensListCommand) Run(ctx context.Context, args []string) error {
	return c.runOnStore(ctx, "tokens list", args, nil, func(tenants *sqlstore.TenantService, st *customersd.Store) error {
		accounts, err := tenants.FindAPIAccounts(ctx, st.ID)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			scopes := make([]string, len(a.Scopes))
			for i, sc := range a.Scopes {
				scopes[i] = string(sc)
			}
			fmt.Fprintf(c.Stdout, "%s\t%s\t%s\n", a.ClientID, strings.Join(scopes, ","), a.CreatedAt.Format("2006-01-02T15:04:05Z"))
		}
		return nil
	})
}
