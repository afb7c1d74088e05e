package main

import (
	"context"
	"fmt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// TokensCommand manages API tokens: customersd tokens create|list|revoke.
// list and revoke have files and command types of their own.
type TokensCommand struct {
	*Main
}

// Run implements "customersd tokens".
func (c *TokensCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return (&TokensListCommand{Main: c.Main}).Run(ctx, args[1:])
		case "revoke":
			return (&TokensRevokeCommand{Main: c.Main}).Run(ctx, args[1:])
		}
	}
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("tokens: want a subcommand: create, list or revoke")
	}
	fs := newFlagSet(c.Main, "tokens create")
	var dsn, hash, scope, token string
	c.databaseFlag(fs, &dsn)
	fs.StringVar(&hash, "store", "", "store hash (required)")
	fs.StringVar(&scope, "scope", string(customersd.ScopeCustomers), "scope: store_v2_customers or store_v2_customers_read_only")
	fs.StringVar(&token, "token", "", "token value (random when empty)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if hash == "" {
		return fmt.Errorf("tokens create: --store is required")
	}
	if !customersd.Scope(scope).Valid() {
		return fmt.Errorf("tokens create: unknown scope %q", scope)
	}
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	st, err := tenants.FindStoreByHash(ctx, hash)
	if err != nil {
		return err
	}
	generated := token == ""
	if generated {
		token = customersd.NewAccessToken()
	}
	a, err := tenants.CreateAPIAccount(ctx, st.ID, token, []customersd.Scope{customersd.Scope(scope)})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	fmt.Fprintf(c.Stdout, "client_id:    %s\nscope:        %s\n", a.ClientID, scope)
	if generated {
		fmt.Fprintf(c.Stdout, "access_token: %s\n(shown only now; it is stored as a hash)\n", token)
	}
	return nil
}
