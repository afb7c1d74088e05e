package main

import (
	"context"
	"fmt"

	"github.com/customersd/customersd/sqlstore"
)

// TokensRevokeCommand revokes a token by its client id; running servers
// refuse it from their next request: customersd tokens revoke --store HASH --client-id ID.
type TokensRevokeCommand struct {
	*Main
}

// Run implements "customersd tokens revoke".
func (c *TokensRevokeCommand) Run(ctx context.Context, args []string) error {
	sc := &storeCommand{name: "tokens revoke"}
	fs := newFlagSet(c.Main, sc.name)
	sc.flags(c.Main, fs)
	var clientID string
	fs.StringVar(&clientID, "client-id", "", "client id of the token (required; see tokens list)")
	if err := sc.parse(fs, args); err != nil {
		return err
	}
	if clientID == "" {
		return fmt.Errorf("tokens revoke: --client-id is required")
	}
	db, st, err := sc.open(ctx, fs)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sqlstore.NewTenantService(db).RevokeAPIAccount(ctx, st.ID, clientID); err != nil {
		return fmt.Errorf("tokens revoke %s: %w", st.Hash, err)
	}
	fmt.Fprintf(c.Stdout, "revoked %s\n", clientID)
	return nil
}
