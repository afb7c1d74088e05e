package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/country"
)

// AddressService implements customersd.AddressService.
type AddressService struct {
	db *DB
}

var _ customersd.AddressService = (*AddressService)(nil)

// NewAddressService returns the customer addresses of db.
func NewAddressService(db *DB) *AddressService { return &AddressService{db: db} }

// FindAddressByID implements customersd.AddressService.
func (s *AddressService) FindAddressByID(ctx context.Context, store customersd.StoreID, customerID, id int64) (*customersd.Address, error) {
	return findAddressByID(ctx, s.db.storeReader(store), store, customerID, id)
}

// FindAddresses implements customersd.AddressService.
func (s *AddressService) FindAddresses(ctx context.Context, store customersd.StoreID, f customersd.AddressFilter) ([]*customersd.Address, error) {
	tx := s.db.storeReader(store)
	as, err := findAddresses(ctx, tx, store, f)
	if err != nil || len(as) > 0 {
		return as, err
	}
	// No addresses: a customer without any (204) or no such customer (404).
	return nil, checkAddressOwner(ctx, tx, store, f.CustomerID)
}

// CountAddresses implements customersd.AddressService.
func (s *AddressService) CountAddresses(ctx context.Context, store customersd.StoreID, f customersd.AddressFilter) (int64, error) {
	tx := s.db.storeReader(store)
	where, args := addressWhere(store, f)
	var n int64
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customer_addresses WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count addresses of store %d: %w", store, err)
	}
	if n == 0 {
		return 0, checkAddressOwner(ctx, tx, store, f.CustomerID)
	}
	return n, nil
}

// checkAddressOwner returns ENOTFOUND when customerID is set and names no
// customer of the store.
func checkAddressOwner(ctx context.Context, tx *Tx, store customersd.StoreID, customerID *int64) error {
	if customerID == nil {
		return nil
	}
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM customers WHERE store_id = ? AND id = ?`, store, *customerID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return customersd.NotFound("Customer", *customerID)
	} else if err != nil {
		return fmt.Errorf("sqlstore: find customer %d of store %d: %w", *customerID, store, err)
	}
	return nil
}

// CreateAddress implements customersd.AddressService.
func (s *AddressService) CreateAddress(ctx context.Context, store customersd.StoreID, customerID int64, in *customersd.AddressInput) (*customersd.Address, error) {
	if err := in.ValidateCreate(); err != nil {
		return nil, err
	}
	a := &customersd.Address{CustomerID: customerID}
	in.Apply(a)
	if err := resolveCountry(a); err != nil {
		return nil, err
	}
	if s.db.createsAlone() {
		done, err := createAddressAlone.run(ctx, s.db, store, &addressRow{Address: a, store: store}, &a.ID)
		switch {
		case isForeignKeyViolation(err):
			return nil, customersd.NotFound("Customer", customerID)
		case done:
			return a, nil
		case err != nil && !isRetryable(err):
			return nil, fmt.Errorf("sqlstore: insert address for customer %d of store %d: %w", customerID, store, err)
		}
	}
	err := s.db.withTx(ctx, func(tx *Tx) error {
		// The hooks before the counter, as CreateCustomer reads them.
		hooks, err := findHookTargets(ctx, tx, store)
		if err != nil {
			return err
		}
		if tx.dialect.sequenced(resourceAddress) {
			// Refused before nextID, as CreateCustomer refuses an unknown
			// group: a sequence does not take an ID back.
			if err := checkAddressOwner(ctx, tx, store, &customerID); err != nil {
				return err
			}
		}
		id, err := nextID(ctx, tx, store, resourceAddress)
		if err != nil {
			return err
		}
		a.ID = id
		err = addresses.insertRow(ctx, tx, &addressRow{Address: a, store: store})
		// The foreign key, not a prior SELECT, decides whether the customer
		// exists: a customer deleted meanwhile cannot gain an address.
		if isForeignKeyViolation(err) {
			return customersd.NotFound("Customer", customerID)
		} else if err != nil {
			return fmt.Errorf("sqlstore: insert address for customer %d of store %d: %w", customerID, store, err)
		}
		return hooks.emit(ctx, tx, addressEvent(customersd.HookAddressCreated, id, customerID))
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// resolveCountry replaces the country name as sent by its canonical name and sets
// its ISO code (BEHAVIOR.md, "Addresses").
func resolveCountry(a *customersd.Address) error {
	c, ok := country.Lookup(a.Country)
	if !ok {
		return customersd.Invalid(colCountry)
	}
	a.Country, a.CountryISO2 = c.Name, c.ISO2
	return nil
}

// UpdateAddress implements customersd.AddressService.
func (s *AddressService) UpdateAddress(ctx context.Context, store customersd.StoreID, customerID, id int64, in *customersd.AddressInput) (*customersd.Address, error) {
	if err := in.ValidateUpdate(); err != nil {
		return nil, err
	}
	var a *customersd.Address
	err := s.db.withTx(ctx, func(tx *Tx) error {
		var err error
		// Locked, as UpdateCustomer locks its customer: no lost fields.
		if a, err = lockAddressByID(ctx, tx, store, customerID, id); err != nil {
			return err
		}
		in.Apply(a)
		if in.Country != nil {
			if err := resolveCountry(a); err != nil {
				return err
			}
		}
		// Found as an address of customerID, so a.CustomerID is customerID.
		if err := addresses.updateRow(ctx, tx, &addressRow{Address: a, store: store}); err != nil {
			return fmt.Errorf("sqlstore: update address %d of customer %d of store %d: %w", id, customerID, store, err)
		}
		return emitEvents(ctx, tx, store, addressEvent(customersd.HookAddressUpdated, id, a.CustomerID))
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAddress implements customersd.AddressService.
func (s *AddressService) DeleteAddress(ctx context.Context, store customersd.StoreID, customerID, id int64) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM customer_addresses WHERE store_id = ? AND `+colCustomerID+` = ? AND id = ?`, store, customerID, id)
		if err != nil {
			return fmt.Errorf("sqlstore: delete address %d of customer %d of store %d: %w", id, customerID, store, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: delete address %d of customer %d of store %d: %w", id, customerID, store, err)
		} else if n == 0 {
			return customersd.NotFound("Address", id)
		}
		return emitEvents(ctx, tx, store, addressEvent(customersd.HookAddressDeleted, id, customerID))
	})
}

