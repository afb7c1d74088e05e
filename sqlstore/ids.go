package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/customersd/customersd"
)

// IDs are handed out per store and resource, starting at 1, as BigCommerce
// does. Two mechanisms, one per database:
//
//   - SQLite, and the rare group and hook creates on PostgreSQL, bump a row
//     of id_counters. The upsert locks that row until the transaction ends,
//     so inserters wait for each other and IDs never repeat. On SQLite,
//     with one writer, that wait costs nothing.
//   - Customers and addresses on PostgreSQL come from a sequence of the
//     store's own (migration 0009, CreateStore). The counter row made every
//     create of a store wait for the one before it to commit, a WAL flush
//     each: about 500 creates/s however many clients. nextval locks
//     nothing for longer than the call, so creates of a store commit in
//     parallel and share their flushes. IDs may now have gaps (a rolled-back
//     create spends its ID), as BigCommerce's do, and may commit out of
//     order.
//
// Resetting a counter (reset, import, seed) uses ALTER SEQUENCE RESTART,
// which, unlike setval, is transactional: a reset that rolls back leaves the
// sequence as it was. A whole-store operation keeps creates out by locking
// the store's row FOR UPDATE (lockStore), which conflicts with the KEY SHARE
// lock a create takes on it before calling nextval (nextID): a create either
// commits before the reset starts, or waits for it and then draws from the
// restarted sequence.

// sequenced reports whether resource's IDs come from a per-store sequence.
func (d *dialect) sequenced(resource string) bool {
	return d.idSequences && (resource == resourceCustomer || resource == resourceAddress)
}

// idSequence names the sequence of a store's resource IDs. Built from an
// integer, so it never needs quoting.
func idSequence(store customersd.StoreID, resource string) string {
	return resource + "_ids_" + strconv.FormatInt(int64(store), 10)
}

// nextID hands out the next ID of a resource in a store.
func nextID(ctx context.Context, tx *Tx, store customersd.StoreID, resource string) (int64, error) {
	var id int64
	var err error
	if tx.dialect.sequenced(resource) {
		// The store's KEY SHARE lock first (which the row's foreign key
		// would take anyway, but only after nextval): see above. In a
		// subquery, because a locking clause at the top locks each row
		// after computing its columns, nextval included: a create would
		// then draw an ID before a reset restarts the sequence, and hold
		// the sequence while waiting for the reset's store lock, which
		// deadlocks with the reset's ALTER SEQUENCE.
		err = tx.queryRow(ctx, `SELECT nextval(CAST(? AS text)::regclass) FROM (SELECT id FROM stores WHERE id = ?`+tx.dialect.forKeyShare+`) AS held`,
			idSequence(store, resource), store).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, customersd.Errorf(customersd.ENOTFOUND, "Store %d not found.", store)
		}
	} else {
		err = tx.queryRow(ctx, `INSERT INTO id_counters (store_id, resource, last_id) VALUES (?, ?, 1)
			ON CONFLICT (store_id, resource) DO UPDATE SET last_id = id_counters.last_id + 1
			RETURNING last_id`, store, resource).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlstore: next %s id for store %d: %w", resource, store, err)
	}
	return id, nil
}

// setLastID makes last the store's last ID of resource, so that the next one
// handed out is last+1.
func setLastID(ctx context.Context, tx *Tx, store customersd.StoreID, resource string, last int64) error {
	_, err := tx.exec(ctx, `INSERT INTO id_counters (store_id, resource, last_id) VALUES (?, ?, ?)
		ON CONFLICT (store_id, resource) DO UPDATE SET last_id = excluded.last_id`, store, resource, last)
	if err == nil && tx.dialect.sequenced(resource) {
		_, err = tx.exec(ctx, `ALTER SEQUENCE `+idSequence(store, resource)+` RESTART WITH `+strconv.FormatInt(last+1, 10))
	}
	if err != nil {
		return fmt.Errorf("sqlstore: set %s counter of store %d: %w", resource, store, err)
	}
	return nil
}

// lastIDs returns the store's last ID of each resource that has handed one out.
func lastIDs(ctx context.Context, tx *Tx, store customersd.StoreID) (map[string]int64, error) {
	last := make(map[string]int64)
	err := eachRow(ctx, tx, func(rows *sql.Rows) error {
		var resource string
		var n int64
		if err := rows.Scan(&resource, &n); err != nil {
			return err
		}
		last[resource] = n
		return nil
	}, `SELECT resource, last_id FROM id_counters WHERE store_id = ?`, store)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read id counters of store %d: %w", store, err)
	}
	for _, resource := range []string{resourceCustomer, resourceAddress} {
		if !tx.dialect.sequenced(resource) {
			continue
		}
		var n int64
		var called bool
		if err := tx.queryRow(ctx, `SELECT last_value, is_called FROM `+idSequence(store, resource)).Scan(&n, &called); err != nil {
			return nil, fmt.Errorf("sqlstore: read %s sequence of store %d: %w", resource, store, err)
		}
		if !called { // restarted: last_value is the next ID, not the last
			n--
		}
		last[resource] = n
	}
	return last, nil
}

// createIDSequences makes the ID sequences of a new store.
func createIDSequences(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	return eachIDSequence(ctx, tx, store, "create", func(name string) string { return `CREATE SEQUENCE ` + name })
}

// dropIDSequences drops the ID sequences of a deleted store.
func dropIDSequences(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	return eachIDSequence(ctx, tx, store, "drop", func(name string) string { return `DROP SEQUENCE IF EXISTS ` + name })
}

// eachIDSequence runs the statement ddl makes of each of the store's ID
// sequences' names; none on SQLite.
func eachIDSequence(ctx context.Context, tx *Tx, store customersd.StoreID, verb string, ddl func(name string) string) error {
	for _, resource := range []string{resourceCustomer, resourceAddress} {
		if !tx.dialect.sequenced(resource) {
			continue
		}
		if _, err := tx.exec(ctx, ddl(idSequence(store, resource))); err != nil {
			return fmt.Errorf("sqlstore: %s %s sequence of store %d: %w", verb, resource, store, err)
		}
	}
	return nil
}

// holdStore takes the store's KEY SHARE lock, level 1 of the lock order
// (db.go), for a transaction that goes on to lock an ID counter (level 2)
// and then inserts a row whose foreign key would take it anyway, too late:
// against a whole-store operation holding the store FOR UPDATE and waiting
// for that counter, the two would deadlock. SQLite needs no lock.
func holdStore(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	if tx.dialect.forKeyShare == "" {
		return nil
	}
	return lockStoreRow(ctx, tx, store, tx.dialect.forKeyShare)
}
