package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestCommitter: writes that fail or panic inside a batch roll back alone;
// the others commit and are all visible once acknowledged.
func TestCommitter(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "batch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	const n = 200
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = db.withTx(ctx, func(tx *Tx) error {
				if _, err := tx.exec(ctx, `INSERT INTO t (k) VALUES (?)`, fmt.Sprint(i)); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errBoom // after a write: the write must vanish
				case 2:
					panic("write panicked")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	var committed int
	for i, err := range results {
		switch i % 4 {
		case 0, 3:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			committed++
		case 1:
			if !errors.Is(err, errBoom) {
				t.Errorf("write %d: err=%v, want boom", i, err)
			}
		case 2:
			if err == nil {
				t.Errorf("write %d: a panic was not reported", i)
			}
		}
	}
	var got int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != committed {
		t.Errorf("%d rows committed, want %d", got, committed)
	}
	// Closing waits for queued writes; later writes are refused.
	db.committer.close()
	if err := db.committer.submit(ctx, func(*Tx) error { return nil }); !errors.Is(err, errCommitterClosed) {
		t.Errorf("submit after close: %v", err)
	}
}

// TestCommitter_Alone: a write alone in its batch runs without a savepoint,
// and still rolls back whole when it fails or panics after writing.
func TestCommitter_Alone(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "alone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(k string, after func() error) error {
		return db.withTx(ctx, func(tx *Tx) error {
			if _, err := tx.exec(ctx, `INSERT INTO t (k) VALUES (?)`, k); err != nil {
				return err
			}
			return after()
		})
	}
	errBoom := errors.New("boom")
	if err := insert("failed", func() error { return errBoom }); !errors.Is(err, errBoom) {
		t.Fatalf("failing write: %v, want boom", err)
	}
	if err := insert("panicked", func() error { panic("write panicked") }); err == nil {
		t.Fatal("panicking write: no error")
	}
	if err := insert("kept", func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := insert("kept", func() error { return nil }); !isUniqueViolation(err) {
		t.Fatalf("second insert of a key: %v, want a unique violation", err)
	}
	var keys []string
	rows, err := db.read.Query(`SELECT k FROM t ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	if fmt.Sprint(keys) != "[kept]" {
		t.Errorf("rows %v, want [kept]: the failed writes must leave nothing", keys)
	}
}
