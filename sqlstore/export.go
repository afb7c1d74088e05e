package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
)

// ExportService implements customersd.ExportService.
type ExportService struct {
	db     *DB
	hasher password.Hasher
}

var _ customersd.ExportService = (*ExportService)(nil)

// NewExportService returns the exporter of db. Plain passwords in imported
// documents are hashed with h.
func NewExportService(db *DB, h password.Hasher) *ExportService {
	return &ExportService{db: db, hasher: h}
}

// Export implements customersd.ExportService. It reads in one snapshot, so
// a document never mixes states from before and after a concurrent write.
func (s *ExportService) Export(ctx context.Context, store customersd.StoreID) (*customersd.Document, error) {
	tx, err := s.db.beginSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	doc := &customersd.Document{
		Format:    customersd.DocumentFormat,
		Groups:    []customersd.DocumentGroup{},
		Customers: []customersd.DocumentCustomer{},
		Addresses: []customersd.DocumentAddress{},
	}
	err = tx.queryRow(ctx, `SELECT hash, plan FROM stores WHERE id = ?`, store).Scan(&doc.Store.Hash, &doc.Store.Plan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customersd.Errorf(customersd.ENOTFOUND, "Store %d not found.", store)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: export store %d: %w", store, err)
	}
	for _, step := range []func(context.Context, *Tx, customersd.StoreID, *customersd.Document) error{
		exportCounters, exportGroups, exportCustomers, exportAddresses, exportTenant,
	} {
		if err := step(ctx, tx, store, doc); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// beginSnapshot starts a read-only transaction that sees one state of the
// database throughout. PostgreSQL needs REPEATABLE READ for that (its default
// READ COMMITTED takes a new snapshot per statement); a SQLite read
// transaction in WAL mode is a snapshot already, and the driver ignores
// the isolation level.
func (db *DB) beginSnapshot(ctx context.Context) (*Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == postgresDialect {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: begin snapshot: %w", err)
	}
	return &Tx{q: tx, sqlTx: tx, dialect: db.dialect, now: db.now()}, nil
}

func exportCounters(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	rows, err := tx.query(ctx, `SELECT resource, last_id FROM id_counters WHERE store_id = ?`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export id counters of store %d: %w", store, err)
	}
	defer rows.Close()
	for rows.Next() {
		var resource string
		var last int64
		if err := rows.Scan(&resource, &last); err != nil {
			return fmt.Errorf("sqlstore: scan id counter of store %d: %w", store, err)
		}
		switch resource {
		case resourceCustomer:
			doc.Counters.Customers = last
		case resourceAddress:
			doc.Counters.Addresses = last
		case resourceGroup:
			doc.Counters.Groups = last
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: export id counters of store %d: %w", store, err)
	}
	return nil
}

func exportGroups(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	rows, err := tx.query(ctx, `SELECT id, name, is_default, is_group_for_guests, category_access, discount_rules,
		date_created, date_modified FROM customer_groups WHERE store_id = ? ORDER BY id`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export groups of store %d: %w", store, err)
	}
	defer rows.Close()
	for rows.Next() {
		var g customersd.DocumentGroup
		var access, rules string
		var created, modified int64
		if err := rows.Scan(&g.ID, &g.Name, &g.IsDefault, &g.IsGroupForGuests, &access, &rules, &created, &modified); err != nil {
			return fmt.Errorf("sqlstore: scan group of store %d: %w", store, err)
		}
		// The columns hold V2 wire JSON already; it goes out as it is.
		g.CategoryAccess, g.DiscountRules = json.RawMessage(access), json.RawMessage(rules)
		g.DateCreated, g.DateModified = unixTime(created), unixTime(modified)
		doc.Groups = append(doc.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: export groups of store %d: %w", store, err)
	}
	return nil
}

func exportCustomers(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	rows, err := tx.query(ctx, `SELECT id, company, first_name, last_name, email, phone, form_fields,
		date_created, date_modified, store_credit, registration_ip_address, customer_group_id,
		notes, tax_exempt_category, reset_pass_on_login, accepts_marketing, password_hash
		FROM customers WHERE store_id = ? ORDER BY id`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export customers of store %d: %w", store, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c                 customersd.DocumentCustomer
			formFields, hash  sql.NullString
			created, modified int64
			credit            int64
			group             sql.NullInt64
		)
		err := rows.Scan(&c.ID, &c.Company, &c.FirstName, &c.LastName, &c.Email, &c.Phone, &formFields,
			&created, &modified, &credit, &c.RegistrationIPAddress, &group,
			&c.Notes, &c.TaxExemptCategory, &c.ResetPassOnLogin, &c.AcceptsMarketing, &hash)
		if err != nil {
			return fmt.Errorf("sqlstore: scan customer of store %d: %w", store, err)
		}
		if c.FormFields, err = decodeFormFields(formFields); err != nil {
			return fmt.Errorf("sqlstore: customer %d of store %d: %w", c.ID, store, err)
		}
		c.DateCreated, c.DateModified = unixTime(created), unixTime(modified)
		c.StoreCredit = customersd.Amount(customersd.Decimal(credit).String())
		c.CustomerGroupID, c.PasswordHash = group.Int64, hash.String
		doc.Customers = append(doc.Customers, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: export customers of store %d: %w", store, err)
	}
	return nil
}

func exportAddresses(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	rows, err := tx.query(ctx, `SELECT id, customer_id, first_name, last_name, company, street_1, street_2,
		city, state, zip, country, country_iso2, phone, address_type, form_fields
		FROM customer_addresses WHERE store_id = ? ORDER BY id`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export addresses of store %d: %w", store, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a customersd.DocumentAddress
		var formFields sql.NullString
		err := rows.Scan(&a.ID, &a.CustomerID, &a.FirstName, &a.LastName, &a.Company, &a.Street1, &a.Street2,
			&a.City, &a.State, &a.Zip, &a.Country, &a.CountryISO2, &a.Phone, &a.AddressType, &formFields)
		if err != nil {
			return fmt.Errorf("sqlstore: scan address of store %d: %w", store, err)
		}
		if a.FormFields, err = decodeFormFields(formFields); err != nil {
			return fmt.Errorf("sqlstore: address %d of store %d: %w", a.ID, store, err)
		}
		doc.Addresses = append(doc.Addresses, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: export addresses of store %d: %w", store, err)
	}
	return nil
}
