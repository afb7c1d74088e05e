package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"golang.org/x/crypto/bcrypt"
)

// cacheFixture is a SQLite file with one store, one token and one customer,
// open in the DB under test.
type cacheFixture struct {
	path      string
	db        *sqlstore.DB
	tenants   *sqlstore.TenantService
	customers *sqlstore.CustomerService
	store     customersd.StoreID
	clientID  string
	token     string
	id        int64
}

func newCacheFixture(tb testing.TB) *cacheFixture {
	tb.Helper()
	ctx := context.Background()
	f := &cacheFixture{path: filepath.Join(tb.TempDir(), "cache.db")}
	f.db = mustOpen(tb, f.path)
	f.tenants = sqlstore.NewTenantService(f.db)
	f.customers = sqlstore.NewCustomerService(f.db, password.Hasher{Cost: bcrypt.MinCost})
	st := &customersd.Store{Hash: "cache-store"}
	if err := f.tenants.CreateStore(ctx, st); err != nil {
		tb.Fatal(err)
	}
	f.store, f.token = st.ID, customersd.NewAccessToken()
	a, err := f.tenants.CreateAPIAccount(ctx, st.ID, f.token, []customersd.Scope{customersd.ScopeCustomers})
	if err != nil {
		tb.Fatal(err)
	}
	f.clientID = a.ClientID
	c, err := f.customers.CreateCustomer(ctx, st.ID, newInput("cached@example.com"))
	if err != nil {
		tb.Fatal(err)
	}
	f.id = c.ID
	return f
}

func mustOpen(tb testing.TB, path string) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// warm reads the account and the customer until both are answered from the
// cache, so that what a test checks next is an entry's invalidation, not a miss.
func (f *cacheFixture) warm(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	for range 2 {
		if _, err := f.tenants.Authenticate(ctx, "cache-store", f.token); err != nil {
			tb.Fatalf("Authenticate: %v", err)
		}
		if _, err := f.customers.FindCustomerByID(ctx, f.store, f.id); err != nil {
			tb.Fatalf("FindCustomerByID: %v", err)
		}
	}
	if st := f.db.CacheStats(); st.Hits < 2 || st.Entries != 2 {
		tb.Fatalf("CacheStats=%+v after warming, want 2 entries and 2 hits at least", st)
	}
}

// wantRevoked checks that the token no longer authenticates.
func (f *cacheFixture) wantRevoked(tb testing.TB) {
	tb.Helper()
	_, err := f.tenants.Authenticate(context.Background(), "cache-store", f.token)
	if got, want := customersd.ErrorCode(err), customersd.EUNAUTHORIZED; got != want {
		tb.Fatalf("Authenticate after revocation: code=%q (err %v), want %q", got, err, want)
	}
}

// wantCompany checks the company the next read of the customer returns.
func (f *cacheFixture) wantCompany(tb testing.TB, want string) {
	tb.Helper()
	c, err := f.customers.FindCustomerByID(context.Background(), f.store, f.id)
	if err != nil {
		tb.Fatalf("FindCustomerByID: %v", err)
	}
	if c.Company != want {
		tb.Fatalf("Company=%q, want %q", c.Company, want)
	}
}

func TestReadCache_Hits(t *testing.T) {
	f := newCacheFixture(t)
	f.warm(t)
	before := f.db.CacheStats()
	f.wantCompany(t, "")
	if after := f.db.CacheStats(); after.Hits != before.Hits+1 || after.Misses != before.Misses {
		t.Fatalf("CacheStats=%+v after a read of a cached customer, was %+v: want one more hit", after, before)
	}
}

// A caller that changes what it was given does not change the cache.
func TestReadCache_CallersGetCopies(t *testing.T) {
	f := newCacheFixture(t)
	f.warm(t)
	ctx := context.Background()
	c, err := f.customers.FindCustomerByID(ctx, f.store, f.id)
	if err != nil {
		t.Fatal(err)
	}
	c.Company = "changed by the caller"
	a, err := f.tenants.Authenticate(ctx, "cache-store", f.token)
	if err != nil {
		t.Fatal(err)
	}
	a.Scopes[0] = customersd.ScopeCustomersReadOnly
	f.wantCompany(t, "")
	a, err = f.tenants.Authenticate(ctx, "cache-store", f.token)
	if err != nil {
		t.Fatal(err)
	}
	if a.Scopes[0] != customersd.ScopeCustomers {
		t.Fatalf("Scopes=%v, want the stored %q", a.Scopes, customersd.ScopeCustomers)
	}
}

