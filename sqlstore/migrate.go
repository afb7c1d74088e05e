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
	// Under the migration lock: two PostgreSQL sessions running CREATE
	// TABLE IF NOT EXISTS at once can both find the table missing, and the
	// second then fails on a catalog index (23505). Nodes start together.
	err := db.withTx(ctx, func(tx *Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlstore: create schema_migrations: %w", err)
	}
	names, err := migrationNames(db.dialect.name)
	if err != nil {
		return fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	for _, name := range names {
		if name > db.migrateUpTo && db.migrateUpTo != "" {
			break
		}
		if err := db.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// migrationHooks run Go code in a migration's transaction, right after its
// SQL, for what SQL cannot do alike on both databases. Like the files, an
// entry is never edited once released.
var migrationHooks = map[string]func(ctx context.Context, tx *Tx) error{
	"0003_client_secrets.sql": backfillCredentials,
}

func (db *DB) applyMigration(ctx context.Context, name string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
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
		if hook := migrationHooks[name]; hook != nil {
			if err := hook(ctx, tx); err != nil {
				return fmt.Errorf("sqlstore: apply migration %s: %w", name, err)
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
			name, tx.now.Format("2006-01-02T15:04:05Z")); err != nil {
			return fmt.Errorf("sqlstore: record migration %s: %w", name, err)
		}
		return nil
	})
}

// lockMigrations makes processes that start at once migrate one after the
// other: the lock is held until tx ends. SQLite needs none, as its
// write transactions take the database lock when they begin.
func (db *DB) lockMigrations(ctx context.Context, tx *Tx) error {
	if db.dialect.lockMigrations == "" {
		return nil
	}
	// A migration may build an index over millions of rows, and the lock
	// waits for another node's: neither is bound by the statement timeout.
	if _, err := tx.exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return fmt.Errorf("sqlstore: lift statement timeout for migrations: %w", err)
	}
	if _, err := tx.exec(ctx, db.dialect.lockMigrations); err != nil {
		return fmt.Errorf("sqlstore: lock migrations: %w", err)
	}
	return nil
}
