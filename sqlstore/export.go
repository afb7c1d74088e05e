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
func (s *ExportService) Export(ctx context.Context, store customersd.StoreID, opts customersd.ExportOptions) (*customersd.Document, error) {
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
		exportCounters, exportGroups, exportCustomers, exportAddresses, exportRateLimit,
	} {
		if err := step(ctx, tx, store, doc); err != nil {
			return nil, err
		}
	}
	if opts.APIAccounts {
		if err := exportAccounts(ctx, tx, store, doc); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// beginSnapshot starts a read-only transaction that sees the database as it
// was at one moment throughout. PostgreSQL needs REPEATABLE READ for that
// (its default READ COMMITTED takes a new snapshot per statement); a SQLite
// read transaction in WAL mode is a snapshot already, and the driver
// ignores the isolation level.
func (db *DB) beginSnapshot(ctx context.Context) (*Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == postgresDialect {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: begin snapshot: %w", err)
	}
	if db.dialect == postgresDialect {
		// An export reads a whole store, as fast as its client takes it:
		// the statement timeout of requests does not apply.
		if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("sqlstore: lift statement timeout for a snapshot: %w", err)
		}
	}
	return &Tx{q: tx, sqlTx: tx, dialect: db.dialect, now: db.now()}, nil
}

func exportCounters(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	last, err := lastIDs(ctx, tx, store)
	if err != nil {
		return err
	}
	doc.Counters.Customers, doc.Counters.Addresses, doc.Counters.Groups = last[resourceCustomer], last[resourceAddress], last[resourceGroup]
	return nil
}

func exportGroups(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	var g customersd.Group
	err := scanEach(ctx, tx, groups.exported, &groupRow{Group: &g}, func() error {
		d, err := documentGroup(&g)
		doc.Groups = append(doc.Groups, d)
		return err
	}, `SELECT `+groups.exportList+` FROM customer_groups WHERE store_id = ? ORDER BY id`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export groups of store %d: %w", store, err)
	}
	return nil
}

// documentGroup is g as a document carries it: category access and
// discount rules in their V2 wire form, as the API returns them.
func documentGroup(g *customersd.Group) (customersd.DocumentGroup, error) {
	access, err := json.Marshal(g.CategoryAccess)
	if err != nil {
		return customersd.DocumentGroup{}, fmt.Errorf("group %d: %w", g.ID, err)
	}
	rules, err := json.Marshal(g.DiscountRules)
	if err != nil {
		return customersd.DocumentGroup{}, fmt.Errorf("group %d: %w", g.ID, err)
	}
	return customersd.DocumentGroup{
		ID:               g.ID,
		Name:             g.Name,
		IsDefault:        g.IsDefault,
		IsGroupForGuests: g.IsGroupForGuests,
		CategoryAccess:   access,
		DiscountRules:    rules,
		DateCreated:      g.DateCreated,
		DateModified:     g.DateModified,
	}, nil
}

func exportCustomers(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	var c customersd.Customer
	r := customerRow{Customer: &c}
	err := scanEach(ctx, tx, customers.exported, &r, func() error {
		doc.Customers = append(doc.Customers, documentCustomer(&r))
		return nil
	}, `SELECT `+customers.exportList+` FROM customers WHERE store_id = ? ORDER BY id`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export customers of store %d: %w", store, err)
	}
	return nil
}

// documentCustomer is the customer of r, with its password hash.
func documentCustomer(r *customerRow) customersd.DocumentCustomer {
	return customersd.DocumentCustomer{
		ID:                    r.ID,
		Company:               r.Company,
		FirstName:             r.FirstName,
		LastName:              r.LastName,
		Email:                 r.Email,
		Phone:                 r.Phone,
		FormFields:            r.FormFields,
		DateCreated:           r.DateCreated,
		DateModified:          r.DateModified,
		StoreCredit:           customersd.Amount(r.StoreCredit.String()),
		RegistrationIPAddress: r.RegistrationIPAddress,
		CustomerGroupID:       r.CustomerGroupID,
		Notes:                 r.Notes,
		TaxExemptCategory:     r.TaxExemptCategory,
		ResetPassOnLogin:      r.ResetPassOnLogin,
		AcceptsMarketing:      r.AcceptsMarketing,
		PasswordHash:          r.passwordHash.String,
	}
}

func exportAddresses(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	var a customersd.Address
	err := scanEach(ctx, tx, addresses.exported, &addressRow{Address: &a}, func() error {
		doc.Addresses = append(doc.Addresses, documentAddress(&a))
		return nil
	}, `SELECT `+addresses.exportList+` FROM customer_addresses WHERE store_id = ? ORDER BY id`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export addresses of store %d: %w", store, err)
	}
	return nil
}

func documentAddress(a *customersd.Address) customersd.DocumentAddress {
	return customersd.DocumentAddress{
		ID:          a.ID,
		CustomerID:  a.CustomerID,
		FirstName:   a.FirstName,
		LastName:    a.LastName,
		Company:     a.Company,
		Street1:     a.Street1,
		Street2:     a.Street2,
		City:        a.City,
		State:       a.State,
		Zip:         a.Zip,
		Country:     a.Country,
		CountryISO2: a.CountryISO2,
		Phone:       a.Phone,
		AddressType: a.AddressType,
		FormFields:  a.FormFields,
	}
}
