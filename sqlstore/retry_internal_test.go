package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestWithTx_Retry: a transaction PostgreSQL aborted for a deadlock or a
// serialization failure runs again, a bounded number of times; any other
// error is returned at once. Run on SQLite, with and without group commit
// (the PostgreSQL path), by a fn that returns the driver's error itself.
func TestWithTx_Retry(t *testing.T) {
	for _, groupCommit := range []bool{true, false} {
		t.Run(map[bool]string{true: "GroupCommit", false: "OneTx"}[groupCommit], func(t *testing.T) {
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(t.TempDir(), "retry.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetGroupCommit(groupCommit)
			if _, err := db.write.Exec(`CREATE TABLE t (k INTEGER PRIMARY KEY)`); err != nil {
				t.Fatal(err)
			}

			t.Run("DeadlockOnce", func(t *testing.T) {
				runs := 0
				err := db.withTx(ctx, func(tx *Tx) error {
					runs++
					if _, err := tx.exec(ctx, `INSERT INTO t (k) VALUES (1)`); err != nil {
						return err
					}
					if runs == 1 {
						return &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
					}
					return nil
				})
				if err != nil {
					t.Fatalf("withTx: %v, want the second run's success", err)
				}
				if runs != 2 {
					t.Errorf("fn ran %d times, want 2", runs)
				}
				var n int
				if err := db.write.QueryRow(`SELECT COUNT(*) FROM t WHERE k = 1`).Scan(&n); err != nil || n != 1 {
					t.Errorf("rows with k=1: %d (%v), want 1: the first run rolled back, the second committed", n, err)
				}
			})
			t.Run("SerializationAlways", func(t *testing.T) {
				runs := 0
				err := db.withTx(ctx, func(tx *Tx) error {
					runs++
					return &pgconn.PgError{Code: "40001"}
				})
				if !isRetryable(err) {
					t.Errorf("withTx: %v, want the last 40001", err)
				}
				if runs != maxTxAttempts {
					t.Errorf("fn ran %d times, want %d", runs, maxTxAttempts)
				}
			})
			t.Run("OtherErrorOnce", func(t *testing.T) {
				runs := 0
				errOther := &pgconn.PgError{Code: "23505"}
				err := db.withTx(ctx, func(tx *Tx) error {
					runs++
					return errOther
				})
				if !errors.Is(err, errOther) || runs != 1 {
					t.Errorf("withTx: %v after %d runs, want 23505 after 1", err, runs)
				}
			})
		})
	}
}
