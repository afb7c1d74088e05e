package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

func TestTenantService_CreateStore_Plan(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		tenants := sqlstore.NewTenantService(db)
		t.Run("OK", func(t *testing.T) {
			st := &customersd.Store{Hash: "pro-store", Plan: customersd.PlanPro}
			if err := tenants.CreateStore(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			got, err := tenants.FindStoreByHash(context.Background(), "pro-store")
			if err != nil || got.Plan != customersd.PlanPro {
				t.Fatalf("FindStoreByHash=%+v, %v; want plan pro", got, err)
			}
		})
		t.Run("ErrPlan", func(t *testing.T) {
			err := tenants.CreateStore(context.Background(), &customersd.Store{Hash: "gold", Plan: "gold"})
			if customersd.ErrorCode(err) != customersd.EINVALID {
				t.Fatalf("CreateStore(plan gold)=%v, want EINVALID", err)
			}
		})
	})
}

func TestTenantService_ResetStore(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		a := f.mustNewStoreWith(t, "a", sqlstoretest.FixtureDocument("a", 4))
		b := f.mustNewStoreWith(t, "b", sqlstoretest.FixtureDocument("b", 3))
		token := customersd.NewAccessToken()
		if _, err := f.tenants.CreateAPIAccount(ctx, b, token, []customersd.Scope{customersd.ScopeCustomers}); err != nil {
			t.Fatal(err)
		}
		beforeA := mustJSON(t, f.mustExport(t, a))

		if err := f.tenants.ResetStore(ctx, b); err != nil {
			t.Fatalf("ResetStore: %v", err)
		}
		n, err := f.tenants.CountStore(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&customersd.StoreCounts{}, n); diff != "" {
			t.Fatalf("counts after reset (-want +got):\n%s", diff)
		}
		doc := f.mustExport(t, b)
		if doc.Counters != (customersd.DocumentCounters{}) {
			t.Fatalf("counters after reset=%+v, want zero", doc.Counters)
		}
		c, err := f.customers.CreateCustomer(ctx, b, &customersd.CustomerInput{FirstName: ptrTo("A"), LastName: ptrTo("B"), Email: ptrTo("jane1@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != 1 || c.CustomerGroupID != 0 {
			t.Fatalf("first customer after reset: id=%d group=%d, want id 1 and no group", c.ID, c.CustomerGroupID)
		}
		if _, err := f.tenants.Authenticate(ctx, "b", token); err != nil {
			t.Fatalf("token after reset: %v", err)
		}
		if got := mustJSON(t, f.mustExport(t, a)); got != beforeA {
			t.Fatal("resetting store b changed store a")
		}
		if err := f.tenants.ResetStore(ctx, 999); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Fatalf("ResetStore(missing)=%v, want ENOTFOUND", err)
		}
	})
}

func TestTenantService_DeleteStore(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		a := f.mustNewStoreWith(t, "a", sqlstoretest.FixtureDocument("a", 3))
		b := f.mustNewStoreWith(t, "b", sqlstoretest.FixtureDocument("b", 3))
		token := customersd.NewAccessToken()
		if _, err := f.tenants.CreateAPIAccount(ctx, b, token, []customersd.Scope{customersd.ScopeCustomers}); err != nil {
			t.Fatal(err)
		}
		beforeA := mustJSON(t, f.mustExport(t, a))

		if err := f.tenants.DeleteStore(ctx, b); err != nil {
			t.Fatalf("DeleteStore: %v", err)
		}
		if _, err := f.tenants.FindStoreByHash(ctx, "b"); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Fatalf("FindStoreByHash(deleted)=%v, want ENOTFOUND", err)
		}
		if _, err := f.tenants.Authenticate(ctx, "b", token); customersd.ErrorCode(err) != customersd.EUNAUTHORIZED {
			t.Fatalf("token of a deleted store: %v, want EUNAUTHORIZED", err)
		}
		if err := f.tenants.DeleteStore(ctx, b); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Fatalf("DeleteStore twice=%v, want ENOTFOUND", err)
		}
		if got := mustJSON(t, f.mustExport(t, a)); got != beforeA {
			t.Fatal("deleting store b changed store a")
		}
		// The hash is free again, and the new store starts empty.
		again := f.mustNewStoreWith(t, "b", nil)
		if n, err := f.tenants.CountStore(ctx, again); err != nil || *n != (customersd.StoreCounts{}) {
			t.Fatalf("CountStore(recreated)=%+v, %v; want zero", n, err)
		}
		// SQLite may give the new store the old id: the old token must
		// still not open it.
		if _, err := f.tenants.Authenticate(ctx, "b", token); customersd.ErrorCode(err) != customersd.EUNAUTHORIZED {
			t.Fatalf("old token on the recreated store: %v, want EUNAUTHORIZED", err)
		}
	})
}

func TestTenantService_CountStore(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newExportFixture(db)
		st := f.mustNewStoreWith(t, "a", sqlstoretest.FixtureDocument("a", 7))
		f.mustNewStoreWith(t, "b", sqlstoretest.FixtureDocument("b", 2))
		n, err := f.tenants.CountStore(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&customersd.StoreCounts{Customers: 7, Addresses: 7, Groups: 2}, n); diff != "" {
			t.Fatalf("CountStore (-want +got):\n%s", diff)
		}
		if _, err := f.tenants.CountStore(context.Background(), 999); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Fatalf("CountStore(missing)=%v, want ENOTFOUND", err)
		}
	})
}

// BenchmarkTenantService_ResetStore resets a store holding 1,000 customers
// with an address each; the reload between resets is not timed.
func BenchmarkTenantService_ResetStore(b *testing.B) {
	for _, d := range sqlstoretest.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			f := newExportFixture(sqlstoretest.Open(b, d))
			f.mustNewStoreWith(b, "neighbour", sqlstoretest.FixtureDocument("neighbour", 1000))
			st := f.mustNewStoreWith(b, "bench", nil)
			doc := sqlstoretest.FixtureDocument("bench", 1000)
			for b.Loop() {
				b.StopTimer()
				if err := f.exporter.Import(ctx, st, doc); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := f.tenants.ResetStore(ctx, st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTenantService_CreateStoreWithToken creates a store and one
// access token, what POST /admin/v1/stores does.
func BenchmarkTenantService_CreateStoreWithToken(b *testing.B) {
	for _, d := range sqlstoretest.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			tenants := sqlstore.NewTenantService(sqlstoretest.Open(b, d))
			i := 0
			for b.Loop() {
				i++
				st := &customersd.Store{Hash: fmt.Sprintf("s%d", i)}
				if err := tenants.CreateStore(ctx, st); err != nil {
					b.Fatal(err)
				}
				if _, err := tenants.CreateAPIAccount(ctx, st.ID, customersd.NewAccessToken(), []customersd.Scope{customersd.ScopeCustomers}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
