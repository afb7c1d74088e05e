package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
)

// CustomerService implements customersd.CustomerService.
type CustomerService struct {
	db     *DB
	hasher password.Hasher
}

var _ customersd.CustomerService = (*CustomerService)(nil)

// NewCustomerService returns the customers of db, hashing passwords with h.
func NewCustomerService(db *DB, h password.Hasher) *CustomerService {
	return &CustomerService{db: db, hasher: h}
}

// FindCustomerByID implements customersd.CustomerService.
func (s *CustomerService) FindCustomerByID(ctx context.Context, store customersd.StoreID, id int64) (*customersd.Customer, error) {
	cs, ok, err := s.db.customersWithPendingCheck(ctx, store, customersd.CustomerFilter{ID: &id})
	switch {
	case !ok:
		return s.db.cachedCustomer(ctx, store, id)
	case err != nil:
		return nil, err
	case len(cs) == 0:
		return nil, customersd.NotFound("Customer", id)
	}
	return cs[0], nil
}

// FindCustomers implements customersd.CustomerService.
func (s *CustomerService) FindCustomers(ctx context.Context, store customersd.StoreID, f customersd.CustomerFilter) ([]*customersd.Customer, error) {
	if cs, ok, err := s.db.customersWithPendingCheck(ctx, store, f); ok {
		return cs, err
	}
	return findCustomers(ctx, s.db.storeReader(store), store, f)
}

// CountCustomers implements customersd.CustomerService.
func (s *CustomerService) CountCustomers(ctx context.Context, store customersd.StoreID, f customersd.CustomerFilter) (int64, error) {
	where, args := customerWhere(store, f)
	if len(args) == 1 { // the store alone: no filter
		return countRows(ctx, s.db.storeReader(store), store, resourceCustomer)
	}
	var n int64
	if err := s.db.storeReader(store).queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count customers of store %d: %w", store, err)
	}
	return n, nil
}

