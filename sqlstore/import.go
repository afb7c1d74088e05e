package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// Import implements customersd.ExportService: validate, hash plain
// passwords, then replace the store's data in one transaction, so a failure
// at any point leaves the store as it was.
func (s *ExportService) Import(ctx context.Context, store customersd.StoreID, doc *customersd.Document) error {
	if err := doc.Validate(); err != nil {
		return err
	}
	// bcrypt is slow on purpose; hashing before the transaction keeps the
	// write lock free meanwhile.
	hashes, err := s.hashPasswords(ctx, store, doc.Customers)
	if err != nil {
		return err
	}
	err = s.db.withTx(ctx, func(tx *Tx) error {
		if err := lockStore(ctx, tx, store); err != nil {
			return err
		}
		if err := lockCounters(ctx, tx, store); err != nil {
			return err
		}
		if err := clearStore(ctx, tx, store); err != nil {
			return err
		}
		if doc.Store.Plan != "" {
			if _, err := tx.exec(ctx, `UPDATE stores SET plan = ? WHERE id = ?`, doc.Store.Plan, store); err != nil {
				return fmt.Errorf("sqlstore: set plan of store %d: %w", store, err)
			}
		}
		if err := importTenant(ctx, tx, store, doc); err != nil {
			return err
		}
		if err := importGroups(ctx, tx, store, doc.Groups); err != nil {
			return err
		}
		if err := importCustomers(ctx, tx, store, doc.Customers, hashes); err != nil {
			return err
		}
		if err := importAddresses(ctx, tx, store, doc.Addresses); err != nil {
			return err
		}
		return importCounters(ctx, tx, store, doc)
	})
	if err != nil || len(doc.Customers)+len(doc.Addresses) < analyzeAfterRows {
		return err
	}
	return s.db.analyze(ctx)
}

// analyzeAfterRows is the import size from which the planner's statistics
// are refreshed at once (see DB.analyze); smaller loads barely move them.
const analyzeAfterRows = 10000

