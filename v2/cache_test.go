package v2_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
)

// newSQLiteServerAt is newTestServer on SQLite, also returning the file's
// DSN so that a test can open a second connection to it.
func newSQLiteServerAt(tb testing.TB) (*testServer, string) {
	tb.Helper()
	dsn := sqlstoretest.DSN(tb, "sqlite")
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	ts := &testServer{t: tb, db: db, logs: &logbuf.Buffer{}, clock: newTestClock()}
	db.Now = ts.clock.Now
	tenants := sqlstore.NewTenantService(db)
	ts.hash, ts.token = mustCreateStore(tb, tenants, "store1", customersd.ScopeCustomers)
	ts.otherHash, ts.otherToken = mustCreateStore(tb, tenants, "store2", customersd.ScopeCustomers)
	api := &v2.Server{
		Customers: sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost}),
		Addresses: sqlstore.NewAddressService(db),
		Groups:    sqlstore.NewGroupService(db),
	}
	ts.Server = httptest.NewServer(mount(api, tenants, ts.logger()))
	tb.Cleanup(ts.Close)
	return ts, dsn
}

// SQLite's read cache answers GET by id and the token lookup; a write or a
// revocation through another connection to the same file shows in the very
// next response.
func TestGetCustomer_CacheSeesOtherConnections(t *testing.T) {
	ts, dsn := newSQLiteServerAt(t)
	c := mustCreateCustomer(t, ts, jane())
	for range 2 {
		mustGetCustomer(t, ts, c.ID)
	}
	if st := ts.db.CacheStats(); st.Hits == 0 {
		t.Fatalf("CacheStats=%+v after repeated GETs, want hits", st)
	}

	ctx := context.Background()
	other, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	company := "Elsewhere Ltd"
	st, err := sqlstore.NewTenantService(other).FindStoreByHash(ctx, ts.hash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewCustomerService(other, password.Hasher{Cost: bcrypt.MinCost}).
		UpdateCustomer(ctx, st.ID, c.ID, &customersd.CustomerInput{Company: &company}); err != nil {
		t.Fatal(err)
	}
	if got := mustGetCustomer(t, ts, c.ID); got.Company != company {
		t.Fatalf("company=%q after another connection's update, want %q", got.Company, company)
	}
	if err := sqlstore.NewCustomerService(other, password.Hasher{Cost: bcrypt.MinCost}).DeleteCustomer(ctx, st.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	ts.do("GET", "/customers/"+itoa(c.ID), nil).want(t, http.StatusNotFound)

	accounts, err := sqlstore.NewTenantService(other).FindAPIAccounts(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if err := sqlstore.NewTenantService(other).RevokeAPIAccount(ctx, st.ID, a.ClientID); err != nil {
			t.Fatal(err)
		}
	}
	ts.do("GET", "/customers/"+itoa(c.ID), nil).wantGatewayError(t, http.StatusUnauthorized)
	// The other store's token, cached too, still works.
	ts.do("GET", "/customers/count", nil, withStore(ts.otherHash), withToken(ts.otherToken)).want(t, http.StatusOK)
}
