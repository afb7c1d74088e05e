package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestStmtCache_ConcurrentWrites: with one commit per write, writers
// queue for the single writer connection while the cache prepares what
// they missed; none may wait for another forever (a hang fails the test
// by its timeout), and every write lands.
func TestStmtCache_ConcurrentWrites(t *testing.T) {
	for _, group := range []bool{false, true} {
		t.Run(fmt.Sprintf("groupCommit=%v", group), func(t *testing.T) {
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(t.TempDir(), "stmt.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetGroupCommit(group)
			if _, err := db.write.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)`); err != nil {
				t.Fatal(err)
			}
			const n = 300
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					err := db.withTx(ctx, func(tx *Tx) error {
						// A query per write, read back inside the
						// transaction: both go through the cache.
						if _, err := tx.exec(ctx, `INSERT INTO t (k, n) VALUES (?, ?)`, fmt.Sprint(i), i); err != nil {
							return err
						}
						var got int
						return tx.queryRow(ctx, `SELECT n FROM t WHERE k = ?`, fmt.Sprint(i)).Scan(&got)
					})
					if err != nil {
						t.Errorf("write %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			var count int
			if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM t`).Scan(&count); err != nil || count != n {
				t.Errorf("count = %d, %v; want %d", count, err, n)
			}
			if len(db.writeStmts.m) == 0 || len(db.readStmts.m) == 0 {
				t.Errorf("nothing cached: %d write, %d read statements", len(db.writeStmts.m), len(db.readStmts.m))
			}
		})
	}
}
