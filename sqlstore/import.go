package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/country"
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
	hashes, err := s.hashPasswords(ctx, doc.Customers)
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

// hashPasswords returns the password_hash of each customer: the document's
// hash, a fresh hash of its plain password, or NULL. Plain passwords are
// hashed on every core: at the default cost each takes tens of milliseconds.
func (s *ExportService) hashPasswords(ctx context.Context, cs []customersd.DocumentCustomer) ([]sql.NullString, error) {
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
	for range min(len(todo), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range todo {
				if ctx.Err() != nil {
					return
				}
				h, err := s.hasher.Hash(cs[i].Password)
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, fmt.Errorf("sqlstore: hash password of customers[%d]: %w", i, err))
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
func orNow(t, now time.Time) int64 {
	if t.IsZero() {
		return now.Unix()
	}
	return t.Unix()
}

func importGroups(ctx context.Context, tx *Tx, store customersd.StoreID, gs []customersd.DocumentGroup) error {
	cols := []string{"store_id", "id", "name", "is_default", "is_group_for_guests", "category_access", "discount_rules", "date_created", "date_modified"}
	// Stored as the V2 API stores a group (sqlstore/group.go): normalised
	// by the domain, encoded by the same function.
	access, rules := make([]string, len(gs)), make([]string, len(gs))
	names := make([]string, len(gs))
	for i := range gs {
		in, err := gs[i].Input()
		if err != nil {
			return fmt.Errorf("sqlstore: import groups[%d]: %w", i, err)
		}
		g := customersd.Group{ID: gs[i].ID}
		in.Apply(&g)
		if access[i], rules[i], err = encodeGroupRules(&g); err != nil {
			return fmt.Errorf("sqlstore: import groups[%d]: %w", i, err)
		}
		names[i] = g.Name
	}
	return insertRows(ctx, tx, "groups", "customer_groups", cols, len(gs), func(i int, row []any) []any {
		g := gs[i]
		created := orNow(g.DateCreated, tx.now)
		modified := created
		if !g.DateModified.IsZero() {
			modified = g.DateModified.Unix()
		}
		return append(row, store, g.ID, names[i], g.IsDefault, g.IsGroupForGuests, access[i], rules[i], created, modified)
	})
}

func importCustomers(ctx context.Context, tx *Tx, store customersd.StoreID, cs []customersd.DocumentCustomer, hashes []sql.NullString) error {
	cols := []string{"store_id", "id", "company", "first_name", "last_name", "email", "email_key", "phone", "form_fields",
		"date_created", "date_modified", "store_credit", "registration_ip_address", "customer_group_id",
		"notes", "tax_exempt_category", "reset_pass_on_login", "accepts_marketing", "password_hash"}
	// Form fields are encoded up front so that the row callback cannot fail.
	formFields := make([]sql.NullString, len(cs))
	for i, c := range cs {
		var err error
		if formFields[i], err = encodeFormFields(c.FormFields); err != nil {
			return fmt.Errorf("sqlstore: import customers[%d]: %w", i, err)
		}
	}
	return insertRows(ctx, tx, "customers", "customers", cols, len(cs), func(i int, row []any) []any {
		c := cs[i]
		credit, _ := c.StoreCredit.Decimal() // Validate checked it
		created := orNow(c.DateCreated, tx.now)
		modified := created
		if !c.DateModified.IsZero() {
			modified = c.DateModified.Unix()
		}
		email := strings.TrimSpace(c.Email)
		return append(row, store, c.ID, c.Company, c.FirstName, c.LastName, email, customersd.EmailKey(email), c.Phone, formFields[i],
			created, modified, int64(credit), c.RegistrationIPAddress, groupRef(c.CustomerGroupID),
			c.Notes, c.TaxExemptCategory, c.ResetPassOnLogin, c.AcceptsMarketing, hashes[i])
	})
}

func importAddresses(ctx context.Context, tx *Tx, store customersd.StoreID, as []customersd.DocumentAddress) error {
	cols := []string{"store_id", "id", "customer_id", "first_name", "last_name", "company", "street_1", "street_2",
		"city", "state", "zip", "country", "country_iso2", "phone", "address_type", "form_fields"}
	formFields := make([]sql.NullString, len(as))
	for i, a := range as {
		var err error
		if formFields[i], err = encodeFormFields(a.FormFields); err != nil {
			return fmt.Errorf("sqlstore: import addresses[%d]: %w", i, err)
		}
	}
	return insertRows(ctx, tx, "addresses", "customer_addresses", cols, len(as), func(i int, row []any) []any {
		a := as[i]
		// Stored as the V2 API stores it: the canonical country name and
		// its code (Validate checked the country is known).
		c, _ := country.Lookup(a.Country)
		var addr customersd.Address
		a.Input().Apply(&addr)
		return append(row, store, a.ID, a.CustomerID, addr.FirstName, addr.LastName, addr.Company, addr.Street1, addr.Street2,
			addr.City, addr.State, addr.Zip, c.Name, c.ISO2, addr.Phone, addr.AddressType, formFields[i])
	})
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
	_, err := tx.exec(ctx, `INSERT INTO id_counters (store_id, resource, last_id) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)
		ON CONFLICT (store_id, resource) DO UPDATE SET last_id = excluded.last_id`,
		store, resourceGroup, last[resourceGroup],
		store, resourceCustomer, last[resourceCustomer],
		store, resourceAddress, last[resourceAddress])
	if err != nil {
		return fmt.Errorf("sqlstore: set id counters of store %d: %w", store, err)
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
