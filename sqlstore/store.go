package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/customersd/customersd"
)

// DeleteStore implements customersd.TenantService.
func (s *TenantService) DeleteStore(ctx context.Context, store customersd.StoreID) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		if err := lockStore(ctx, tx, store); err != nil {
			return err
		}
		// The counters now, not last when the store's delete cascades to
		// them: the lock order (db.go).
		if err := lockCounters(ctx, tx, store); err != nil {
			return err
		}
		// The foreign keys would cascade from stores, but deleting the data
		// first, children before parents, does not depend on how each
		// database orders cascades (customers -> customer_groups has no
		// cascade) and is one indexed range delete per table.
		if err := clearStore(ctx, tx, store); err != nil {
			return err
		}
		if err := clearWebhooks(ctx, tx, store, true); err != nil {
			return err
		}
		if err := dropIDSequences(ctx, tx, store); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM stores WHERE id = ?`, store); err != nil {
			return fmt.Errorf("sqlstore: delete store %d: %w", store, err)
		}
		s.db.storeHashes.Delete(store)
		return nil
	})
}

// ResetStore implements customersd.TenantService. It emits no events and
// drops the store's webhook events and deliveries, keeping its hooks
// (outbox.go).
func (s *TenantService) ResetStore(ctx context.Context, store customersd.StoreID) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		if err := lockStore(ctx, tx, store); err != nil {
			return err
		}
		// Zeroed before the delete, and not deleted: see lockCounters.
		// The hooks stay (outbox.go), so their counter does too.
		for _, resource := range []string{resourceGroup, resourceCustomer, resourceAddress} {
			if err := setLastID(ctx, tx, store, resource, 0); err != nil {
				return err
			}
		}
		if err := clearStore(ctx, tx, store); err != nil {
			return err
		}
		return clearWebhooks(ctx, tx, store, false)
	})
}

// CountStore implements customersd.TenantService. It reads the counts the
// triggers of migration 0002 keep, one row per resource, not a scan.
func (s *TenantService) CountStore(ctx context.Context, store customersd.StoreID) (*customersd.StoreCounts, error) {
	var n customersd.StoreCounts
	var exists int
	err := s.db.reader().queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM stores WHERE id = ?),
		(SELECT `+sumRowCounts+`),
		(SELECT `+sumRowCounts+`),
		(SELECT `+sumRowCounts+`)`,
		store, store, resourceCustomer, store, resourceAddress, store, resourceGroup).
		Scan(&exists, &n.Customers, &n.Addresses, &n.Groups)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: count data of store %d: %w", store, err)
	}
	if exists == 0 {
		return nil, customersd.Errorf(customersd.ENOTFOUND, "Store %d not found.", store)
	}
	return &n, nil
}

// lockStore takes the store's row lock for the rest of the transaction, so
// whole-store operations (reset, import, delete) on one store run one after
// the other, also across processes sharing a PostgreSQL database. FOR
// UPDATE, not a no-op UPDATE (which takes FOR NO KEY UPDATE): only FOR
// UPDATE conflicts with the KEY SHARE lock every insert of the store's rows
// holds on it, so the operation also waits for the creates in flight and
// holds back new ones (ids.go). SQLite needs no lock: it has one writer.
// Returns ENOTFOUND.
func lockStore(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	return lockStoreRow(ctx, tx, store, tx.dialect.forUpdate)
}

// lockStoreRow reads the store's row with the locking clause lock ("" for
// none). Returns ENOTFOUND.
func lockStoreRow(ctx context.Context, tx *Tx, store customersd.StoreID, lock string) error {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM stores WHERE id = ?`+lock, store).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return customersd.Errorf(customersd.ENOTFOUND, "Store %d not found.", store)
	} else if err != nil {
		return fmt.Errorf("sqlstore: lock store %d: %w", store, err)
	}
	return nil
}

// lockCounters takes the locks of the store's ID counters, which every V2
// insert takes too (nextID). A whole-store operation thus waits for the
// inserts in flight and holds back new ones until it commits, so on
// PostgreSQL no customer created meanwhile survives a reset or collides
// with an imported ID.
func lockCounters(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	if _, err := tx.exec(ctx, `UPDATE id_counters SET last_id = last_id WHERE store_id = ?`, store); err != nil {
		return fmt.Errorf("sqlstore: lock id counters of store %d: %w", store, err)
	}
	return nil
}

// clearStore deletes a store's customers, their addresses and its groups,
// taking the locks in the lock order (db.go): the groups first, then each
// customer and, through the foreign key's cascade, its addresses. Deleting
// the addresses first would lock them before their customers, against a
// concurrent DeleteCustomer that holds a customer and waits for its
// addresses. The cascade costs no more: deleting a customer looks for its
// addresses either way.
func clearStore(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	if tx.dialect.forUpdate != "" {
		if _, err := tx.exec(ctx, `SELECT COUNT(*) FROM (SELECT id FROM customer_groups WHERE store_id = ?
			ORDER BY id`+tx.dialect.forUpdate+`) AS locked`, store); err != nil {
			return fmt.Errorf("sqlstore: lock groups of store %d: %w", store, err)
		}
	}
	for _, table := range []string{"customers", "customer_groups"} {
		if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE store_id = ?`, store); err != nil {
			return fmt.Errorf("sqlstore: clear %s of store %d: %w", table, store, err)
		}
	}
	return nil
}

// clearWebhooks deletes a store's webhook events and deliveries (their
// attempts by cascade) and, with hooks, its hooks and hook emails: hooks
// first, the lock order (db.go).
func clearWebhooks(ctx context.Context, tx *Tx, store customersd.StoreID, hooks bool) error {
	tables := []string{"webhook_deliveries", "webhook_events"}
	if hooks {
		tables = append([]string{"hooks", "hook_emails"}, tables...)
	}
	for _, table := range tables {
		if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE store_id = ?`, store); err != nil {
			return fmt.Errorf("sqlstore: clear %s of store %d: %w", table, store, err)
		}
	}
	return nil
}
