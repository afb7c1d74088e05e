package cli

import (
	"context"
	"fmt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// StoresResetCommand deletes a store's customers, addresses and groups and
// restarts its IDs at 1, keeping its tokens: customersd stores reset --store HASH.
type StoresResetCommand struct {
	*Main
}

// Run implements "customersd stores reset".
func (c *StoresResetCommand) Run(ctx context.Context, args []string) error {
	return c.runOnStore(ctx, "stores reset", args, nil, func(tenants *sqlstore.TenantService, st *customersd.Store) error {
		if err := tenants.ResetStore(ctx, st.ID); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "reset store %s\n", st.Hash)
		return nil
	})
}
