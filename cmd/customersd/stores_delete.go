package main

import (
	"context"
	"fmt"

	"github.com/customersd/customersd/sqlstore"
)

// StoresDeleteCommand deletes a store with its customers, addresses,
// groups and tokens: customersd stores delete --store HASH.
type StoresDeleteCommand struct {
	*Main
}

// Run implements "customersd stores delete".
func (c *StoresDeleteCommand) Run(ctx context.Context, args []string) error {
	sc := &storeCommand{name: "stores delete"}
	fs := newFlagSet(c.Main, sc.name)
	sc.flags(c.Main, fs)
	if err := sc.parse(fs, args); err != nil {
		return err
	}
	db, st, err := sc.open(ctx, fs)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sqlstore.NewTenantService(db).DeleteStore(ctx, st.ID); err != nil {
		return fmt.Errorf("stores delete %s: %w", st.Hash, err)
	}
	fmt.Fprintf(c.Stdout, "deleted store %s\n", st.Hash)
	return nil
}