// Writes of this process, through the DB's own writer, are seen at once.
func TestReadCache_OwnWrites(t *testing.T) {
	f := newCacheFixture(t)
	f.warm(t)
	ctx := context.Background()
	if _, err := f.customers.UpdateCustomer(ctx, f.store, f.id, &customersd.CustomerInput{Company: ptr("Own Co")}); err != nil {
		t.Fatal(err)
	}
	f.wantCompany(t, "Own Co")
	if err := f.tenants.RevokeAPIAccount(ctx, f.store, f.clientID); err != nil {
		t.Fatal(err)
	}
	f.wantRevoked(t)
	if err := f.customers.DeleteCustomer(ctx, f.store, f.id); err != nil {
		t.Fatal(err)
	}
	_, err := f.customers.FindCustomerByID(ctx, f.store, f.id)
	if got, want := customersd.ErrorCode(err), customersd.ENOTFOUND; got != want {
		t.Fatalf("FindCustomerByID after delete: code=%q, want %q", got, want)
	}
}

// Writes through a second connection (another DB on the same file, as the
// CLI opens in-process) are seen by the very next read.
func TestReadCache_SecondConnection(t *testing.T) {
	f := newCacheFixture(t)
	f.warm(t)
	ctx := context.Background()
	other := mustOpen(t, f.path)
	cs := sqlstore.NewCustomerService(other, password.Hasher{Cost: bcrypt.MinCost})
	for i := range 20 {
		company := fmt.Sprintf("Second %d", i)
		if _, err := cs.UpdateCustomer(ctx, f.store, f.id, &customersd.CustomerInput{Company: &company}); err != nil {
			t.Fatal(err)
		}
		f.wantCompany(t, company)
		f.wantCompany(t, company) // now from the cache
	}
	if err := sqlstore.NewTenantService(other).RevokeAPIAccount(ctx, f.store, f.clientID); err != nil {
		t.Fatal(err)
	}
	f.wantRevoked(t)
}

// cacheHelperEnv makes the test binary, run as a child, write to a
// database instead of testing: "revoke|update PATH STORE ID-OR-CLIENT VALUE".
const cacheHelperEnv = "SQLSTORE_CACHE_HELPER"

// TestReadCache_Helper is the child process's body.
func TestReadCache_Helper(t *testing.T) {
	args := os.Getenv(cacheHelperEnv)
	if args == "" {
		t.Skip("runs only as the child of TestReadCache_SecondProcess")
	}
	var op, path, what, value string
	var store int64
	if _, err := fmt.Sscan(args, &op, &path, &store, &what, &value); err != nil {
		t.Fatalf("%s=%q: %v", cacheHelperEnv, args, err)
	}
	ctx := context.Background()
	db := mustOpen(t, path)
	switch op {
	case "revoke":
		if err := sqlstore.NewTenantService(db).RevokeAPIAccount(ctx, customersd.StoreID(store), what); err != nil {
			t.Fatal(err)
		}
	case "update":
		id, err := strconv.ParseInt(what, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		cs := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
		if _, err := cs.UpdateCustomer(ctx, customersd.StoreID(store), id, &customersd.CustomerInput{Company: &value}); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown helper operation %q", op)
	}
}

// runHelper writes to the fixture's database from a child process.
func (f *cacheFixture) runHelper(tb testing.TB, op, what, value string) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestReadCache_Helper$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d %s %s", cacheHelperEnv, op, f.path, f.store, what, value))
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("child %s: %v\n%s", op, err, out)
	}
}

// Writes by another process are seen by the very next read.
func TestReadCache_SecondProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	f := newCacheFixture(t)
	f.warm(t)
	for i := range 3 {
		company := fmt.Sprintf("Child-%d", i)
		f.runHelper(t, "update", strconv.FormatInt(f.id, 10), company)
		f.wantCompany(t, company)
		f.wantCompany(t, company)
	}
	f.runHelper(t, "revoke", f.clientID, "-")
	f.wantRevoked(t)
}

// SetCacheBytes(0) turns the cache off: every read goes to the database.
func TestReadCache_Off(t *testing.T) {
	f := newCacheFixture(t)
	f.db.SetCacheBytes(0)
	for range 3 {
		f.wantCompany(t, "")
	}
	if st := f.db.CacheStats(); st.Hits != 0 || st.Entries != 0 {
		t.Fatalf("CacheStats=%+v with the cache off, want no hits and no entries", st)
	}
}

