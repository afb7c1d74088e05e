package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

// mustCreateAccount adds an account with the given credentials to a store.
func (f *exportFixture) mustCreateAccount(tb testing.TB, store customersd.StoreID, in customersd.APIAccountInput) {
	tb.Helper()
	in.Complete()
	if _, err := f.tenants.CreateAPIAccountFrom(context.Background(), store, &in); err != nil {
		tb.Fatalf("create account %s: %v", in.ClientID, err)
	}
}

func TestExportService_Accounts(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newExportFixture(db)
		db.Now = func() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC) }
		a := f.mustNewStoreWith(t, "a", sqlstoretest.FixtureDocument("a", 2))
		quota := &customersd.Quota{Requests: 42, Window: 1500 * time.Millisecond}
		if err := f.tenants.SetStoreRateLimit(ctx, a, quota); err != nil {
			t.Fatal(err)
		}
		const token, secret = "app-token-0123456789", "app-secret-0123456789"
		f.mustCreateAccount(t, a, customersd.APIAccountInput{ClientID: "app", ClientSecret: secret, AccessToken: token,
			Scopes: []customersd.Scope{customersd.ScopeCustomersReadOnly, customersd.ScopeCustomersLogin}})
		f.mustCreateAccount(t, a, customersd.APIAccountInput{ClientID: "none", Scopes: []customersd.Scope{}})

		doc := f.mustExport(t, a)
		sum := sha256.Sum256([]byte(token))
		want := []customersd.DocumentAPIAccount{
			{ClientID: "app", ClientSecret: secret, AccessTokenSHA256: hex.EncodeToString(sum[:]),
				Scopes: []customersd.Scope{customersd.ScopeCustomersReadOnly, customersd.ScopeCustomersLogin}, CreatedAt: db.Now()},
			{ClientID: "none", Scopes: []customersd.Scope{}, CreatedAt: db.Now()},
		}
		got := doc.APIAccounts
		if len(got) == 2 {
			want[1].ClientSecret, want[1].AccessTokenSHA256 = got[1].ClientSecret, got[1].AccessTokenSHA256
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("exported accounts (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(&customersd.DocumentRateLimit{Requests: 42, WindowMS: 1500}, doc.Store.RateLimit); diff != "" {
			t.Fatalf("exported rate limit (-want +got):\n%s", diff)
		}

		t.Run("RoundTrip", func(t *testing.T) {
			// A token revoked since the export comes back; its secret and
			// scopes are the document's again.
			if err := f.tenants.RevokeAPIAccount(ctx, a, "app"); err != nil {
				t.Fatal(err)
			}
			f.mustCreateAccount(t, a, customersd.APIAccountInput{ClientID: "app", AccessToken: "other-token-0123"})
			if err := f.tenants.SetStoreRateLimit(ctx, a, nil); err != nil {
				t.Fatal(err)
			}
			if err := f.exporter.Import(ctx, a, doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(doc, f.mustExport(t, a)); diff != "" {
				t.Fatalf("export -> import -> export changed the document (-first +second):\n%s", diff)
			}
			acc, err := f.tenants.Authenticate(ctx, "a", token)
			if err != nil || acc.ClientID != "app" {
				t.Fatalf("imported token: %+v, %v", acc, err)
			}
			full, err := f.tenants.FindAPIAccountByClientID(ctx, a, "app")
			if err != nil || full.ClientSecret != secret {
				t.Fatalf("imported secret: %+v, %v", full, err)
			}
		})
		t.Run("OlderDocumentKeepsAccounts", func(t *testing.T) {
			old := *doc
			old.APIAccounts, old.Store.RateLimit = nil, nil
			if err := f.exporter.Import(ctx, a, &old); err != nil {
				t.Fatal(err)
			}
			again := f.mustExport(t, a)
			if diff := cmp.Diff(doc.APIAccounts, again.APIAccounts); diff != "" {
				t.Fatalf("an import without accounts changed them (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(doc.Store.RateLimit, again.Store.RateLimit); diff != "" {
				t.Fatalf("an import without a rate limit changed it (-before +after):\n%s", diff)
			}
		})
		t.Run("ErrAccountOfAnotherStore", func(t *testing.T) {
			b := f.mustNewStoreWith(t, "b", nil)
			f.mustCreateAccount(t, b, customersd.APIAccountInput{ClientID: "b-app", AccessToken: "b-token-0123456789"})
			before := f.mustExport(t, b)
			for name, edit := range map[string]func(*customersd.DocumentAPIAccount){
				"client id": func(d *customersd.DocumentAPIAccount) { d.AccessTokenSHA256, d.AccessToken = "", "fresh-token-0123" },
				"token":     func(d *customersd.DocumentAPIAccount) { d.ClientID = "fresh-id" },
			} {
				copied := *doc
				copied.APIAccounts = []customersd.DocumentAPIAccount{doc.APIAccounts[0]}
				edit(&copied.APIAccounts[0])
				err := f.exporter.Import(ctx, b, &copied)
				if customersd.ErrorCode(err) != customersd.ECONFLICT {
					t.Fatalf("import of another store's %s: %v, want ECONFLICT", name, err)
				}
				if diff := cmp.Diff(before, f.mustExport(t, b)); diff != "" {
					t.Fatalf("a refused import changed the store (-before +after):\n%s", diff)
				}
			}
			copied := *doc
			copied.APIAccounts = nil
			if err := f.exporter.Import(ctx, b, &copied); err != nil {
				t.Fatalf("copy without accounts: %v", err)
			}
		})
		t.Run("HandWrittenAccountsAdded", func(t *testing.T) {
			c := f.mustNewStoreWith(t, "c", nil)
			f.mustCreateAccount(t, c, customersd.APIAccountInput{AccessToken: "replaced-token-0123"})
			fixture := &customersd.Document{Format: customersd.DocumentFormat,
				APIAccounts: []customersd.DocumentAPIAccount{{AccessToken: "fixture-token-0123"}}}
			if err := f.exporter.Import(ctx, c, fixture); err != nil {
				t.Fatal(err)
			}
			acc, err := f.tenants.Authenticate(ctx, "c", "fixture-token-0123")
			if err != nil || !acc.CanWrite() || !customersd.ValidClientID(acc.ClientID) {
				t.Fatalf("fixture token: %+v, %v; want a full-scope account with a random client id", acc, err)
			}
			// The store's own token stays: a test suite holds it.
			if _, err := f.tenants.Authenticate(ctx, "c", "replaced-token-0123"); err != nil {
				t.Fatalf("the store's token after an import: %v", err)
			}
			// Imported again (a seed, at every start), the account is
			// replaced by its token, not added twice.
			if err := f.exporter.Import(ctx, c, fixture); err != nil {
				t.Fatal(err)
			}
			if list, err := f.tenants.FindAPIAccounts(ctx, c); err != nil || len(list) != 2 {
				t.Fatalf("accounts after importing twice: %v, %v; want 2", list, err)
			}
		})
	})
}
