package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"golang.org/x/crypto/bcrypt"
)

// TestMigration0009_ConcurrentCreates builds a database as the release
// before per-store ID sequences left it, with customers and addresses made
// by that release and counters ahead of the rows (IDs spent by rolled-back
// creates), then opens it with this release: the next IDs follow the
// counters, the counts are what they were, and they go on counting.
func TestMigration0009_ConcurrentCreates(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			old, dsn, store := openReleased(t, dialect, "0008_search_indexes.sql")
			// The rows and counters as that release wrote them.
			st := &customersd.Store{ID: customersd.StoreID(store), Hash: "old"}
			for _, q := range []string{
				`INSERT INTO customers (store_id, id, first_name, last_name, email, email_key, date_created, date_modified)
					VALUES (?, 1, 'A', 'A', 'a@example.com', 'a@example.com', 1700000000, 1700000000),
					(?, 2, 'B', 'B', 'b@example.com', 'b@example.com', 1700000000, 1700000000)`,
				`INSERT INTO customer_addresses (store_id, id, customer_id, first_name, last_name, street_1, city, state, zip, country, country_iso2, phone)
					VALUES (?, 1, 1, 'A', 'A', '1 Main St', 'Austin', 'Texas', '78701', 'United States', 'US', '555')`,
				// 5 IDs of each spent by creates that rolled back.
				`INSERT INTO id_counters (store_id, resource, last_id) VALUES (?, 'customer', 7), (?, 'address', 6)`,
			} {
				args := make([]any, strings.Count(q, "?"))
				for i := range args {
					args[i] = store
				}
				if _, err := old.write.ExecContext(ctx, old.dialect.rebind(q), args...); err != nil {
					t.Fatal(err)
				}
			}
			old.Close()

			db, err := Open(ctx, dsn)
			if err != nil {
				t.Fatalf("migrate: %v", err)
			}
			defer db.Close()
			customers := NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
			c, err := customers.CreateCustomer(ctx, st.ID, newTestInput("c@example.com"))
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != 8 { // the counter's 7, not the rows' 2
				t.Errorf("customer id after the migration = %d, want 8", c.ID)
			}
			a, err := NewAddressService(db).CreateAddress(ctx, st.ID, 1, newTestAddress())
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != 7 { // the counter's 6, not the row's 1
				t.Errorf("address id after the migration = %d, want 7", a.ID)
			}
			n, err := NewTenantService(db).CountStore(ctx, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n.Customers != 3 || n.Addresses != 2 {
				t.Errorf("counts after the migration = %+v, want 3 customers and 2 addresses", n)
			}
			if err := customers.DeleteCustomer(ctx, st.ID, 2); err != nil {
				t.Fatal(err)
			}
			if got, err := customers.CountCustomers(ctx, st.ID, customersd.CustomerFilter{}); err != nil || got != 2 {
				t.Errorf("count after a delete = %d (%v), want 2", got, err)
			}
			doc, err := NewExportService(db, password.Hasher{Cost: bcrypt.MinCost}).Export(ctx, st.ID, customersd.ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Counters.Customers != 8 || doc.Counters.Addresses != 7 {
				t.Errorf("exported counters = %+v, want the last IDs handed out (8 and 7)", doc.Counters)
			}
		})
	}
}

func newTestInput(email string) *customersd.CustomerInput {
	first, last := "Ada", "Lovelace"
	return &customersd.CustomerInput{FirstName: &first, LastName: &last, Email: &email}
}

func newTestAddress() *customersd.AddressInput {
	s := func(v string) *string { return &v }
	return &customersd.AddressInput{FirstName: s("Ada"), LastName: s("Lovelace"), Street1: s("1 Main St"), City: s("Austin"),
		State: s("Texas"), Zip: s("78701"), Country: s("United States"), Phone: s("555")}
}