// CreateCustomer implements customersd.CustomerService.
func (s *CustomerService) CreateCustomer(ctx context.Context, store customersd.StoreID, in *customersd.CustomerInput) (*customersd.Customer, error) {
	if err := in.ValidateCreate(); err != nil {
		return nil, err
	}
	// Hash before the transaction: bcrypt is slow on purpose, and the
	// write lock must not wait for it.
	hash, err := s.hashPassword(ctx, store, in)
	if err != nil {
		return nil, err
	}
	c := &customersd.Customer{}
	in.Apply(c)
	if s.db.createsAlone() {
		if done, err := s.createAlone(ctx, store, in, c, hash); err != nil {
			return nil, err
		} else if done {
			return c, nil
		}
	}
	err = s.db.withTx(ctx, func(tx *Tx) error {
		// The hooks before the counter: creates of a store queue on its
		// counter row until they commit, so a statement moved out of that
		// wait is a round trip less for every create queued behind it.
		hooks, err := findHookTargets(ctx, tx, store)
		if err != nil {
			return err
		}
		if g := in.CustomerGroupID; g != nil && *g != 0 && tx.dialect.sequenced(resourceCustomer) {
			// Refused before nextID: a sequence does not take an ID back
			// when the transaction rolls back, and bad input changes
			// nothing, the next ID included. Not locked: the lock order
			// puts the store's lock (nextID) first; the foreign key then
			// holds the group, and refuses it if deleted meanwhile.
			var one int
			err := tx.queryRow(ctx, `SELECT 1 FROM customer_groups WHERE store_id = ? AND id = ?`, store, *g).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return customersd.Invalid(colCustomerGroupID)
			} else if err != nil {
				return fmt.Errorf("sqlstore: find group %d of store %d: %w", *g, store, err)
			}
		}
		// The counter before the group: the lock order (db.go).
		id, err := nextID(ctx, tx, store, resourceCustomer)
		if err != nil {
			return err
		}
		if in.CustomerGroupID == nil {
			// A new customer sent without a group joins the default group.
			if c.CustomerGroupID, err = defaultGroupID(ctx, tx, store); err != nil {
				return err
			}
		}
		if err := createCustomer(ctx, tx, store, id, c, hash); err != nil {
			return err
		}
		return hooks.emit(ctx, tx, customerEvent(customersd.HookCustomerCreated, id))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// createAlone is CreateCustomer in one statement (create.go); done is false
// when the transaction has to do it.
func (s *CustomerService) createAlone(ctx context.Context, store customersd.StoreID, in *customersd.CustomerInput, c *customersd.Customer, hash sql.NullString) (done bool, err error) {
	c.DateCreated = s.db.now()
	c.DateModified = c.DateCreated
	r := &customerRow{Customer: c, store: store, passwordHash: hash}
	ins := createCustomerAlone
	if in.CustomerGroupID == nil { // a new customer sent without a group joins the default group
		if s.db.creates != nil {
			// Not inserted by the batch: the transaction tells why.
			return s.db.creates.submit(ctx, store, r)
		}
		ins = createDefaultCustomerAlone
	}
	done, err = ins.run(ctx, s.db, store, r, &c.ID, (*groupRefScan)(&c.CustomerGroupID))
	if isRetryable(err) {
		return false, nil
	}
	return done, customerWriteError(err, store, c.ID)
}

func (s *CustomerService) hashPassword(ctx context.Context, store customersd.StoreID, in *customersd.CustomerInput) (sql.NullString, error) {
	if in.Password == nil {
		return sql.NullString{}, nil
	}
	h, err := s.hasher.HashFor(ctx, int64(store), *in.Password)
	if err != nil {
		return sql.NullString{}, overloaded(err)
	}
	return sql.NullString{String: h, Valid: true}, nil
}

// createCustomer inserts c with the ID id, which nextID handed out in tx.
func createCustomer(ctx context.Context, tx *Tx, store customersd.StoreID, id int64, c *customersd.Customer, hash sql.NullString) error {
	c.ID, c.DateCreated, c.DateModified = id, tx.now, tx.now
	err := customers.insertRow(ctx, tx, &customerRow{Customer: c, store: store, passwordHash: hash})
	return customerWriteError(err, store, c.ID)
}

// customerWriteError maps constraint violations to what the client did.
func customerWriteError(err error, store customersd.StoreID, id int64) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return customersd.EmailTaken()
	case isForeignKeyViolation(err):
		return customersd.Invalid(colCustomerGroupID)
	default:
		return fmt.Errorf("sqlstore: write customer %d of store %d: %w", id, store, err)
	}
}

