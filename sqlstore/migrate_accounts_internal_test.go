package sqlstore

import (
	"context"
	"testing"

	"github.com/customersd/customersd"
)

// TestMigration0003_ClientSecrets builds a database as the release before
// client secrets left it, with an account made as that release made it and
// one made by hand without a client id, then opens it with this release:
// both accounts get a secret (and the second a client id), and their tokens
// still authenticate.
func TestMigration0003_ClientSecrets(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			old, dsn, store := openReleased(t, dialect, "0002_row_counts.sql")
			const token, handMade = "old-token-0123456789", "hand-made-token-0123"
			for _, row := range []struct{ clientID, token string }{{"oldclient", token}, {"", handMade}} {
				if _, err := old.write.ExecContext(ctx, old.dialect.rebind(`INSERT INTO api_accounts
					(client_id, store_id, token_hash, scopes, created_at) VALUES (?, ?, ?, 'store_v2_customers', 1700000000)`),
					row.clientID, store, tokenHash(row.token)); err != nil {
					t.Fatal(err)
				}
			}
			old.Close()

			db, err := Open(ctx, dsn)
			if err != nil {
				t.Fatalf("migrate: %v", err)
			}
			defer db.Close()
			tenants := NewTenantService(db)
			secrets := map[string]bool{}
			for _, tok := range []string{token, handMade} {
				a, err := tenants.Authenticate(ctx, "old", tok)
				if err != nil {
					t.Fatalf("token after the migration: %v", err)
				}
				if !customersd.ValidClientID(a.ClientID) {
					t.Fatalf("client id %q after the migration: want a valid one", a.ClientID)
				}
				full, err := tenants.FindAPIAccountByClientID(ctx, a.Store.ID, a.ClientID)
				if err != nil {
					t.Fatal(err)
				}
				if !customersd.ValidClientSecret(full.ClientSecret) || len(full.ClientSecret) != 64 || secrets[full.ClientSecret] {
					t.Fatalf("secret %q: want 64 random characters, one per account", full.ClientSecret)
				}
				secrets[full.ClientSecret] = true
				if tok == token && a.ClientID != "oldclient" {
					t.Fatalf("client id=%q, want the account's own kept", a.ClientID)
				}
			}
		})
	}
}
