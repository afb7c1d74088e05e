package cli

import (
	"context"
	"fmt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// StoresDeleteCommand deletes a store with its customers, addresses,
// groups and tokens: customersd stores delete --store HASH.
type StoresDeleteCommand struct {
	*Main
}

// Run implements "customersd stores delete".
func (c *StoresDeleteCommand) Run(ctx context.Context, args []string) error {
	return c.runOnStore(ctx, "stores delete", args, nil, func(tenants *sqlstore.TenantService, st *customersd.Store) error {
		if err := tenants.DeleteStore(ctx, st.ID); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "deleted store %s\n", st.Hash)
		return nil
	})
}
