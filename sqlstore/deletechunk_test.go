package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// TestCustomerService_DeleteCustomers_Chunks: a bulk delete runs as one
// transaction per chunk, and another store's write commits between two
// chunks, instead of waiting for the whole delete (on SQLite, one
// transaction of 440,000 deletes held every store's writes 2.9 s). The
// counts the triggers keep are right after every chunk.
func TestCustomerService_DeleteCustomers_Chunks(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		big := f.mustNewStoreWith(t, "big", sqlstoretest.FixtureDocument("big", 25))
		other := f.mustNewStoreWith(t, "other", nil)

		const chunk = 10
		var chunks int
		sqlstore.SetDeleteChunk(db, chunk, func() {
			chunks++
			if _, err := f.customers.CreateCustomer(ctx, other, newInput(fmt.Sprintf("other%d@example.com", chunks))); err != nil {
				t.Errorf("create in another store after chunk %d: %v", chunks, err)
			}
			counts, err := f.tenants.CountStore(ctx, big)
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(max(0, 25-chunk*chunks)); counts.Customers != want || counts.Addresses != want {
				t.Errorf("after chunk %d: %d customers and %d addresses, want %d of each", chunks, counts.Customers, counts.Addresses, want)
			}
		})
		if err := f.customers.DeleteCustomers(ctx, big, customersd.CustomerFilter{}); err != nil {
			t.Fatalf("DeleteCustomers: %v", err)
		}
		if got, want := chunks, 3; got != want {
			t.Errorf("%d chunks committed, want %d (25 customers, %d a chunk)", got, want, chunk)
		}
		// Each create of the other store committed between two chunks, so
		// all of them are there, and none of its customers was deleted.
		if n, err := f.customers.CountCustomers(ctx, other, customersd.CustomerFilter{}); err != nil || n != 3 {
			t.Errorf("other store: %d customers (%v), want the 3 created during the delete", n, err)
		}
	})
}

// TestCustomerService_DeleteCustomers_FilterInChunks: a filter applies to
// every chunk; customers it does not match stay, whatever their IDs.
func TestCustomerService_DeleteCustomers_FilterInChunks(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		st := f.mustNewStoreWith(t, "store", sqlstoretest.FixtureDocument("store", 25)) // odd IDs in group 1, even in 3
		sqlstore.SetDeleteChunk(db, 4, nil)
		if err := f.customers.DeleteCustomers(ctx, st, customersd.CustomerFilter{CustomerGroupID: ptr(int64(3))}); err != nil {
			t.Fatalf("DeleteCustomers: %v", err)
		}
		left, err := f.customers.FindCustomers(ctx, st, customersd.CustomerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 13 {
			t.Errorf("%d customers left, want the 13 of group 1", len(left))
		}
		for _, c := range left {
			if c.CustomerGroupID != 1 {
				t.Errorf("customer %d of group %d was not deleted", c.ID, c.CustomerGroupID)
			}
		}
	})
}
