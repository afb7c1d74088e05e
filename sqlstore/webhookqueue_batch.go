package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"github.com/customersd/customersd"
)

// CompleteAttempts implements customersd.WebhookQueue. The attempts that
// leave a delivery delivered or pending go in one transaction, which locks
// deliveries alone, in ascending id (the lock order, db.go). A last failure
// deactivates its hook, a lock taken before the delivery's, so each of
// those goes through CompleteAttempt in a transaction of its own: they are
// rare (the end of a 48-hour schedule), and a batch that locked deliveries
// and then a hook would break the order.
func (q *WebhookQueue) CompleteAttempts(ctx context.Context, rs []customersd.DeliveryResult) error {
	var batch []customersd.DeliveryResult
	for _, r := range rs {
		if !r.Delivered && r.Attempt.NextAt.IsZero() {
			if err := q.CompleteAttempt(ctx, r.Delivery, r.Attempt, false); err != nil {
				return err
			}
			continue
		}
		batch = append(batch, r)
	}
	if len(batch) == 0 {
		return nil
	}
	slices.SortFunc(batch, func(a, b customersd.DeliveryResult) int { return cmp.Compare(a.Delivery.ID, b.Delivery.ID) })
	return q.db.withTx(ctx, func(tx *Tx) error {
		for _, r := range batch {
			state, next := stateDelivered, sql.NullInt64{}
			if !r.Delivered {
				state, next = statePending, sql.NullInt64{Int64: micros(r.Attempt.NextAt), Valid: true}
			}
			if err := recordAttempt(ctx, tx, r.Delivery, r.Attempt, state, next); err != nil {
				return err
			}
		}
		return nil
	})
}
