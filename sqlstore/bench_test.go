package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"golang.org/x/crypto/bcrypt"
)

// The customer benchmarks run on each database: SQLite always, PostgreSQL
// when CUSTOMERSD_TEST_POSTGRES_URL is set. Reproduce with
//
//	CUSTOMERSD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench BenchmarkCustomerService -benchmem ./sqlstore
//
// A create is one write transaction (the ID counter and the row); on SQLite
// it waits for an fsync of the log (synchronous=FULL), so the disk sets its pace.

// benchCustomers is the number of customers loaded before the read benchmarks.
const benchCustomers = 1000

// forEachDBBench runs fn as a sub-benchmark per database, with a service on
// a fresh database holding one store.
func forEachDBBench(b *testing.B, fn func(b *testing.B, s *sqlstore.CustomerService, store customersd.StoreID)) {
	for _, d := range sqlstoretest.Dialects {
		b.Run(d, func(b *testing.B) {
			db := sqlstoretest.Open(b, d)
			st := &customersd.Store{Hash: "bench"}
			if err := sqlstore.NewTenantService(db).CreateStore(context.Background(), st); err != nil {
				b.Fatal(err)
			}
			fn(b, sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost}), st.ID)
		})
	}
}

func benchInput(i int) *customersd.CustomerInput {
	first, last, email := "Jane", fmt.Sprintf("Doe%d", i%10), fmt.Sprintf("jane%d@example.com", i)
	company := "Acme"
	return &customersd.CustomerInput{FirstName: &first, LastName: &last, Email: &email, Company: &company}
}

// loadCustomers creates n customers; customer i has last name "Doe{i%10}".
func loadCustomers(b *testing.B, s *sqlstore.CustomerService, store customersd.StoreID, n int) {
	b.Helper()
	for i := range n {
		if _, err := s.CreateCustomer(context.Background(), store, benchInput(i)); err != nil {
			b.Fatalf("create customer %d: %v", i, err)
		}
	}
}

func BenchmarkCustomerService_CreateCustomer(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, s *sqlstore.CustomerService, store customersd.StoreID) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			if _, err := s.CreateCustomer(ctx, store, benchInput(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkCustomerService_FindCustomerByID(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, s *sqlstore.CustomerService, store customersd.StoreID) {
		loadCustomers(b, s, store, benchCustomers)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			id := int64(i%benchCustomers + 1)
			if _, err := s.FindCustomerByID(ctx, store, id); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkCustomerService_FindCustomers lists with a filter: a page of 50
// of the 100 customers with one last name (a scan of the store's rows), and
// one customer by email (the unique index).
func BenchmarkCustomerService_FindCustomers(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, s *sqlstore.CustomerService, store customersd.StoreID) {
		loadCustomers(b, s, store, benchCustomers)
		ctx := context.Background()
		b.Run("LastName", func(b *testing.B) {
			last := "Doe3"
			f := customersd.CustomerFilter{LastName: &last, Page: customersd.Page{Limit: 50}}
			for b.Loop() {
				cs, err := s.FindCustomers(ctx, store, f)
				if err != nil || len(cs) != 50 {
					b.Fatalf("got %d customers, %v; want 50", len(cs), err)
				}
			}
		})
		b.Run("Email", func(b *testing.B) {
			i := 0
			for b.Loop() {
				email := fmt.Sprintf("JANE%d@example.com", i%benchCustomers)
				cs, err := s.FindCustomers(ctx, store, customersd.CustomerFilter{Email: &email, Page: customersd.Page{Limit: 50}})
				if err != nil || len(cs) != 1 {
					b.Fatalf("got %d customers, %v; want 1", len(cs), err)
				}
				i++
			}
		})
	})
}

// BenchmarkTenantService_Authenticate is the lookup every V2 request makes
// before anything else: the token's hash, its account and its store.
func BenchmarkTenantService_Authenticate(b *testing.B) {
	for _, d := range sqlstoretest.Dialects {
		b.Run(d, func(b *testing.B) {
			db := sqlstoretest.Open(b, d)
			tenants := sqlstore.NewTenantService(db)
			ctx := context.Background()
			st := &customersd.Store{Hash: "bench"}
			if err := tenants.CreateStore(ctx, st); err != nil {
				b.Fatal(err)
			}
			const token = "bench-token-0123456789"
			if _, err := tenants.CreateAPIAccount(ctx, st.ID, token, []customersd.Scope{customersd.ScopeCustomers}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := tenants.Authenticate(ctx, st.Hash, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCustomerService_CountCustomers counts all customers (one row of
// row_counts) and those of one group (the group index).
func BenchmarkCustomerService_CountCustomers(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, s *sqlstore.CustomerService, store customersd.StoreID) {
		loadCustomers(b, s, store, benchCustomers)
		ctx := context.Background()
		b.Run("All", func(b *testing.B) {
			for b.Loop() {
				if n, err := s.CountCustomers(ctx, store, customersd.CustomerFilter{}); err != nil || n != benchCustomers {
					b.Fatalf("count = %d, %v", n, err)
				}
			}
		})
		b.Run("LastName", func(b *testing.B) {
			last := "Doe3"
			for b.Loop() {
				if _, err := s.CountCustomers(ctx, store, customersd.CustomerFilter{LastName: &last}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
