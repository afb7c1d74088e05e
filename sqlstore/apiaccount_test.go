package sqlstore_test

import (
	"context"
	"strings"
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

func TestTenantService_CreateAPIAccountFrom(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		a := f.mustNewStoreWith(t, "a", nil)
		b := f.mustNewStoreWith(t, "b", nil)
		in := &customersd.APIAccountInput{ClientID: "known-app", ClientSecret: "known-secret-0123456789",
			AccessToken: "known-token-0123", Scopes: []customersd.Scope{customersd.ScopeCustomers, customersd.ScopeCustomersLogin}}
		t.Run("OK", func(t *testing.T) {
			acc, err := f.tenants.CreateAPIAccountFrom(ctx, a, in)
			if err != nil {
				t.Fatal(err)
			}
			if acc.ClientID != in.ClientID || acc.ClientSecret != in.ClientSecret || len(acc.Scopes) != 2 {
				t.Fatalf("account=%+v, want the given credentials and both scopes", acc)
			}
			got, err := f.tenants.Authenticate(ctx, "a", in.AccessToken)
			if err != nil || got.ClientID != "known-app" || got.ClientSecret != "" {
				t.Fatalf("Authenticate=%+v, %v; want known-app without its secret", got, err)
			}
			full, err := f.tenants.FindAPIAccountByClientID(ctx, a, "known-app")
			if err != nil || full.ClientSecret != in.ClientSecret || full.Store.Hash != "a" {
				t.Fatalf("FindAPIAccountByClientID=%+v, %v; want the account with its secret", full, err)
			}
			list, err := f.tenants.FindAPIAccounts(ctx, a)
			if err != nil || len(list) != 1 || list[0].ClientSecret != "" {
				t.Fatalf("FindAPIAccounts=%+v, %v; want one account without its secret", list, err)
			}
		})
		t.Run("ErrClientIDTaken", func(t *testing.T) {
			dup := *in
			dup.AccessToken = "another-token-0123"
			if _, err := f.tenants.CreateAPIAccountFrom(ctx, b, &dup); customersd.ErrorCode(err) != customersd.ECONFLICT ||
				!strings.Contains(customersd.ErrorMessage(err), "Client id") {
				t.Fatalf("taken client id: %v, want ECONFLICT naming the client id", err)
			}
		})
		t.Run("ErrTokenTaken", func(t *testing.T) {
			dup := *in
			dup.ClientID = "other-app"
			if _, err := f.tenants.CreateAPIAccountFrom(ctx, b, &dup); customersd.ErrorCode(err) != customersd.ECONFLICT ||
				!strings.Contains(customersd.ErrorMessage(err), "access token") {
				t.Fatalf("taken token: %v, want ECONFLICT naming the token", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			bad := *in
			bad.ClientSecret = "short"
			if _, err := f.tenants.CreateAPIAccountFrom(ctx, b, &bad); customersd.ErrorCode(err) != customersd.EINVALID {
				t.Fatalf("short secret: %v, want EINVALID", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if _, err := f.tenants.FindAPIAccountByClientID(ctx, b, "known-app"); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("another store's client id: %v, want ENOTFOUND", err)
			}
		})
		t.Run("GeneratedSecret", func(t *testing.T) {
			acc, err := f.tenants.CreateAPIAccount(ctx, b, customersd.NewAccessToken(), nil)
			if err != nil {
				t.Fatal(err)
			}
			full, err := f.tenants.FindAPIAccountByClientID(ctx, b, acc.ClientID)
			if err != nil || full.ClientSecret != acc.ClientSecret || !customersd.ValidClientSecret(acc.ClientSecret) {
				t.Fatalf("secret=%q stored %+v, %v; want a valid random secret, stored", acc.ClientSecret, full, err)
			}
		})
	})
}
