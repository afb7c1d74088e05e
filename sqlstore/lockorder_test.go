package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// TestLockOrder_CreatesDuringResetAndImport runs V2 creates (each locking the
// counter and the default group) at the same time as whole-store resets and
// imports (locking the counters, then the groups) on PostgreSQL. Taken in
// opposite orders, those locks deadlocked and PostgreSQL aborted a reset,
// an import or a create with 40P01; in one order, every call succeeds.
func TestLockOrder_CreatesDuringResetAndImport(t *testing.T) {
	db := sqlstoretest.Open(t, "postgres") // skips without CUSTOMERSD_TEST_POSTGRES_URL
	f := newExportFixture(db)
	ctx := context.Background()
	doc := sqlstoretest.FixtureDocument("lockorder", 20) // its group 1 is the default
	store := f.mustNewStoreWith(t, "lockorder", doc)

	// Creates run until the last reset and import are done.
	const workers, rounds = 8, 6
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	record := func(what string, err error) {
		if err != nil {
			mu.Lock()
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
			mu.Unlock()
		}
	}
	done := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				email := fmt.Sprintf("new%d.%d@example.com", w, i)
				_, err := f.customers.CreateCustomer(ctx, store, newInput(email))
				record("create "+email, err)
			}
		})
	}
	wg.Go(func() {
		defer close(done)
		for i := range rounds {
			record(fmt.Sprintf("reset %d", i), f.tenants.ResetStore(ctx, store))
			record(fmt.Sprintf("import %d", i), f.exporter.Import(ctx, store, doc))
		}
	})
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
}
