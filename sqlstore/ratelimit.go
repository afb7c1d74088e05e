package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/customersd/customersd"
)

// SetStoreRateLimit implements customersd.TenantService. Both columns are
// written together, so a store has either both (its own quota) or neither
// (its plan's).
func (s *TenantService) SetStoreRateLimit(ctx context.Context, store customersd.StoreID, q *customersd.Quota) error {
	if q != nil {
		if err := q.Validate(); err != nil {
			return err
		}
	}
	requests, windowMS := rateLimitArgs(q)
	return s.db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE stores SET rate_limit_requests = ?, rate_limit_window_ms = ? WHERE id = ?`,
			requests, windowMS, store)
		if err != nil {
			return fmt.Errorf("sqlstore: set rate limit of store %d: %w", store, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: set rate limit of store %d: %w", store, err)
		} else if n == 0 {
			return customersd.Errorf(customersd.ENOTFOUND, "Store %d not found.", store)
		}
		return nil
	})
}

// rateLimitArgs returns the column values of q: NULL and NULL for nil.
func rateLimitArgs(q *customersd.Quota) (requests, windowMS sql.NullInt64) {
	if q == nil {
		return requests, windowMS
	}
	return sql.NullInt64{Int64: int64(q.Requests), Valid: true},
		sql.NullInt64{Int64: q.Window.Milliseconds(), Valid: true}
}

// nullRateLimit scans stores.rate_limit_requests and rate_limit_window_ms.
type nullRateLimit struct {
	requests, windowMS sql.NullInt64
}

// value returns the store's own quota, or nil when it has none. A row with
// only one of the two columns set (edited by hand) counts as none: half a
// quota is not a quota.
func (n *nullRateLimit) value() *customersd.Quota {
	if !n.requests.Valid || !n.windowMS.Valid {
		return nil
	}
	return &customersd.Quota{Requests: int(n.requests.Int64), Window: time.Duration(n.windowMS.Int64) * time.Millisecond}
}
