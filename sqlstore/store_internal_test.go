package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"golang.org/x/crypto/bcrypt"
)

// TestDeleteStore_NoOrphans checks, on each database, that deleting a store
// leaves no row of it in any table, both through DeleteStore and through a
// bare DELETE FROM stores relying on the ON DELETE CASCADE chain alone
// (stores -> customers -> customer_addresses, stores -> customer_groups,
// with customers referencing groups without a cascade).
func TestDeleteStore_NoOrphans(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			db := openInternal(t, dialect)
			ctx := context.Background()
			tenants := NewTenantService(db)
			for _, how := range []string{"DeleteStore", "cascade"} {
				st := &customersd.Store{Hash: "victim-" + how}
				if err := tenants.CreateStore(ctx, st); err != nil {
					t.Fatal(err)
				}
				fillStore(t, db, st.ID)
				if how == "DeleteStore" {
					if err := tenants.DeleteStore(ctx, st.ID); err != nil {
						t.Fatalf("DeleteStore: %v", err)
					}
				} else if _, err := db.write.ExecContext(ctx, db.dialect.rebind(`DELETE FROM stores WHERE id = ?`), st.ID); err != nil {
					t.Fatalf("cascading delete: %v", err)
				}
				for _, table := range []string{"api_accounts", "id_counters", "customer_groups", "customers", "customer_addresses"} {
					var n int
					if err := db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT COUNT(*) FROM `+table+` WHERE store_id = ?`), st.ID).Scan(&n); err != nil {
						t.Fatal(err)
					}
					if n != 0 {
						t.Errorf("%s: %d rows of the deleted store left in %s", how, n, table)
					}
				}
			}
		})
	}
}

// fillStore gives a store a token, a group, customers in it and addresses.
func fillStore(tb testing.TB, db *DB, store customersd.StoreID) {
	tb.Helper()
	ctx := context.Background()
	if _, err := NewTenantService(db).CreateAPIAccount(ctx, store, customersd.NewAccessToken(), []customersd.Scope{customersd.ScopeCustomers}); err != nil {
		tb.Fatal(err)
	}
	doc := &customersd.Document{
		Format: customersd.DocumentFormat,
		Groups: []customersd.DocumentGroup{{ID: 1, Name: "G", IsDefault: true}},
	}
	for i := int64(1); i <= 3; i++ {
		doc.Customers = append(doc.Customers, customersd.DocumentCustomer{ID: i, FirstName: "A", LastName: "B",
			Email: fmt.Sprintf("c%d@example.com", i), CustomerGroupID: 1})
		doc.Addresses = append(doc.Addresses, customersd.DocumentAddress{ID: i, CustomerID: i, FirstName: "A", LastName: "B",
			Street1: "1 St", City: "C", State: "S", Zip: "1", Country: "France", Phone: "1"})
	}
	if err := NewExportService(db, passwordHasherForTests).Import(ctx, store, doc); err != nil {
		tb.Fatal(err)
	}
}

// openInternal opens a fresh database for a white-box test. It cannot use
// sqlstoretest, which imports this package.
func openInternal(tb testing.TB, dialect string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), internalDSN(tb, dialect))
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// internalDSN returns a fresh, empty database of the dialect.
func internalDSN(tb testing.TB, dialect string) string {
	tb.Helper()
	if dialect != "postgres" {
		return filepath.Join(tb.TempDir(), "internal.db")
	}
	base := os.Getenv("CUSTOMERSD_TEST_POSTGRES_URL")
	if base == "" {
		tb.Skip("set CUSTOMERSD_TEST_POSTGRES_URL to run against PostgreSQL")
	}
	return internalSchema(tb, base)
}

func internalSchema(tb testing.TB, base string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("ti_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if admin, err := sql.Open("pgx", base); err == nil {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var passwordHasherForTests = password.Hasher{Cost: bcrypt.MinCost}

// openReleased opens a fresh database migrated up to the migration upTo
// only, as the release that ended there left it, holding one store, "old",
// made as that release made it. The test closes old, then opens dsn with
// this release.
func openReleased(t *testing.T, dialect, upTo string) (old *DB, dsn string, store int64) {
	t.Helper()
	ctx := context.Background()
	dsn = internalDSN(t, dialect)
	old, err := open(ctx, dsn, Options{}, upTo)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.write.QueryRowContext(ctx, old.dialect.rebind(
		`INSERT INTO stores (hash, created_at) VALUES ('old', 1700000000) RETURNING id`)).Scan(&store); err != nil {
		old.Close()
		t.Fatal(err)
	}
	return old, dsn, store
}
