package sqlstore

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// The outbox (ARCHITECTURE.md, "Events come from the transaction"). Every
// customer and address write calls hookTargets and emit inside its own
// transaction, so its events and their deliveries commit or roll back with
// it. An event is stored only when an active hook of the store subscribes
// to its scope, with one delivery per such hook: a write in a store without
// hooks pays one indexed lookup and nothing else.
//
// What does not emit (decision, docs/webhooks.md): import, seed and reset
// (ExportService.Import, Seed, TenantService.ResetStore) replace a store's
// data wholesale, as an admin tool, not as the app's writes; they emit no
// events. Reset also drops the store's pending and past deliveries and
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

// emit stores each event some active hook wants, with one pending delivery,
// due now, per active hook whose scope matches. It must run in the write's
// transaction, after the change it reports.
func (t *hookTargets) emit(ctx context.Context, tx *Tx, events ...outboxEvent) error {
	for _, e := range events {
		if !t.wants(e.scope) {
			continue
		}
		payload, hash := eventPayload(t.hash, t.store, tx.now.Unix(), e.scope, e.data())
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO webhook_events (store_id, scope, hash, created_at, payload)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, t.store, e.scope, hash, tx.now.Unix(), string(payload)).Scan(&id); err != nil {
			return fmt.Errorf("sqlstore: store %s event of store %d: %w", e.scope, t.store, err)
		}
		match := customersd.HookScopesFor(e.scope)
		args := []any{id, micros(tx.now), t.store}
		for _, m := range match {
			args = append(args, m)
		}
		res, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (store_id, hook_id, event_id, delivery_state, attempts, next_at)
			SELECT store_id, id, ?, 'pending', 0, ? FROM hooks WHERE store_id = ? AND is_active AND scope IN (?`+
			strings.Repeat(", ?", len(match)-1)+`)`, args...)
		if err != nil {
			return fmt.Errorf("sqlstore: queue %s event %d of store %d: %w", e.scope, id, t.store, err)
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 {
			tx.deliveries = true
		}
	}
	return nil
}

// emitEvents is findHookTargets and emit, for a write with events known
// without asking the hooks first.
func emitEvents(ctx context.Context, tx *Tx, store customersd.StoreID, events ...outboxEvent) error {
	t, err := findHookTargets(ctx, tx, store)
	if err != nil || len(t.scopes) == 0 {
		return err
	}
	return t.emit(ctx, tx, events...)
}

// micros is the queue's time: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
