package cli

import (
	"context"
	"fmt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
)

// StoresCommand manages stores: customersd stores
// create|list|delete|reset|export|import|quota. Each subcommand beyond
// create and list has a file and a command type of its own.
type StoresCommand struct {
	*Main
}

// Run implements "customersd stores".
func (c *StoresCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("stores: want a subcommand: create, list, delete, reset, export, import or quota")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "quota":
		return (&QuotaCommand{Main: c.Main}).Run(ctx, args)
	case "delete":
		return (&StoresDeleteCommand{Main: c.Main}).Run(ctx, args)
	case "reset":
		return (&StoresResetCommand{Main: c.Main}).Run(ctx, args)
	case "export":
		return (&StoresExportCommand{Main: c.Main}).Run(ctx, args)
	case "import":
		return (&StoresImportCommand{Main: c.Main}).Run(ctx, args)
	}
	fs := newFlagSet(c.Main, "stores "+sub)
	var dsn, hash, plan string
	c.databaseFlag(fs, &dsn)
	if sub == "create" {
		fs.StringVar(&hash, "hash", "", "store hash (random when empty)")
		fs.StringVar(&plan, "plan", "", "plan: "+customersd.PlanNames()+"; without one the store is standard and unthrottled")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	switch sub {
	case "create":
		if hash == "" {
			hash = customersd.NewStoreHash()
		}
		st := &customersd.Store{Hash: hash, Plan: plan}
		if plan == "" {
			st.RateLimit = ratelimit.Unthrottled()
		}
		if err := tenants.CreateStore(ctx, st); err != nil {
			return fmt.Errorf("create store: %w", err)
		}
		fmt.Fprintln(c.Stdout, st.Hash)
	case "list":
		stores, err := tenants.FindStores(ctx)
		if err != nil {
			return err
		}
		for _, st := range stores {
			fmt.Fprintf(c.Stdout, "%s\t%s\t%s\n", st.Hash, st.Plan, st.CreatedAt.Format("2006-01-02T15:04:05Z"))
		}
	default:
		return fmt.Errorf("stores: unknown subcommand %q", sub)
	}
	return nil
}
