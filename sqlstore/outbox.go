package sqlstore

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// The outbox (ARCHITECTURE.md, "Events come from the transaction"). Every
// customer and address write stores its events inside its own transaction
// (emitEvents, or findHookTargets and emit for deletes that report
// addresses), so they and their deliveries commit or roll back with it. An
// event is stored only when an active hook of the store subscribes to its
// scope, with one delivery per such hook: a write in a store without hooks
// pays one indexed lookup and nothing else.
//
// What does not emit (decision, docs/architecture.md, "Webhook storage"):
// import, seed and reset (ExportService.Import, Seed,
// TenantService.ResetStore) replace a store's data wholesale, as admin
// tools, not as the app's writes; they emit no events. Reset also drops the store's pending and past deliveries and
// events but keeps its hooks; deleting a store deletes all of it; revoking
// an API account deletes its hooks and their deliveries.

// deliveryHooks holds the functions OnDeliveries registered.
type deliveryHooks struct {
	mu  sync.Mutex
	fns []func()
}

// OnDeliveries registers fn to run after every commit that made deliveries
// due: a write that emitted events to active hooks, a hook reactivated,
// DeliverNow. The in-process delivery workers use it to wake at once rather
// than at their next poll; other nodes learn of the deliveries by polling
// (NextDue). fn runs on the committing goroutine, before the write is
// acknowledged, so it must not block (a non-blocking send on a channel
// with a buffer of one is the intended use).
func (db *DB) OnDeliveries(fn func()) {
	db.hooks.mu.Lock()
	defer db.hooks.mu.Unlock()
	db.hooks.fns = append(db.hooks.fns, fn)
}

func (db *DB) wakeDeliveries() {
	db.hooks.mu.Lock()
	fns := db.hooks.fns
	db.hooks.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// hookTargets is what a write needs to emit events: the store's hash (the
// payload's producer) and the scopes its active hooks subscribe to.
type hookTargets struct {
	store  customersd.StoreID
	hash   string
	scopes []string
}

// findHookTargets reads the store's active hook scopes. No row means no
// hook: the write emits nothing.
func findHookTargets(ctx context.Context, tx *Tx, store customersd.StoreID) (*hookTargets, error) {
	t := &hookTargets{store: store}
	err := eachRow(ctx, tx, func(rows *sql.Rows) error {
		var scope string
		if err := rows.Scan(&scope, &t.hash); err != nil {
			return err
		}
		t.scopes = append(t.scopes, scope)
		return nil
	}, `SELECT h.scope, s.hash FROM hooks h JOIN stores s ON s.id = h.store_id WHERE h.store_id = ? AND h.is_active`, store)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find hooks of store %d: %w", store, err)
	}
	return t, nil
}

// wants reports whether an active hook receives events of scope.
func (t *hookTargets) wants(scope string) bool {
	for _, s := range t.scopes {
		for _, m := range customersd.HookScopesFor(scope) {
			if s == m {
				return true
			}
		}
	}
	return false
}

// outboxEvent is an event a write emits: a customer's (customerID 0) or an
// address's, with its customer.
type outboxEvent struct {
	scope      string
	id         int64
	customerID int64
}

func customerEvent(scope string, id int64) outboxEvent { return outboxEvent{scope: scope, id: id} }

func addressEvent(scope string, id, customerID int64) outboxEvent {
	return outboxEvent{scope: scope, id: id, customerID: customerID}
}

// data is the event's "data" object (WEBHOOKS.md, "Payload").
func (e outboxEvent) data() string {
	if strings.HasPrefix(e.scope, "store/customer/address/") {
		return `{"type":"customer","id":` + strconv.FormatInt(e.id, 10) +
			`,"address":{"` + colCustomerID + `":` + strconv.FormatInt(e.customerID, 10) + `}}`
	}
	return `{"type":"customer","id":` + strconv.FormatInt(e.id, 10) + `,"origin_channel_id":1,"channel_ids":[1]}`
}

