package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// WebhookQueue implements customersd.WebhookQueue on the outbox tables.
type WebhookQueue struct {
	db *DB
}

var _ customersd.WebhookQueue = (*WebhookQueue)(nil)

// NewWebhookQueue returns the webhook delivery queue of db.
func NewWebhookQueue(db *DB) *WebhookQueue { return &WebhookQueue{db: db} }

// The states of a delivery, as stored.
const (
	statePending   = string(customersd.DeliveryPending)
	stateDelivered = string(customersd.DeliveryDelivered)
	stateFailed    = string(customersd.DeliveryFailed)
)

// claimable is the condition of a delivery a worker may take: pending, due
// (next_at is also the end of a lease, so an expired lease is due again),
// and of an active hook whose account still exists.
const claimable = `d.delivery_state = 'pending' AND d.next_at <= ? AND EXISTS (SELECT 1 FROM hooks h
	JOIN api_accounts a ON a.store_id = h.store_id AND a.client_id = h.client_id
	WHERE h.store_id = d.store_id AND h.id = d.hook_id AND h.is_active)`

// ClaimDeliveries implements customersd.WebhookQueue. On PostgreSQL the
// claiming UPDATE picks its rows with FOR UPDATE SKIP LOCKED: workers of
// every node claim at once, each skipping the rows another is claiming, and
// a row another claimed meanwhile is re-checked and dropped (its next_at is
// now the lease's end), so no delivery is leased twice. SQLite runs one
// write transaction at a time, so its UPDATE ... RETURNING is enough.
func (q *WebhookQueue) ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*customersd.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	until := micros(now.Add(lease))
	var out []*customersd.Delivery
	err := q.db.withTx(ctx, func(tx *Tx) error {
		ids, err := queryAll(ctx, tx, scanID, `UPDATE webhook_deliveries SET next_at = ?, lease_until = ?
			WHERE id IN (SELECT d.id FROM webhook_deliveries d WHERE `+claimable+`
				ORDER BY d.next_at, d.id LIMIT `+fmt.Sprint(limit)+tx.dialect.skipLocked+`)
			RETURNING id`, until, until, micros(now))
		if err != nil {
			return fmt.Errorf("sqlstore: claim deliveries: %w", err)
		}
		if len(ids) == 0 {
			out = nil
			return nil
		}
		out, err = loadDeliveries(ctx, tx, ids)
		return err
	})
	return out, err
}

func scanID(rows *sql.Rows) (int64, error) {
	var id int64
	return id, rows.Scan(&id)
}

// inList returns "(?, ?, ...)" for n values and the values as arguments.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(?" + strings.Repeat(", ?", len(ids)-1) + ")", args
}

// deliveryColumns are a delivery's, its event's and its hook's columns.
const deliveryColumns = `d.id, d.delivery_state, d.attempts, d.next_at,
	e.id, e.store_id, e.scope, e.hash, e.created_at, e.payload,
	h.store_id, h.id, h.client_id, h.scope, h.destination, h.is_active, h.headers, h.created_at, h.updated_at`

const deliveryJoins = ` FROM webhook_deliveries d
	JOIN webhook_events e ON e.id = d.event_id
	JOIN hooks h ON h.store_id = d.store_id AND h.id = d.hook_id`

func scanDelivery(rows *sql.Rows, extra ...any) (*customersd.Delivery, error) {
	d := &customersd.Delivery{Event: &customersd.Event{}, Hook: &customersd.Hook{}}
	var state, payload string
	var nextAt, eventAt, hookCreated, hookUpdated int64
	var headers sql.NullString
	h := d.Hook
	err := rows.Scan(append([]any{&d.ID, &state, &d.Attempts, &nextAt,
		&d.Event.ID, &d.Event.Store, &d.Event.Scope, &d.Event.Hash, &eventAt, &payload,
		&h.Store, &h.ID, &h.ClientID, &h.Scope, &h.Destination, &h.IsActive, &headers, &hookCreated, &hookUpdated}, extra...)...)
	if err != nil {
		return nil, err
	}
	d.State, d.NextAt = customersd.DeliveryState(state), fromMicros(nextAt)
	d.Event.Payload, d.Event.CreatedAt = []byte(payload), unixTime(eventAt)
	h.CreatedAt, h.UpdatedAt = unixTime(hookCreated), unixTime(hookUpdated)
	if headers.Valid {
		if h.Headers, err = parseHookHeaders(headers.String); err != nil {
			return nil, fmt.Errorf("headers of hook %d: %w", h.ID, err)
		}
	}
	return d, nil
}

