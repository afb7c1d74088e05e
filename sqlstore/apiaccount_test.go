package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

func TestTenantService_FindAPIAccounts(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		a := f.mustNewStoreWith(t, "a", nil)
		b := f.mustNewStoreWith(t, "b", nil)
		clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
		full, err := f.tenants.CreateAPIAccount(ctx, a, customersd.NewAccessToken(), []customersd.Scope{customersd.ScopeCustomers})
		if err != nil {
			t.Fatal(err)
		}
		read, err := f.tenants.CreateAPIAccount(ctx, a, customersd.NewAccessToken(), []customersd.Scope{customersd.ScopeCustomersReadOnly})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.tenants.CreateAPIAccount(ctx, b, customersd.NewAccessToken(), []customersd.Scope{customersd.ScopeCustomers}); err != nil {
			t.Fatal(err)
		}

		got, err := f.tenants.FindAPIAccounts(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ClientID != full.ClientID || got[1].ClientID != read.ClientID {
			t.Fatalf("FindAPIAccounts=%+v, want the two accounts of store a, oldest first", got)
		}
		if got[1].Scopes[0] != customersd.ScopeCustomersReadOnly || got[1].Store.Hash != "a" || !got[1].CreatedAt.Equal(read.CreatedAt) {
			t.Fatalf("account=%+v, want read-only of store a created %v", got[1], read.CreatedAt)
		}
		none, err := f.tenants.FindAPIAccounts(ctx, f.mustNewStoreWith(t, "c", nil))
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("FindAPIAccounts(no accounts)=%v, %v; want an empty list", none, err)
		}
	})
}

func TestTenantService_RevokeAPIAccount(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		a := f.mustNewStoreWith(t, "a", nil)
		b := f.mustNewStoreWith(t, "b", nil)
		token := customersd.NewAccessToken()
		acc, err := f.tenants.CreateAPIAccount(ctx, a, token, []customersd.Scope{customersd.ScopeCustomers})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("ErrOtherStore", func(t *testing.T) {
			if err := f.tenants.RevokeAPIAccount(ctx, b, acc.ClientID); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("revoke through another store=%v, want ENOTFOUND", err)
			}
			if _, err := f.tenants.Authenticate(ctx, "a", token); err != nil {
				t.Fatalf("token after a refused revoke: %v", err)
			}
		})
		t.Run("OK", func(t *testing.T) {
			if err := f.tenants.RevokeAPIAccount(ctx, a, acc.ClientID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.tenants.Authenticate(ctx, "a", token); customersd.ErrorCode(err) != customersd.EUNAUTHORIZED {
				t.Fatalf("revoked token: %v, want EUNAUTHORIZED", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if err := f.tenants.RevokeAPIAccount(ctx, a, acc.ClientID); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("revoke twice=%v, want ENOTFOUND", err)
			}
		})
	})
}
