package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

func TestTenantService_SetStoreRateLimit(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		tenants := sqlstore.NewTenantService(db)
		own := &customersd.Quota{Requests: 10, Window: 1500 * time.Millisecond}
		st := &customersd.Store{Hash: "s1", RateLimit: own}
		if err := tenants.CreateStore(ctx, st); err != nil {
			t.Fatal(err)
		}
		plain := &customersd.Store{Hash: "s2"}
		if err := tenants.CreateStore(ctx, plain); err != nil {
			t.Fatal(err)
		}
		token := customersd.NewAccessToken()
		if _, err := tenants.CreateAPIAccount(ctx, st.ID, token, []customersd.Scope{customersd.ScopeCustomers}); err != nil {
			t.Fatal(err)
		}

		// want checks what each way of reading a store says about its quota.
		want := func(t *testing.T, q *customersd.Quota) {
			t.Helper()
			check := func(how string, got *customersd.Quota) {
				t.Helper()
				if (got == nil) != (q == nil) || (got != nil && *got != *q) {
					t.Fatalf("%s: RateLimit=%v, want %v", how, got, q)
				}
			}
			found, err := tenants.FindStoreByHash(ctx, "s1")
			if err != nil {
				t.Fatal(err)
			}
			check("FindStoreByHash", found.RateLimit)
			a, err := tenants.Authenticate(ctx, "s1", token)
			if err != nil {
				t.Fatal(err)
			}
			check("Authenticate", a.Store.RateLimit)
			all, err := tenants.FindStores(ctx)
			if err != nil || len(all) != 2 {
				t.Fatalf("FindStores=%v, %v", all, err)
			}
			check("FindStores", all[0].RateLimit)
			if all[1].RateLimit != nil {
				t.Fatalf("a store created without a quota has %v", all[1].RateLimit)
			}
		}

		t.Run("OK", func(t *testing.T) {
			want(t, own)
			changed := &customersd.Quota{Requests: customersd.MaxRateLimitRequests, Window: customersd.MaxRateLimitWindow}
			if err := tenants.SetStoreRateLimit(ctx, st.ID, changed); err != nil {
				t.Fatal(err)
			}
			want(t, changed)
			if err := tenants.SetStoreRateLimit(ctx, st.ID, nil); err != nil {
				t.Fatal(err)
			}
			want(t, nil)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			err := tenants.SetStoreRateLimit(ctx, 999, &customersd.Quota{Requests: 1, Window: time.Second})
			if got := customersd.ErrorCode(err); got != customersd.ENOTFOUND {
				t.Fatalf("code=%q, want %q", got, customersd.ENOTFOUND)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, q := range []customersd.Quota{
				{Requests: 0, Window: time.Second},
				{Requests: customersd.MaxRateLimitRequests + 1, Window: time.Second},
				{Requests: 1, Window: 0},
				{Requests: 1, Window: 1500 * time.Microsecond},
				{Requests: 1, Window: customersd.MaxRateLimitWindow + time.Millisecond},
			} {
				if err := tenants.SetStoreRateLimit(ctx, st.ID, &q); customersd.ErrorCode(err) != customersd.EINVALID {
					t.Errorf("%v: err=%v, want EINVALID", q, err)
				}
				if err := tenants.CreateStore(ctx, &customersd.Store{Hash: "bad", RateLimit: &q}); customersd.ErrorCode(err) != customersd.EINVALID {
					t.Errorf("create with %v: err=%v, want EINVALID", q, err)
				}
			}
		})
	})
}