// loadDeliveries reads the claimed deliveries ids, with the client secret
// of each hook's account, which signs the request.
func loadDeliveries(ctx context.Context, tx *Tx, ids []int64) ([]*customersd.Delivery, error) {
	in, args := inList(ids)
	ds, err := queryAll(ctx, tx, func(rows *sql.Rows) (*customersd.Delivery, error) {
		var secret string
		d, err := scanDelivery(rows, &secret)
		if d != nil {
			d.Secret = secret
		}
		return d, err
	}, `SELECT `+deliveryColumns+`, a.client_secret`+deliveryJoins+`
		JOIN api_accounts a ON a.store_id = h.store_id AND a.client_id = h.client_id
		WHERE d.id IN `+in+` ORDER BY d.next_at, d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read claimed deliveries: %w", err)
	}
	return ds, nil
}

// CompleteAttempt implements customersd.WebhookQueue. A delivery finished
// meanwhile (its lease ran out and another worker delivered it) or deleted
// with its hook records nothing. A failure deactivates the hook before the
// delivery is touched: the lock order (db.go).
func (q *WebhookQueue) CompleteAttempt(ctx context.Context, d *customersd.Delivery, a *customersd.DeliveryAttempt, delivered bool) error {
	state, next := statePending, sql.NullInt64{}
	switch {
	case delivered:
		state = stateDelivered
	case !a.NextAt.IsZero():
		next = sql.NullInt64{Int64: micros(a.NextAt), Valid: true}
	default:
		state = stateFailed
	}
	return q.db.withTx(ctx, func(tx *Tx) error {
		if state == stateFailed {
			// Only while the delivery is pending: a report that comes after
			// another worker finished it (an expired lease) changes nothing.
			if _, err := tx.exec(ctx, `UPDATE hooks SET is_active = ?, updated_at = ? WHERE store_id = ? AND id = ?
				AND EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = ? AND delivery_state = 'pending')`,
				false, tx.now.Unix(), d.Hook.Store, d.Hook.ID, d.ID); err != nil {
				return fmt.Errorf("sqlstore: deactivate hook %d of store %d: %w", d.Hook.ID, d.Hook.Store, err)
			}
		}
		return recordAttempt(ctx, tx, d, a, state, next)
	})
}

// recordAttempt ends d's lease in state, due again at next when that is
// set, and logs a; a delivery no longer pending records nothing.
func recordAttempt(ctx context.Context, tx *Tx, d *customersd.Delivery, a *customersd.DeliveryAttempt, state string, next sql.NullInt64) error {
	var done sql.NullInt64
	nextAt := micros(a.At)
	if next.Valid {
		nextAt = next.Int64
	} else {
		done = sql.NullInt64{Int64: micros(a.At), Valid: true}
	}
	res, err := tx.exec(ctx, `UPDATE webhook_deliveries SET delivery_state = ?, attempts = ?, next_at = ?, lease_until = NULL, done_at = ?
			WHERE id = ? AND delivery_state = 'pending'`, state, a.Number, nextAt, done, d.ID)
	if err != nil {
		return fmt.Errorf("sqlstore: complete delivery %d: %w", d.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: complete delivery %d: %w", d.ID, err)
	} else if n == 0 {
		return nil
	}
	// A second worker's attempt of the same number (an expired lease)
	// keeps the first's row.
	_, err = tx.exec(ctx, `INSERT INTO webhook_attempts (delivery_id, number, at, status_code, error, duration_us, next_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, number) DO NOTHING`,
		d.ID, a.Number, micros(a.At), a.StatusCode, a.Error, a.Duration.Microseconds(), next)
	if err != nil {
		return fmt.Errorf("sqlstore: record attempt %d of delivery %d: %w", a.Number, d.ID, err)
	}
	return nil
}

// NextDue implements customersd.WebhookQueue.
func (q *WebhookQueue) NextDue(ctx context.Context) (time.Time, bool, error) {
	var due sql.NullInt64
	err := q.db.reader().queryRow(ctx, `SELECT MIN(d.next_at) FROM webhook_deliveries d WHERE `+
		strings.Replace(claimable, "d.next_at <= ? AND ", "", 1)).Scan(&due)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlstore: next due delivery: %w", err)
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return fromMicros(due.Int64), true, nil
}

// DeliverNow implements customersd.WebhookQueue. A delivery a worker holds
// is left to it; the rest are due at once, and the workers are woken.
func (q *WebhookQueue) DeliverNow(ctx context.Context, store customersd.StoreID, id int64) (int64, error) {
	var n int64
	err := q.db.withTx(ctx, func(tx *Tx) error {
		now := micros(q.db.Now())
		w := whereBuilder{}
		w.add("store_id = ?", store)
		w.add("delivery_state = 'pending'")
		w.add("(lease_until IS NULL OR lease_until <= ?)", now)
		w.addIf(id != 0, "id = ?", id)
		// One due already keeps its place in the queue.
		res, err := tx.exec(ctx, `UPDATE webhook_deliveries SET next_at = CASE WHEN next_at > ? THEN ? ELSE next_at END WHERE `+w.String(),
			append([]any{now, now}, w.args...)...)
		if err != nil {
			return fmt.Errorf("sqlstore: deliver now in store %d: %w", store, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: deliver now in store %d: %w", store, err)
		}
		tx.deliveries = n > 0
		return nil
	})
	return n, err
}

// FindDeliveries implements customersd.WebhookQueue: newest first, each
// with its attempts in order; Limit 0 reads them all. Secrets are not read.
func (q *WebhookQueue) FindDeliveries(ctx context.Context, store customersd.StoreID, f customersd.DeliveryFilter) ([]*customersd.DeliveryRecord, error) {
	tx := q.db.storeReader(store)
	w := whereBuilder{}
	w.add("d.store_id = ?", store)
	w.addIf(f.HookID != 0, "d.hook_id = ?", f.HookID)
	w.addIf(f.Scope != "", "e.scope = ?", f.Scope)
	w.addIf(f.State != "", "d.delivery_state = ?", string(f.State))
	query := `SELECT ` + deliveryColumns + deliveryJoins + ` WHERE ` + w.String() + ` ORDER BY d.id DESC`
	if f.Limit > 0 {
		query += pageClause(customersd.Page{Limit: f.Limit})
	}
	var recs []*customersd.DeliveryRecord
	byID := map[int64]*customersd.DeliveryRecord{}
	err := eachRow(ctx, tx, func(rows *sql.Rows) error {
		d, err := scanDelivery(rows)
		if err != nil {
			return err
		}
		r := &customersd.DeliveryRecord{Delivery: *d}
		recs = append(recs, r)
		byID[d.ID] = r
		return nil
	}, query, w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find deliveries of store %d: %w", store, err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	// In slices, so no statement has more placeholders than a database takes.
	for len(ids) > 0 {
		part := ids[:min(len(ids), maxParams)]
		ids = ids[len(part):]
		in, args := inList(part)
		err := eachRow(ctx, tx, func(rows *sql.Rows) error {
			var a customersd.DeliveryAttempt
			var at, dur int64
			var next sql.NullInt64
			if err := rows.Scan(&a.DeliveryID, &a.Number, &at, &a.StatusCode, &a.Error, &dur, &next); err != nil {
				return err
			}
			a.At, a.Duration = fromMicros(at), time.Duration(dur)*time.Microsecond
			if next.Valid {
				a.NextAt = fromMicros(next.Int64)
			}
			r := byID[a.DeliveryID]
			r.Log = append(r.Log, a)
			return nil
		}, `SELECT delivery_id, number, at, status_code, error, duration_us, next_at FROM webhook_attempts
			WHERE delivery_id IN `+in+` ORDER BY delivery_id, number`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find delivery attempts of store %d: %w", store, err)
		}
	}
	return recs, nil
}

// QueueStats implements customersd.WebhookQueue: the deliveries a worker
// would claim, due or not.
func (q *WebhookQueue) QueueStats(ctx context.Context) (int64, time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	err := q.db.reader().queryRow(ctx, `SELECT COUNT(*), MIN(e.created_at) FROM webhook_deliveries d
		JOIN webhook_events e ON e.id = d.event_id WHERE `+strings.Replace(claimable, "d.next_at <= ? AND ", "", 1)).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlstore: webhook queue stats: %w", err)
	}
	if !oldest.Valid {
		return n, time.Time{}, nil
	}
	return n, unixTime(oldest.Int64), nil
}

// PruneDeliveries implements customersd.WebhookQueue. Also deleted: pending
// deliveries whose hook is gone (a hook deleted while a write, on another
// PostgreSQL session, was queueing for it), and events older than before
// that no delivery needs.
func (q *WebhookQueue) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := q.db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE (delivery_state <> 'pending' AND done_at < ?)
			OR (next_at < ? AND NOT EXISTS (SELECT 1 FROM hooks h WHERE h.store_id = webhook_deliveries.store_id AND h.id = webhook_deliveries.hook_id))`,
			micros(before), micros(before))
		if err != nil {
			return fmt.Errorf("sqlstore: prune deliveries: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: prune deliveries: %w", err)
		}
		// One pass over the deliveries (an anti-join), not an index probe
		// per event: the index it would need would cost every write.
		if _, err := tx.exec(ctx, `DELETE FROM webhook_events WHERE created_at < ?
			AND id NOT IN (SELECT event_id FROM webhook_deliveries)`, before.Unix()); err != nil {
			return fmt.Errorf("sqlstore: prune webhook events: %w", err)
		}
		return nil
	})
	return n, err
}
