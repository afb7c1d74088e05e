package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
)

// TestStoreReaders_Share: a store runs at most half of the readers at once,
// so that another store always finds one; the store's further queries wait
// for one of its own slots, and give up at their deadline with an error
// wrapping ErrUnavailable.
func TestStoreReaders_Share(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, busy, _ := openHealthDB(t)
	db.SetMaxOpenConns(4)
	other := &customersd.Store{Hash: "other"}
	if err := NewTenantService(db).CreateStore(ctx, other); err != nil {
		t.Fatal(err)
	}
	customers := NewCustomerService(db, password.Hasher{Cost: 4})
	for i, st := range []customersd.StoreID{busy, other.ID} {
		if err := createTestCustomer(ctx, customers, st, i); err != nil {
			t.Fatal(err)
		}
	}
	// The busy store's queries in flight: two of the four readers.
	for range 2 {
		release, err := db.reads.perStore.acquire(ctx, busy)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
	}
	if _, err := customers.FindCustomerByID(ctx, other.ID, 1); err != nil {
		t.Fatalf("another store's read while one store holds its share: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := customers.FindCustomerByID(wctx, busy, 1)
	if !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("the busy store's third read = %v, want it to wait for its share and fail with ErrUnavailable", err)
	}
}

// TestStatementTimeout_SQLite: a read query of a request is bounded by the
// statement timeout, and one past it is an unavailability (503), not an
// internal error. Writes are not bounded: the committer runs them apart
// from any request.
func TestStatementTimeout_SQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := OpenWithOptions(ctx, filepath.Join(t.TempDir(), "t.db"), Options{StatementTimeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := &customersd.Store{Hash: "timeout"}
	if err := NewTenantService(db).CreateStore(ctx, st); err != nil {
		t.Fatal(err)
	}
	customers := NewCustomerService(db, password.Hasher{Cost: 4})
	if err := createTestCustomer(ctx, customers, st.ID, 1); err != nil {
		t.Fatalf("write: %v", err)
	}
	_, err = customers.FindCustomers(ctx, st.ID, customersd.CustomerFilter{Page: customersd.Page{Limit: 50}})
	if !errors.Is(err, customersd.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read past the statement timeout: %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if _, err := customers.CountCustomers(ctx, st.ID, customersd.CustomerFilter{}); !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("count past the statement timeout: %v, want ErrUnavailable", err)
	}
}

// TestStatementTimeout_Postgres: every connection of the pool has the
// server end statements past the timeout (57014), marked unavailable;
// migrations are not bounded by it.
func TestStatementTimeout_Postgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := internalDSN(t, "postgres")
	db, err := OpenWithOptions(ctx, dsn, Options{StatementTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var slept string
	err = db.storeReader(1).queryRow(ctx, `SELECT pg_sleep(1)::text`).Scan(&slept)
	if !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("a statement past the timeout: %v, want an error wrapping ErrUnavailable", err)
	}
	err = db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `SELECT pg_sleep(1)`)
		return err
	})
	if !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("a write statement past the timeout: %v, want an error wrapping ErrUnavailable", err)
	}
	// The lock every migration takes first lifts the timeout for its transaction.
	err = db.withTx(ctx, func(tx *Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `SELECT pg_sleep(0.3)`)
		return err
	})
	if err != nil {
		t.Fatalf("a migration's statement: %v", err)
	}
}