// hashPasswords returns the stored password hash of each customer: the document's
// hash, a fresh hash of its plain password, or NULL. Plain passwords are
// hashed on as many cores as the hasher's gate lets the node use for bcrypt:
// at the default cost each takes tens of milliseconds.
func (s *ExportService) hashPasswords(ctx context.Context, store customersd.StoreID, cs []customersd.DocumentCustomer) ([]sql.NullString, error) {
	out := make([]sql.NullString, len(cs))
	todo := make(chan int, len(cs))
	for i, c := range cs {
		switch {
		case c.PasswordHash != "":
			out[i] = sql.NullString{String: c.PasswordHash, Valid: true}
		case c.Password != "":
			todo <- i
		}
	}
	close(todo)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range min(len(todo), s.hasher.Gate.Slots()) {
		wg.Go(func() {
			for i := range todo {
				if ctx.Err() != nil {
					return
				}
				h, err := s.hasher.HashFor(ctx, int64(store), cs[i].Password)
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, overloaded(fmt.Errorf("sqlstore: hash password of customers[%d]: %w", i, err)))
					mu.Unlock()
					return
				}
				out[i] = sql.NullString{String: h, Valid: true}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// orNow gives a record without a date the time of the import.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

func importGroups(ctx context.Context, tx *Tx, store customersd.StoreID, ds []customersd.DocumentGroup) error {
	// Stored as the V2 API stores a group (sqlstore/group.go): normalised
	// by the domain first, which can refuse a record.
	gs := make([]customersd.Group, len(ds))
	for i := range ds {
		in, err := ds[i].Input()
		if err != nil {
			return fmt.Errorf("sqlstore: import groups[%d]: %w", i, err)
		}
		gs[i] = customersd.Group{ID: ds[i].ID}
		in.Apply(&gs[i])
		gs[i].DateCreated = orNow(ds[i].DateCreated, tx.now)
		gs[i].DateModified = orNow(ds[i].DateModified, gs[i].DateCreated)
	}
	r := groupRow{store: store}
	return groups.insertEach(ctx, tx, "groups", &r, len(gs), func(i int) { r.Group = &gs[i] })
}

func importCustomers(ctx context.Context, tx *Tx, store customersd.StoreID, cs []customersd.DocumentCustomer, hashes []sql.NullString) error {
	var c customersd.Customer
	r := customerRow{Customer: &c, store: store}
	return customers.insertEach(ctx, tx, "customers", &r, len(cs), func(i int) {
		c = importedCustomer(&cs[i], tx.now)
		r.passwordHash = hashes[i]
	})
}

// importedCustomer is the customer of a document record. Validate checked
// the record, so its store credit parses.
func importedCustomer(d *customersd.DocumentCustomer, now time.Time) customersd.Customer {
	credit, _ := d.StoreCredit.Decimal()
	created := orNow(d.DateCreated, now)
	return customersd.Customer{
		ID:                    d.ID,
		Company:               d.Company,
		FirstName:             d.FirstName,
		LastName:              d.LastName,
		Email:                 strings.TrimSpace(d.Email),
		Phone:                 d.Phone,
		FormFields:            d.FormFields,
		DateCreated:           created,
		DateModified:          orNow(d.DateModified, created),
		StoreCredit:           credit,
		RegistrationIPAddress: d.RegistrationIPAddress,
		CustomerGroupID:       d.CustomerGroupID,
		Notes:                 d.Notes,
		TaxExemptCategory:     d.TaxExemptCategory,
		ResetPassOnLogin:      d.ResetPassOnLogin,
		AcceptsMarketing:      d.AcceptsMarketing,
	}
}

func importAddresses(ctx context.Context, tx *Tx, store customersd.StoreID, as []customersd.DocumentAddress) error {
	var a customersd.Address
	r := addressRow{Address: &a, store: store}
	return addresses.insertEach(ctx, tx, "addresses", &r, len(as), func(i int) {
		a = importedAddress(&as[i])
	})
}

// importedAddress is the address of a document record as the V2 API stores
// it: normalised by the domain, with the canonical country name and its
// code. Validate checked the record, so its country is known.
func importedAddress(d *customersd.DocumentAddress) customersd.Address {
	a := customersd.Address{ID: d.ID, CustomerID: d.CustomerID, FormFields: d.FormFields}
	d.Input().Apply(&a)
	_ = resolveCountry(&a)
	return a
}

// importCounters sets each counter to the document's value, raised to the
// highest ID imported, so that the next ID handed out is never taken.
func importCounters(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	last := map[string]int64{
		resourceGroup:    doc.Counters.Groups,
		resourceCustomer: doc.Counters.Customers,
		resourceAddress:  doc.Counters.Addresses,
	}
	for _, g := range doc.Groups {
		last[resourceGroup] = max(last[resourceGroup], g.ID)
	}
	for _, c := range doc.Customers {
		last[resourceCustomer] = max(last[resourceCustomer], c.ID)
	}
	for _, a := range doc.Addresses {
		last[resourceAddress] = max(last[resourceAddress], a.ID)
	}
	for _, resource := range []string{resourceGroup, resourceCustomer, resourceAddress} {
		if err := setLastID(ctx, tx, store, resource, last[resource]); err != nil {
			return err
		}
	}
	return nil
}

// maxParams bounds the placeholders of one statement: far below SQLite's
// limit (32766) and PostgreSQL's (65535), because PostgreSQL plans a huge
// VALUES list slowly; about 200 customers per statement measured best.
const maxParams = 4000

// insertRows inserts n rows into table, as many per statement as maxParams
// allows: a round trip per few hundred rows, not per row, is what keeps an
// import of thousands of records in milliseconds on PostgreSQL. row appends
// the values of row i. A constraint violation is reported as EINVALID naming
// the records of the failing statement; Validate makes that unlikely.
func insertRows(ctx context.Context, tx *Tx, section, table string, cols []string, n int, row func(i int, dst []any) []any) error {
	per := max(1, maxParams/len(cols))
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	args := make([]any, 0, min(n, per)*len(cols))
	for from := 0; from < n; from += per {
		to := min(n, from+per)
		args = args[:0]
		for i := from; i < to; i++ {
			args = row(i, args)
		}
		q := head + strings.TrimSuffix(strings.Repeat(tuple+", ", to-from), ", ")
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return importError(section, from, to, err)
		}
	}
	return nil
}

func importError(section string, from, to int, err error) error {
	where := fmt.Sprintf("%s[%d]", section, from)
	if to-from > 1 {
		where = fmt.Sprintf("%s[%d..%d]", section, from, to-1)
	}
	if isUniqueViolation(err) || isForeignKeyViolation(err) {
		msg := "a record breaks a database constraint"
		if name := constraintName(err); name != "" {
			msg += " (" + name + ")"
		}
		return &customersd.Error{Code: customersd.EINVALID, Field: section, Message: where + ": " + msg}
	}
	return fmt.Errorf("sqlstore: import %s: %w", where, err)
}