// eventPayload returns an event's body and its hash: the hex SHA-1 of the
// JSON of the payload without "hash" (WEBHOOKS.md: so a created and an
// updated event of one customer never share a hash). Keys in the order
// BigCommerce sends them.
func eventPayload(storeHash string, store customersd.StoreID, createdAt int64, scope, data string) ([]byte, string) {
	producer, _ := json.Marshal("stores/" + storeHash)
	scopeJSON, _ := json.Marshal(scope)
	rest := `"created_at":` + strconv.FormatInt(createdAt, 10) + `,"store_id":"` + strconv.FormatInt(int64(store), 10) +
		`","scope":` + string(scopeJSON) + `,"data":` + data + `}`
	sum := sha1.Sum([]byte(`{"producer":` + string(producer) + `,` + rest))
	hash := hex.EncodeToString(sum[:])
	return []byte(`{"producer":` + string(producer) + `,"hash":"` + hash + `",` + rest), hash
}

// emit stores each event some active hook wants (t.wants, to spare the
// statements of those none wants), as insertEvent does.
func (t *hookTargets) emit(ctx context.Context, tx *Tx, events ...outboxEvent) error {
	for _, e := range events {
		if !t.wants(e.scope) {
			continue
		}
		if err := insertEvent(ctx, tx, t.hash, t.store, e); err != nil {
			return err
		}
	}
	return nil
}

// emitEvents stores events, for a write that knows them without asking
// the hooks first: each costs one statement when no active hook wants it
// (the EXISTS of insertEvent), so a store without hooks pays an index probe
// per event and nothing else.
func emitEvents(ctx context.Context, tx *Tx, store customersd.StoreID, events ...outboxEvent) error {
	hash, err := tx.db.storeHash(ctx, tx, store)
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := insertEvent(ctx, tx, hash, store, e); err != nil {
			return err
		}
	}
	return nil
}

// storeHash returns the store's hash, the payload's producer, read once
// per process: a store's hash never changes, and DeleteStore forgets it
// (SQLite may give a later store the same ID).
func (db *DB) storeHash(ctx context.Context, tx *Tx, store customersd.StoreID) (string, error) {
	if h, ok := db.storeHashes.Load(store); ok {
		return h.(string), nil
	}
	var h string
	if err := tx.queryRow(ctx, `SELECT hash FROM stores WHERE id = ?`, store).Scan(&h); err != nil {
		return "", fmt.Errorf("sqlstore: find hash of store %d: %w", store, err)
	}
	db.storeHashes.Store(store, h)
	return h, nil
}

// insertEvent stores e, if an active hook of the store matches its scope,
// with one pending delivery, due now, per such hook, in one INSERT ...
// SELECT. It must run in the write's transaction, after the change it
// reports.
func insertEvent(ctx context.Context, tx *Tx, storeHash string, store customersd.StoreID, e outboxEvent) error {
	payload, hash := eventPayload(storeHash, store, tx.now.Unix(), e.scope, e.data())
	match := customersd.HookScopesFor(e.scope)
	in := "(?" + strings.Repeat(", ?", len(match)-1) + ")"
	matchArgs := make([]any, len(match))
	for i, m := range match {
		matchArgs[i] = m
	}
	insertEvent := `INSERT INTO webhook_events (store_id, scope, hash, created_at, payload) SELECT ?, ?, ?, ?, ?
		WHERE EXISTS (SELECT 1 FROM hooks WHERE store_id = ? AND is_active AND scope IN ` + in + `) RETURNING id`
	eventArgs := append([]any{store, e.scope, hash, tx.now.Unix(), string(payload), store}, matchArgs...)
	insertDeliveries := `INSERT INTO webhook_deliveries (store_id, hook_id, event_id, delivery_state, attempts, next_at)
		SELECT store_id, id, ?, 'pending', 0, ? FROM hooks WHERE store_id = ? AND is_active AND scope IN ` + in

	var res sql.Result
	var err error
	if tx.dialect.writableCTE {
		res, err = tx.exec(ctx, `WITH e AS (`+insertEvent+`) `+strings.Replace(insertDeliveries, "SELECT store_id, id, ?,", "SELECT store_id, id, (SELECT id FROM e),", 1)+
			` AND EXISTS (SELECT 1 FROM e)`, append(append(eventArgs, micros(tx.now), store), matchArgs...)...)
	} else {
		var id int64
		err = tx.queryRow(ctx, insertEvent, eventArgs...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // no hook wants it
		} else if err == nil {
			res, err = tx.exec(ctx, insertDeliveries, append([]any{id, micros(tx.now), store}, matchArgs...)...)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlstore: store %s event of store %d: %w", e.scope, store, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		tx.deliveries = true
	}
	return nil
}

// micros is the queue's time: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