// The entries' sizes never sum past the bound: many customers through a
// small cache evict each other.
func TestReadCache_Bound(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	const bound = 8 << 10
	f.db.SetCacheBytes(bound)
	ids := []int64{f.id}
	for i := range 60 {
		c, err := f.customers.CreateCustomer(ctx, f.store, newInput(fmt.Sprintf("bound-%d@example.com", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	for _, id := range ids {
		c, err := f.customers.FindCustomerByID(ctx, f.store, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != id {
			t.Fatalf("FindCustomerByID(%d) returned customer %d", id, c.ID)
		}
		if st := f.db.CacheStats(); st.Bytes > bound || st.MaxBytes != bound {
			t.Fatalf("CacheStats=%+v, want Bytes <= %d", st, bound)
		}
	}
	st := f.db.CacheStats()
	if st.Entries == 0 || st.Entries >= len(ids) {
		t.Fatalf("CacheStats=%+v after reading %d customers through %d bytes, want some but not all kept", st, len(ids), bound)
	}
	// Every customer still reads right, cached or evicted.
	for _, id := range ids {
		c, err := f.customers.FindCustomerByID(ctx, f.store, id)
		if err != nil || c.ID != id {
			t.Fatalf("FindCustomerByID(%d) = %v, %v", id, c, err)
		}
	}
}

// Concurrent readers never see a customer older than the last update that
// had returned when their read started, while another connection writes:
// shared checks (one pragma for many lookups) stay as strict as their own.
func TestReadCache_ConcurrentWrites(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	other := sqlstore.NewCustomerService(mustOpen(t, f.path), password.Hasher{Cost: bcrypt.MinCost})
	var committed atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				floor := committed.Load()
				c, err := f.customers.FindCustomerByID(ctx, f.store, f.id)
				if err != nil {
					t.Error(err)
					return
				}
				var n int64
				if c.Company != "" {
					if _, err := fmt.Sscanf(c.Company, "v%d", &n); err != nil {
						t.Errorf("company %q: %v", c.Company, err)
						return
					}
				}
				if n < floor {
					t.Errorf("read company v%d after update v%d had returned", n, floor)
					return
				}
			}
		})
	}
	for i := int64(1); i <= 100; i++ {
		company := fmt.Sprintf("v%d", i)
		if _, err := other.UpdateCustomer(ctx, f.store, f.id, &customersd.CustomerInput{Company: &company}); err != nil {
			t.Fatal(err)
		}
		committed.Store(i)
	}
	close(done)
	wg.Wait()
	if st := f.db.CacheStats(); st.Hits == 0 {
		t.Logf("no cache hits in this run: %+v", st)
	}
}

// In a request scope the lookups after the first use its check; a write in
// the scope makes the next lookup check again and see the write, and a new
// scope sees another connection's write.
func TestReadCache_RequestScope(t *testing.T) {
	f := newCacheFixture(t)
	f.warm(t)
	ctx := sqlstore.WithRequestScope(context.Background())
	before := f.db.CacheStats()
	if _, err := f.tenants.Authenticate(ctx, "cache-store", f.token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.customers.FindCustomerByID(ctx, f.store, f.id); err != nil {
		t.Fatal(err)
	}
	after := f.db.CacheStats()
	if after.Checks != before.Checks+1 || after.Hits != before.Hits+2 {
		t.Fatalf("CacheStats=%+v after two lookups in one scope, was %+v: want one check, two hits", after, before)
	}

	company := "Scoped Co"
	if _, err := f.customers.UpdateCustomer(ctx, f.store, f.id, &customersd.CustomerInput{Company: &company}); err != nil {
		t.Fatal(err)
	}
	c, err := f.customers.FindCustomerByID(ctx, f.store, f.id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Company != company {
		t.Fatalf("Company=%q read in the scope that wrote it, want %q", c.Company, company)
	}

	other := sqlstore.NewCustomerService(mustOpen(t, f.path), password.Hasher{Cost: bcrypt.MinCost})
	company = "Other Co"
	if _, err := other.UpdateCustomer(context.Background(), f.store, f.id, &customersd.CustomerInput{Company: &company}); err != nil {
		t.Fatal(err)
	}
	c, err = f.customers.FindCustomerByID(sqlstore.WithRequestScope(context.Background()), f.store, f.id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Company != company {
		t.Fatalf("Company=%q in a new scope after another connection's update, want %q", c.Company, company)
	}
}
