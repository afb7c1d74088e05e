package v2_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/journal"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
)

// BenchmarkGetCustomerTestControls measures GET /customers/{id} through the
// gateway with no fault engine, with an engine holding rules of the store
// that do not match the request (and rules of other stores), and with the
// request journal on, and with an access log written as `customersd serve`
// writes it (the others discard it unformatted). Compare the three side by side (benchstat); on a
// shared machine compare cpu-ns/op (the process's CPU time, GC included),
// which does not count the time spent waiting for a core.
func BenchmarkGetCustomerTestControls(b *testing.B) {
	db := sqlstoretest.Open(b, "sqlite")
	tenants := sqlstore.NewTenantService(db)
	st := &customersd.Store{Hash: "bench", RateLimit: &customersd.Quota{Requests: customersd.MaxRateLimitRequests, Window: time.Hour}}
	if err := tenants.CreateStore(context.Background(), st); err != nil {
		b.Fatal(err)
	}
	token := mustCreateToken(b, tenants, st.Hash, customersd.ScopeCustomers)
	customers := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
	if _, err := customers.CreateCustomer(context.Background(), st.ID, &customersd.CustomerInput{
		FirstName: new("Jane"), LastName: new("Doe"), Email: new("jane@example.com"),
	}); err != nil {
		b.Fatal(err)
	}
	api := &v2.Server{Customers: customers}
	run := func(b *testing.B, gw *gateway.Gateway) {
		gw.Tenants = tenants
		if gw.Logger == nil {
			gw.Logger = slog.New(slog.DiscardHandler)
		}
		h := gw.Mount(api.Surface())
		cpu := processCPU()
		defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
		for b.Loop() {
			req := httptest.NewRequest("GET", "/stores/bench/v2/customers/1", nil)
			req.Header.Set("X-Auth-Token", token)
			req.Header.Set("Accept", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("none", func(b *testing.B) { run(b, &gateway.Gateway{}) })
	b.Run("faults-not-matching", func(b *testing.B) {
		e := &fault.Engine{}
		for _, r := range []fault.Rule{
			{Method: "POST", Route: "/customers", Status: 429, RateHeaders: true},
			{Route: "/customer_groups", Status: 503, RateHeaders: true},
			{Method: "GET", Route: "/customers/{customer_id}", ClientID: "another-client", Status: 500, RateHeaders: true},
			{PathPrefix: "/stores/bench/v2/customer_groups", Drop: fault.DropReset, RateHeaders: true},
			{Method: "DELETE", Delay: time.Second, RateHeaders: true},
		} {
			e.Add(st.ID, r)
			e.Add(st.ID+1, r)
		}
		run(b, &gateway.Gateway{Faults: e})
	})
	b.Run("journal", func(b *testing.B) { run(b, &gateway.Gateway{Journal: journal.New(journal.Config{})}) })
	b.Run("logged", func(b *testing.B) { run(b, &gateway.Gateway{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}) })
}
