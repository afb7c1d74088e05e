package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/password"
)

// openHealthDB opens a SQLite database in a temporary directory with one
// store, logging to the returned buffer.
func openHealthDB(tb testing.TB) (*DB, string, customersd.StoreID, *logbuf.Buffer) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "customersd.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	var logs logbuf.Buffer
	db.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	st := &customersd.Store{Hash: "health"}
	if err := NewTenantService(db).CreateStore(context.Background(), st); err != nil {
		tb.Fatal(err)
	}
	return db, path, st.ID, &logs
}

func createTestCustomer(ctx context.Context, s *CustomerService, store customersd.StoreID, i int) error {
	first, last, email := "Jane", "Doe", fmt.Sprintf("jane%d@example.com", i)
	_, err := s.CreateCustomer(ctx, store, &customersd.CustomerInput{FirstName: &first, LastName: &last, Email: &email})
	return err
}

// removeDatabase does what `rm customersd.db*` does under a running node.
func removeDatabase(tb testing.TB, path string) {
	tb.Helper()
	matches, err := filepath.Glob(path + "*")
	if err != nil || len(matches) == 0 {
		tb.Fatalf("no database files at %s: %v", path, err)
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestDB_FileDeleted: once the database file is deleted, no write is
// acknowledged (each one would be lost at restart), readiness fails, and
// the node says so, once, at ERROR. With group commit and without.
func TestDB_FileDeleted(t *testing.T) {
	t.Parallel()
	for _, groupCommit := range []bool{true, false} {
		t.Run(fmt.Sprintf("groupCommit=%v", groupCommit), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, path, store, logs := openHealthDB(t)
			db.SetGroupCommit(groupCommit)
			customers := NewCustomerService(db, password.Hasher{Cost: 4})
			if err := createTestCustomer(ctx, customers, store, 0); err != nil {
				t.Fatal(err)
			}
			removeDatabase(t, path)

			// Concurrent writers, as a loaded node has: at most the batch
			// in flight when the file went could be acknowledged, and
			// this test removes it before any is in flight.
			var wg sync.WaitGroup
			var mu sync.Mutex
			acked := 0
			for w := range 8 {
				wg.Go(func() {
					for i := range 10 {
						err := createTestCustomer(ctx, customers, store, 1000*(w+1)+i)
						if err == nil {
							mu.Lock()
							acked++
							mu.Unlock()
						} else if !errors.Is(err, customersd.ErrUnavailable) {
							t.Errorf("write after delete: %v, want an error wrapping ErrUnavailable", err)
						}
					}
				})
			}
			wg.Wait()
			if acked != 0 {
				t.Errorf("%d writes acknowledged after the file was deleted, want 0", acked)
			}
			if err := db.Ping(ctx); !errors.Is(err, customersd.ErrUnavailable) {
				t.Errorf("Ping after delete = %v, want an error wrapping ErrUnavailable", err)
			}
			// A reader already open still reads the deleted file; a new
			// one finds none and must not create an empty database.
			if _, err := customers.FindCustomerByID(ctx, store, 1); err != nil && !errors.Is(err, customersd.ErrUnavailable) {
				t.Errorf("read after delete: %v, want success or an error wrapping ErrUnavailable", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a database file is back at %s after the delete (%v): a reader created it", path, err)
			}
			if got := strings.Count(logs.String(), "level=ERROR"); got != 1 {
				t.Errorf("%d ERROR lines, want 1:\n%s", got, logs.String())
			}
			if !strings.Contains(logs.String(), "restart") || !strings.Contains(logs.String(), path) {
				t.Errorf("the ERROR line does not say which file and what to do:\n%s", logs.String())
			}
		})
	}
}

// TestDB_FileReplaced: a file copied over the open one (a restore while
// running) is another file: writes into the old one would be lost.
func TestDB_FileReplaced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, path, store, _ := openHealthDB(t)
	customers := NewCustomerService(db, password.Hasher{Cost: 4})
	if err := createTestCustomer(ctx, customers, store, 0); err != nil {
		t.Fatal(err)
	}
	other := path + ".restored"
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if err := createTestCustomer(ctx, customers, store, 1); !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("write after replace: %v, want an error wrapping ErrUnavailable", err)
	}
	if err := db.Ping(ctx); !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("Ping after replace = %v, want an error wrapping ErrUnavailable", err)
	}
}

// TestDB_WALDeleted: committed pages not yet checkpointed live only in the
// WAL; a deleted WAL loses them as surely as a deleted database.
func TestDB_WALDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, path, store, _ := openHealthDB(t)
	customers := NewCustomerService(db, password.Hasher{Cost: 4})
	if err := createTestCustomer(ctx, customers, store, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	if err := createTestCustomer(ctx, customers, store, 1); !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("write after the WAL was deleted: %v, want an error wrapping ErrUnavailable", err)
	}
}

// TestDB_PingDuringLongWrite: readiness does not queue behind the writer,
// so a long write transaction does not make the node look down.
func TestDB_PingDuringLongWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, _, _ := openHealthDB(t)
	db.SetGroupCommit(false) // BeginTx holds the one writer connection
	tx, err := db.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.exec(ctx, `UPDATE stores SET plan = plan`); err != nil {
		t.Fatal(err)
	}
	// The deadline of a readiness probe: the writer is held beyond it.
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		t.Fatalf("Ping while a write transaction is open: %v", err)
	}
}

// TestDB_PingAfterWriteFailures: when writes fail for want of the database
// (here the writer is made read-only, as a read-only remount would), the
// node is not ready; once writes work again, it is.
func TestDB_PingAfterWriteFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, store, logs := openHealthDB(t)
	customers := NewCustomerService(db, password.Hasher{Cost: 4})
	setQueryOnly := func(on bool) {
		t.Helper()
		// The writer is one connection, idle between writes.
		if _, err := db.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA query_only = %v`, on)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping before: %v", err)
	}
	setQueryOnly(true)
	err := createTestCustomer(ctx, customers, store, 1)
	if !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("write on a read-only database: %v, want an error wrapping ErrUnavailable", err)
	}
	if err := db.Ping(ctx); !errors.Is(err, customersd.ErrUnavailable) {
		t.Fatalf("Ping after failed writes = %v, want an error wrapping ErrUnavailable", err)
	}
	setQueryOnly(false)
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping once writes work again: %v", err)
	}
	if !strings.Contains(logs.String(), "writes succeed again") {
		t.Errorf("no line saying writes recovered:\n%s", logs.String())
	}
	if err := createTestCustomer(ctx, customers, store, 2); err != nil {
		t.Fatalf("write after recovery: %v", err)
	}
}
