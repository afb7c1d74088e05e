package sqlstore_test

import (
	"context"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"golang.org/x/crypto/bcrypt"
)

func TestSeed(t *testing.T) {
	for _, d := range sqlstoretest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := sqlstoretest.Open(t, d)
			st := &customersd.Store{Hash: "seed"}
			if err := sqlstore.NewTenantService(db).CreateStore(ctx, st); err != nil {
				t.Fatal(err)
			}
			var progress []int
			// More than one transaction's worth would be slow here; the
			// chunking is the same loop at any size.
			if err := sqlstore.Seed(ctx, db, st.ID, sqlstore.SeedOptions{Customers: 250, Progress: func(n int) { progress = append(progress, n) }}); err != nil {
				t.Fatal(err)
			}
			if len(progress) == 0 || progress[len(progress)-1] != 250 {
				t.Errorf("progress = %v, want it to end at 250", progress)
			}
			customers := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
			if n, err := customers.CountCustomers(ctx, st.ID, customersd.CustomerFilter{}); err != nil || n != 250 {
				t.Errorf("count = %d, %v; want 250", n, err)
			}
			email := sqlstore.SeedEmail(41)
			cs, err := customers.FindCustomers(ctx, st.ID, customersd.CustomerFilter{Email: &email})
			if err != nil || len(cs) != 1 || cs[0].ID != 42 {
				t.Fatalf("customer by seed email = %v, %v; want ID 42", cs, err)
			}
			if n, err := sqlstore.NewAddressService(db).CountAddresses(ctx, st.ID, customersd.AddressFilter{}); err != nil || n != 250 {
				t.Errorf("addresses = %d, %v; want 250", n, err)
			}
			// IDs handed out next follow the seeded ones.
			c, err := customers.CreateCustomer(ctx, st.ID, &customersd.CustomerInput{FirstName: new("A"), LastName: new("B"), Email: new("new@example.com")})
			if err != nil || c.ID != 251 {
				t.Errorf("next customer = %v, %v; want ID 251", c, err)
			}
			err = sqlstore.Seed(ctx, db, st.ID, sqlstore.SeedOptions{Customers: 1})
			if customersd.ErrorCode(err) != customersd.ECONFLICT {
				t.Errorf("seeding a store with customers: %v, want ECONFLICT", err)
			}
		})
	}
}
