package panel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
)

// benchCustomers is the size of the benchmark's store.
const benchCustomers = 1_000_000

// openBenchDB opens an SQLite file holding store "bench" with a million
// seeded customers, built once (minutes) and kept in the temporary
// directory for the next run. CUSTOMERSD_BENCH_DB names another file.
func openBenchDB(b *testing.B) (*sqlstore.DB, customersd.StoreID) {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("CUSTOMERSD_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), "customersd-panel-bench-1m.db")
	}
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	tenants := sqlstore.NewTenantService(db)
	st, err := tenants.FindStoreByHash(ctx, "bench")
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		st = &customersd.Store{Hash: "bench"}
		if err := tenants.CreateStore(ctx, st); err != nil {
			b.Fatal(err)
		}
	} else if err != nil {
		b.Fatal(err)
	}
	n, err := tenants.CountStore(ctx, st.ID)
	if err != nil {
		b.Fatal(err)
	}
	if n.Customers == benchCustomers {
		return db, st.ID
	}
	if n.Customers > 0 { // an interrupted seed: start again
		if err := tenants.ResetStore(ctx, st.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeding %d customers into %s (once; the file is kept)", benchCustomers, path)
	if err := sqlstore.Seed(ctx, db, st.ID, sqlstore.SeedOptions{Customers: benchCustomers}); err != nil {
		b.Fatal(err)
	}
	return db, st.ID
}

// signedInRequest signs in through the handler and returns a function
// making requests with the session's cookie.
func signedInRequest(b *testing.B, h http.Handler) func(path string) *http.Request {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/admin/ui/login", nil))
	form := &page{Status: rec.Code, Body: rec.Body.String()}
	post := httptest.NewRequest(http.MethodPost, "/admin/ui/login", strings.NewReader(url.Values{"token": {adminToken}, "csrf": {form.csrf(b)}}.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range rec.Result().Cookies() {
		post.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, post)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	cookies := rec.Result().Cookies()
	return func(path string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		return r
	}
}

// BenchmarkCustomersPage renders customers pages of a store of a million
// customers, server side (handler to bytes, no network): the first page,
// a deep page, filters, and searches common (a page within the first
// window), rare (index ranges) and absent. Target: under 100 ms each.
func BenchmarkCustomersPage(b *testing.B) {
	db, store := openBenchDB(b)
	h := newHandler(db)
	req := signedInRequest(b, h)
	// The baseline, run beside the pages: a first page of 50 customers as
	// the V2 API reads it, without HTML.
	b.Run("BaselineV2FindCustomers", func(b *testing.B) {
		cs := sqlstore.NewCustomerService(db, password.Hasher{})
		for b.Loop() {
			if _, err := cs.FindCustomers(context.Background(), store, customersd.CustomerFilter{Page: customersd.Page{Limit: 50}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	const p = "/admin/ui/stores/bench/customers"
	for _, bm := range []struct{ name, query, want string }{
		{"FirstPage", "", "seed0@example.com"},
		{"DeepPage", "?after=900000", "seed900000@example.com"},
		{"Group", "?group=2", "seed1@example.com"},
		{"DateRange", "?from=2000-01-01&to=2100-01-01", "seed0@example.com"},
		{"SearchCommonPrefix", "?q=first1", "First1"},
		{"SearchCompany", "?q=company+4242", "Company 4242"},
		{"SearchRareEmail", "?q=seed987654%40", "seed987654@example.com"},
		{"SearchNoMatch", "?q=nobody", "No customer matches."},
		{"SearchGroupAndDate", "?q=last99&group=3&from=2000-01-01", "Last99"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req(p+bm.query))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), bm.want) {
				b.Fatalf("%s%s: %d, want 200 with %q:\n%.2000s", p, bm.query, rec.Code, bm.want, rec.Body)
			}
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req(p+bm.query))
			}
		})
	}
}
