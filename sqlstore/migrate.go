package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed migrations
var migrationFS embed.FS

// migrationNames lists a dialect's migration files in order.
func migrationNames(dialect string) ([]string, error) {
	names, err := fs.Glob(migrationFS, path.Join("migrations", dialect, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = path.Base(n)
	}
	return names, nil
}

// migrate applies every migration not yet recorded, each in its own
// transaction, in name order. Released files are never edited: a change is
// a new file in both dialects.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlstore: create schema_migrations: %w", err)
	}
	names, err := migrationNames(db.dialect.name)
	if err != nil {
		return fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	for _, name := range names {
		if err := db.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, name string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		if db.dialect.lockMigrations != "" {
			if _, err := tx.exec(ctx, db.dialect.lockMigrations); err != nil {
				return fmt.Errorf("sqlstore: lock migrations: %w", err)
			}
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("sqlstore: check migration %s: %w", name, err)
		}
		if n > 0 {
			return nil
		}
		body, err := migrationFS.ReadFile(path.Join("migrations", db.dialect.name, name))
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, string(body)); err != nil {
			return fmt.Errorf("sqlstore: apply migration %s: %w", name, err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
			name, tx.now.Format("2006-01-02T15:04:05Z")); err != nil {
			return fmt.Errorf("sqlstore: record migration %s: %w", name, err)
		}
		return nil
	})
}
