package main

import (
	"context"
	"fmt"

	"github.com/customersd/customersd/sqlstore"
)

// StoresResetCommand deletes a store's customers, addresses and groups and
// restarts its IDs at 1, keeping its tokens: customersd stores reset --store HASH.
type StoresResetCommand struct {
	*Main
}

// Run implements "customersd stores reset".
func (c *StoresResetCommand) Run(ctx context.Context, args []string) error {
	sc := &storeCommand{name: "stores reset"}
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
	if err := sqlstore.NewTenantService(db).ResetStore(ctx, st.ID); err != nil {
		return fmt.Errorf("stores reset %s: %w", st.Hash, err)
	}
	fmt.Fprintf(c.Stdout, "reset store %s\n", st.Hash)
	return nil
}