// UpdateCustomer implements customersd.CustomerService.
func (s *CustomerService) UpdateCustomer(ctx context.Context, store customersd.StoreID, id int64, in *customersd.CustomerInput) (*customersd.Customer, error) {
	if err := in.ValidateUpdate(); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(ctx, store, in)
	if err != nil {
		return nil, err
	}
	var c *customersd.Customer
	err = s.db.withTx(ctx, func(tx *Tx) error {
		if in.CustomerGroupID != nil && *in.CustomerGroupID != 0 {
			// The group before the customer: the lock order (db.go).
			if err := lockGroupKey(ctx, tx, store, *in.CustomerGroupID); err != nil {
				return err
			}
		}
		// Locked: a PUT on another node waits, then reads this one's
		// changes, instead of writing back the fields as they were.
		if c, err = lockCustomerByID(ctx, tx, store, id); err != nil {
			return err
		}
		in.Apply(c)
		c.DateModified = tx.now
		// A NULL hash (no password sent) keeps the customer's.
		err = customers.updateRow(ctx, tx, &customerRow{Customer: c, store: store, passwordHash: hash})
		if err := customerWriteError(err, store, id); err != nil {
			return err
		}
		return emitEvents(ctx, tx, store, customerEvent(customersd.HookCustomerUpdated, id))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCustomer implements customersd.CustomerService. With hooks on
// address deletes, the customer is locked and its addresses deleted first,
// each reported, then the customer (WEBHOOKS.md: address events, then
// store/customer/deleted); the lock keeps an address from being added
// between the two.
func (s *CustomerService) DeleteCustomer(ctx context.Context, store customersd.StoreID, id int64) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		t, err := findHookTargets(ctx, tx, store)
		if err != nil {
			return err
		}
		var events []outboxEvent
		if t.wants(customersd.HookAddressDeleted) {
			var one int
			err := tx.queryRow(ctx, `SELECT 1 FROM customers WHERE store_id = ? AND id = ?`+tx.dialect.forUpdate, store, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return customersd.NotFound("Customer", id)
			} else if err != nil {
				return fmt.Errorf("sqlstore: lock customer %d of store %d: %w", id, store, err)
			}
			if events, err = deleteAddressesOf(ctx, tx, store, `= ?`, id); err != nil {
				return err
			}
		}
		events = append(events, customerEvent(customersd.HookCustomerDeleted, id))
		if err := t.emit(ctx, tx, events...); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM customers WHERE store_id = ? AND id = ?`, store, id)
		if err != nil {
			return fmt.Errorf("sqlstore: delete customer %d of store %d: %w", id, store, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: delete customer %d of store %d: %w", id, store, err)
		} else if n == 0 {
			return customersd.NotFound("Customer", id)
		}
		return nil
	})
}

// DeleteCustomers implements customersd.CustomerService. Addresses go with
// their customers through the foreign key's ON DELETE CASCADE.
//
// The customers go in chunks of DB.deleteChunk, each its own transaction:
// on SQLite one transaction holds the only writer of every store, and
// deleting 440,000 customers at once held it 2.9 s, stalling all other
// stores' writes meanwhile. Between chunks, other writes get their turn. The
// delete is thus not atomic: a failure or a cancelled request leaves some of
// the customers, and sending the request again deletes the rest. Customers
// created after it began (IDs above the highest at the start) are kept, as
// they would have been by one transaction.
func (s *CustomerService) DeleteCustomers(ctx context.Context, store customersd.StoreID, f customersd.CustomerFilter) error {
	var last sql.NullInt64
	if err := s.db.reader().queryRow(ctx, `SELECT MAX(id) FROM customers WHERE store_id = ?`, store).Scan(&last); err != nil {
		return fmt.Errorf("sqlstore: delete customers of store %d: %w", store, err)
	}
	f.Page = customersd.Page{}
	from, to := int64(1), last.Int64
	if f.MinID != nil {
		from = max(from, *f.MinID)
	}
	if f.MaxID != nil {
		to = min(to, *f.MaxID)
	}
	for from <= to {
		chunk := f
		chunk.MinID, chunk.MaxID = &from, &to
		var done int64
		err := s.db.withTx(ctx, func(tx *Tx) error {
			t, err := findHookTargets(ctx, tx, store)
			if err != nil {
				return err
			}
			done, err = deleteCustomerChunk(ctx, tx, t, chunk, s.db.deleteChunk)
			return err
		})
		if err != nil {
			return err
		}
		if s.db.afterDeleteChunk != nil {
			s.db.afterDeleteChunk()
		}
		from = done + 1
	}
	return nil
}

// deleteCustomerChunk deletes the first n customers matching f, which has
// MinID and MaxID set, in ID order, and returns the highest ID it went
// through: f.MaxID when none are left. Each customer deleted gets its
// events, as DeleteCustomer's, when t has hooks for them.
func deleteCustomerChunk(ctx context.Context, tx *Tx, t *hookTargets, f customersd.CustomerFilter, n int) (int64, error) {
	store := t.store
	where, args := customerWhere(store, f)
	// The chunk's upper ID bound; rows locked in ID order (the lock order, db.go).
	var upper sql.NullInt64
	err := tx.queryRow(ctx, `SELECT MAX(id) FROM (SELECT id FROM customers WHERE `+where+
		` ORDER BY id LIMIT `+strconv.Itoa(n)+tx.dialect.forUpdate+`) AS chunk`, args...).Scan(&upper)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete customers of store %d: %w", store, err)
	}
	if !upper.Valid {
		return *f.MaxID, nil
	}
	f.MaxID = &upper.Int64
	where, args = customerWhere(store, f)
	if t.wants(customersd.HookCustomerDeleted) || t.wants(customersd.HookAddressDeleted) {
		// The chunk's customers are locked: the list is what the DELETE removes.
		return upper.Int64, deleteChunkWithEvents(ctx, tx, t, where, args)
	}
	if _, err := tx.exec(ctx, `DELETE FROM customers WHERE `+where, args...); err != nil {
		return 0, fmt.Errorf("sqlstore: delete customers of store %d: %w", store, err)
	}
	return upper.Int64, nil
}

// deleteChunkWithEvents deletes the customers matching where, locked
// already, emitting for each, in ID order, its addresses' deletes and then
// its own.
func deleteChunkWithEvents(ctx context.Context, tx *Tx, t *hookTargets, where string, args []any) error {
	store := t.store
	ids, err := queryAll(ctx, tx, func(rows *sql.Rows) (int64, error) {
		var id int64
		return id, rows.Scan(&id)
	}, `SELECT id FROM customers WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: delete customers of store %d: %w", store, err)
	}
	var addrEvents []outboxEvent
	if t.wants(customersd.HookAddressDeleted) {
		if addrEvents, err = deleteAddressesOf(ctx, tx, store, `IN (SELECT id FROM customers WHERE `+where+`)`, args...); err != nil {
			return err
		}
	}
	events := make([]outboxEvent, 0, len(ids)+len(addrEvents))
	for _, id := range ids {
		for len(addrEvents) > 0 && addrEvents[0].customerID == id {
			events = append(events, addrEvents[0])
			addrEvents = addrEvents[1:]
		}
		events = append(events, customerEvent(customersd.HookCustomerDeleted, id))
	}
	if err := t.emit(ctx, tx, events...); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM customers WHERE `+where, args...); err != nil {
		return fmt.Errorf("sqlstore: delete customers of store %d: %w", store, err)
	}
	return nil
}

// ValidatePassword implements customersd.CustomerService.
func (s *CustomerService) ValidatePassword(ctx context.Context, store customersd.StoreID, id int64, pw string) (bool, error) {
	var hash sql.NullString
	err := s.db.storeReader(store).queryRow(ctx, `SELECT `+colPasswordHash+` FROM customers WHERE store_id = ? AND id = ?`, store, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, customersd.NotFound("Customer", id)
	} else if err != nil {
		return false, fmt.Errorf("sqlstore: read password of customer %d of store %d: %w", id, store, err)
	}
	ok, err := s.hasher.VerifyFor(ctx, int64(store), hash.String, pw)
	return ok, overloaded(err)
}

// overloaded marks the bcrypt gate's refusal as what it is to a client: the
// node has no room for the work now (a 503 with Retry-After), not a bug.
func overloaded(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return fmt.Errorf("sqlstore: %w: %w", customersd.ErrUnavailable, err)
	}
	return err
}

func findCustomerByID(ctx context.Context, tx *Tx, store customersd.StoreID, id int64) (*customersd.Customer, error) {
	return customerByID(ctx, tx, store, id, "")
}

// lockCustomerByID is findCustomerByID in a write transaction that will
// rewrite the customer: the row stays locked until tx ends (PostgreSQL;
// SQLite's one writer needs no lock).
func lockCustomerByID(ctx context.Context, tx *Tx, store customersd.StoreID, id int64) (*customersd.Customer, error) {
	return customerByID(ctx, tx, store, id, tx.dialect.forUpdate)
}

func customerByID(ctx context.Context, tx *Tx, store customersd.StoreID, id int64, lock string) (*customersd.Customer, error) {
	cs, err := selectCustomers(ctx, tx, store, customersd.CustomerFilter{ID: &id}, lock)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, customersd.NotFound("Customer", id)
	}
	return cs[0], nil
}

func findCustomers(ctx context.Context, tx *Tx, store customersd.StoreID, f customersd.CustomerFilter) ([]*customersd.Customer, error) {
	return selectCustomers(ctx, tx, store, f, "")
}

// selectCustomers is findCustomers with a locking clause (dialect.forUpdate) or "".
func selectCustomers(ctx context.Context, tx *Tx, store customersd.StoreID, f customersd.CustomerFilter, lock string) ([]*customersd.Customer, error) {
	q, args := customerPageQuery(tx.dialect, store, f)
	q += lock
	var r customerRow
	cs, err := findAll(ctx, tx, customers.read, func(c *customersd.Customer) *customerRow { r.Customer = c; return &r }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find customers of store %d: %w", store, err)
	}
	return cs, nil
}

// customerPageQuery selects the customers of a filter's page. A page's ids
// are found first, on the filter's index alone (migration 0004), and only
// then its rows read: a date range matching 100k customers sorts 100k
// integers, not 100k rows, and a deep page skips index entries, not rows.
//
// On PostgreSQL the page is bound as parameters and its ids passed as an
// array: one statement for every page, which pgx prepares once per
// connection and PostgreSQL soon runs on its generic plan. Inlined, each
// page was a statement of its own, prepared on each connection (a round
// trip) and planned afresh on each of its first five runs; and the IN
// form, planned for an unknown LIMIT, never went generic at all: planning
// it cost as much as running it.
func customerPageQuery(d *dialect, store customersd.StoreID, f customersd.CustomerFilter) (string, []any) {
	where, args := customerWhere(store, f)
	if f.Page.Limit <= 0 {
		return `SELECT ` + customers.readList + ` FROM customers WHERE ` + where + ` ORDER BY id`, args
	}
	if d.boundPages {
		return `SELECT ` + customers.readList + ` FROM customers WHERE store_id = ? AND id = ANY(ARRAY(SELECT id FROM customers WHERE ` +
				where + ` ORDER BY id LIMIT ? OFFSET ?)) ORDER BY id`,
			append(append([]any{store}, args...), f.Page.Limit, f.Page.Offset)
	}
	return `SELECT ` + customers.readList + ` FROM customers WHERE store_id = ? AND id IN (SELECT id FROM customers WHERE ` +
		where + ` ORDER BY id` + pageClause(f.Page) + `) ORDER BY id`, append([]any{store}, args...)
}

// customerWhere builds the WHERE clause of a filter; every clause starts
// with the store, so no query can reach another store's rows.
func customerWhere(store customersd.StoreID, f customersd.CustomerFilter) (string, []any) {
	w := whereBuilder{}
	w.add("store_id = ?", store)
	w.addIf(f.ID != nil, "id = ?", deref(f.ID))
	w.addIf(f.FirstName != nil, colFirstName+" = ?", deref(f.FirstName))
	w.addIf(f.LastName != nil, colLastName+" = ?", deref(f.LastName))
	w.addIf(f.Company != nil, colCompany+" = ?", deref(f.Company))
	if f.Email != nil {
		w.add(colEmailKey+" = ?", customersd.EmailKey(*f.Email))
	}
	w.addIf(f.Phone != nil, colPhone+" = ?", deref(f.Phone))
	if f.StoreCredit != nil {
		w.add(colStoreCredit+" = ?", int64(*f.StoreCredit))
	}
	if f.CustomerGroupID != nil {
		if *f.CustomerGroupID == 0 {
			w.add(colCustomerGroupID + " IS NULL")
		} else {
			w.add(colCustomerGroupID+" = ?", *f.CustomerGroupID)
		}
	}
	w.addIf(f.TaxExemptCategory != nil, colTaxExemptCategory+" = ?", deref(f.TaxExemptCategory))
	w.addIf(f.MinID != nil, "id >= ?", deref(f.MinID))
	w.addIf(f.MaxID != nil, "id <= ?", deref(f.MaxID))
	w.addTime(colDateCreated+" >= ?", f.MinDateCreated)
	w.addTime(colDateCreated+" <= ?", f.MaxDateCreated)
	w.addTime(colDateModified+" >= ?", f.MinDateModified)
	w.addTime(colDateModified+" <= ?", f.MaxDateModified)
	w.addTime(colDateModified+" > ?", f.ModifiedSince)
	return w.String(), w.args
}

// defaultGroupID returns the store's default group, or 0 when it has none.
func defaultGroupID(ctx context.Context, tx *Tx, store customersd.StoreID) (int64, error) {
	var id int64
	// Held (KEY SHARE, as the customer's foreign key will), so that a
	// concurrent delete of that group (PostgreSQL) either finishes first,
	// and there is no default, or waits for this insert. Not FOR UPDATE:
	// that made every create of a store wait for the one before it to
	// commit.
	err := tx.queryRow(ctx, `SELECT id FROM customer_groups WHERE store_id = ? AND `+colIsDefault+tx.dialect.forKeyShare, store).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("sqlstore: find default group of store %d: %w", store, err)
	}
	return id, nil
}
