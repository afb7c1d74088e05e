package sqlstore

import (
	"context"
	"database/sql"

	"github.com/customersd/customersd"
)

// SetDeleteChunk makes bulk deletes on db remove n customers per
// transaction and call after once each has committed, for tests.
func SetDeleteChunk(db *DB, n int, after func()) {
	db.deleteChunk, db.afterDeleteChunk = n, after
}

// OutboxOf returns the events of store in ID order, each with the hook IDs
// of its deliveries, for tests.
func OutboxOf(tb interface{ Fatalf(string, ...any) }, db *DB, store customersd.StoreID) []OutboxEntry {
	ctx := context.Background()
	evs, err := queryAll(ctx, db.reader(), func(rows *sql.Rows) (OutboxEntry, error) {
		var e OutboxEntry
		var payload string
		var created int64
		err := rows.Scan(&e.ID, &e.Scope, &e.Hash, &created, &payload)
		e.Store, e.Payload, e.CreatedAt = store, []byte(payload), unixTime(created)
		return e, err
	}, `SELECT id, scope, hash, created_at, payload FROM webhook_events WHERE store_id = ? ORDER BY id`, store)
	if err != nil {
		tb.Fatalf("read outbox: %v", err)
	}
	for i := range evs {
		evs[i].Hooks, err = queryAll(ctx, db.reader(), func(rows *sql.Rows) (int64, error) {
			var id int64
			return id, rows.Scan(&id)
		}, `SELECT hook_id FROM webhook_deliveries WHERE event_id = ? ORDER BY hook_id`, evs[i].ID)
		if err != nil {
			tb.Fatalf("read deliveries: %v", err)
		}
	}
	return evs
}

// OutboxEntry is an event with the hooks it is queued for.
type OutboxEntry struct {
	customersd.Event
	Hooks []int64
}