// DeleteAddresses implements customersd.AddressService.
func (s *AddressService) DeleteAddresses(ctx context.Context, store customersd.StoreID, customerID int64) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		if err := checkAddressOwner(ctx, tx, store, &customerID); err != nil {
			return err
		}
		t, err := findHookTargets(ctx, tx, store)
		if err != nil {
			return err
		}
		if !t.wants(customersd.HookAddressDeleted) {
			if _, err := tx.exec(ctx, `DELETE FROM customer_addresses WHERE store_id = ? AND `+colCustomerID+` = ?`, store, customerID); err != nil {
				return fmt.Errorf("sqlstore: delete addresses of customer %d of store %d: %w", customerID, store, err)
			}
			return nil
		}
		events, err := deleteAddressesOf(ctx, tx, store, `= ?`, customerID)
		if err != nil {
			return err
		}
		return t.emit(ctx, tx, events...)
	})
}

// deleteAddressesOf deletes the addresses of the customers "customer_id
// <cond>" selects and returns their delete events, ordered by customer and
// address: exactly the rows deleted (RETURNING), even if another
// transaction changed the set meanwhile.
func deleteAddressesOf(ctx context.Context, tx *Tx, store customersd.StoreID, cond string, args ...any) ([]outboxEvent, error) {
	events, err := queryAll(ctx, tx, func(rows *sql.Rows) (outboxEvent, error) {
		e := outboxEvent{scope: customersd.HookAddressDeleted}
		return e, rows.Scan(&e.id, &e.customerID)
	}, `DELETE FROM customer_addresses WHERE store_id = ? AND `+colCustomerID+` `+cond+` RETURNING id, `+colCustomerID,
		append([]any{store}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: delete addresses of store %d: %w", store, err)
	}
	slices.SortFunc(events, func(a, b outboxEvent) int {
		return cmp.Or(cmp.Compare(a.customerID, b.customerID), cmp.Compare(a.id, b.id))
	})
	return events, nil
}

// findAddressByID finds an address of customerID, or of any customer of the
// store when customerID is 0.
func findAddressByID(ctx context.Context, tx *Tx, store customersd.StoreID, customerID, id int64) (*customersd.Address, error) {
	return addressByID(ctx, tx, store, customerID, id, "")
}

// lockAddressByID is findAddressByID in a write transaction that will
// rewrite the address: the row stays locked until tx ends (PostgreSQL).
func lockAddressByID(ctx context.Context, tx *Tx, store customersd.StoreID, customerID, id int64) (*customersd.Address, error) {
	return addressByID(ctx, tx, store, customerID, id, tx.dialect.forUpdate)
}

func addressByID(ctx context.Context, tx *Tx, store customersd.StoreID, customerID, id int64, lock string) (*customersd.Address, error) {
	f := customersd.AddressFilter{ID: &id}
	if customerID != 0 {
		f.CustomerID = &customerID
	}
	as, err := selectAddresses(ctx, tx, store, f, lock)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, customersd.NotFound("Address", id)
	}
	return as[0], nil
}

func findAddresses(ctx context.Context, tx *Tx, store customersd.StoreID, f customersd.AddressFilter) ([]*customersd.Address, error) {
	return selectAddresses(ctx, tx, store, f, "")
}

// selectAddresses is findAddresses with a locking clause (dialect.forUpdate) or "".
func selectAddresses(ctx context.Context, tx *Tx, store customersd.StoreID, f customersd.AddressFilter, lock string) ([]*customersd.Address, error) {
	where, args := addressWhere(store, f)
	q := `SELECT ` + addresses.readList + ` FROM customer_addresses WHERE ` + where + ` ORDER BY id` + pageClause(f.Page) + lock
	var r addressRow
	as, err := findAll(ctx, tx, addresses.read, func(a *customersd.Address) *addressRow { r.Address = a; return &r }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find addresses of store %d: %w", store, err)
	}
	return as, nil
}

// addressWhere starts with the store, so no query reaches another store's rows.
func addressWhere(store customersd.StoreID, f customersd.AddressFilter) (string, []any) {
	w := whereBuilder{}
	w.add("store_id = ?", store)
	w.addIf(f.CustomerID != nil, colCustomerID+" = ?", deref(f.CustomerID))
	w.addIf(f.ID != nil, "id = ?", deref(f.ID))
	return w.String(), w.args
}
