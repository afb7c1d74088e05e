package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/customersd/customersd"
)

// SeedOptions describes the synthetic customers Seed writes.
type SeedOptions struct {
	// Customers is how many customers to add, each with one address.
	Customers int
	// PasswordHash is given to every customer, so that benchmarks can
	// validate a known password without hashing a million times.
	PasswordHash string
	// Progress, when set, is called after each transaction with the number
	// of customers written so far.
	Progress func(done int)
}

// seedGroups are the groups Seed creates; customers are spread over them.
var seedGroups = []string{"Retail", "Wholesale", "VIP"}

// seedChunk is the number of customers per transaction: large enough that
// the fsync of each commit is lost in the insert work, small enough that
// the WAL stays a few tens of megabytes and readers are never held long.
const seedChunk = 20000

// SeedEmail is the address of the i-th customer (0-based) Seed writes, so a
// benchmark can look customers up by address without reading them back.
func SeedEmail(i int) string { return fmt.Sprintf("seed%d@example.com", i) }

// Seed bulk-loads synthetic customers with one address each, and a few
// groups, into an empty store: multi-row INSERTs in transactions of
// seedChunk customers, the way Import writes, so a million take minutes
// instead of the hours a million API calls would. Customer i gets ID i+1
// and the address SeedEmail(i). Returns ECONFLICT if the store already has
// customers, whose IDs would collide.
func Seed(ctx context.Context, db *DB, store customersd.StoreID, opt SeedOptions) error {
	if n, err := countRows(ctx, db.reader(), store, resourceCustomer); err != nil {
		return err
	} else if n > 0 {
		return customersd.Errorf(customersd.ECONFLICT, "Store %d already has %d customers.", store, n)
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		return insertSeedGroups(ctx, tx, store)
	})
	if err != nil {
		return err
	}
	hash := sql.NullString{String: opt.PasswordHash, Valid: opt.PasswordHash != ""}
	for from := 0; from < opt.Customers; from += seedChunk {
		to := min(opt.Customers, from+seedChunk)
		if err := db.withTx(ctx, func(tx *Tx) error { return insertSeedChunk(ctx, tx, store, from, to, hash) }); err != nil {
			return err
		}
		if opt.Progress != nil {
			opt.Progress(to)
		}
	}
	return db.analyze(ctx)
}

// analyze refreshes the planner's statistics after a bulk load. Until
// autovacuum gets to them, PostgreSQL plans with the statistics of the
// empty tables: it then sorted a million customers for every page of
// GET /customers (126 ms a query at 300k rows, against 1 ms with an index
// scan). SQLite's planner does well without statistics here.
func (db *DB) analyze(ctx context.Context) error {
	if db.dialect != postgresDialect {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `ANALYZE customers, customer_addresses, customer_groups`); err != nil {
		return fmt.Errorf("sqlstore: analyze: %w", err)
	}
	return nil
}

func insertSeedGroups(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	// The counter before the groups: the lock order (db.go).
	if err := setLastID(ctx, tx, store, resourceGroup, int64(len(seedGroups))); err != nil {
		return err
	}
	var g customersd.Group
	r := groupRow{Group: &g, store: store}
	err := groups.insertEach(ctx, tx, "groups", &r, len(seedGroups), func(i int) {
		g = customersd.Group{ID: int64(i + 1), Name: seedGroups[i], DateCreated: tx.now, DateModified: tx.now}
		(&customersd.GroupInput{}).Apply(&g) // the defaults: all categories, no rules
	})
	return err
}

func insertSeedChunk(ctx context.Context, tx *Tx, store customersd.StoreID, from, to int, hash sql.NullString) error {
	// Creation dates spread one a minute back from now, so date filters
	// and the date indexes see realistic, distinct values.
	base := tx.now.Unix() - int64(to)*60
	// The counters before the rows: the lock order (db.go).
	if err := setLastID(ctx, tx, store, resourceCustomer, int64(to)); err != nil {
		return err
	}
	if err := setLastID(ctx, tx, store, resourceAddress, int64(to)); err != nil {
		return err
	}
	var c customersd.Customer
	cr := customerRow{Customer: &c, store: store, passwordHash: hash}
	err := customers.insertEach(ctx, tx, "customers", &cr, to-from, func(k int) {
		i := from + k
		created := unixTime(base + int64(i)*60)
		c = customersd.Customer{
			ID:                    int64(i + 1),
			Company:               fmt.Sprintf("Company %d", i%5000),
			FirstName:             fmt.Sprintf("First%d", i%1000),
			LastName:              fmt.Sprintf("Last%d", i%997),
			Email:                 SeedEmail(i),
			Phone:                 fmt.Sprintf("+1 555 %07d", i%10000000),
			DateCreated:           created,
			DateModified:          created,
			StoreCredit:           customersd.Decimal(i%100) * 10000,
			RegistrationIPAddress: "192.0.2.1",
			CustomerGroupID:       int64(i%len(seedGroups) + 1),
			AcceptsMarketing:      i%2 == 0,
		}
	})
	if err != nil {
		return err
	}
	var a customersd.Address
	ar := addressRow{Address: &a, store: store}
	err = addresses.insertEach(ctx, tx, "addresses", &ar, to-from, func(k int) {
		i := from + k
		a = customersd.Address{
			ID:          int64(i + 1),
			CustomerID:  int64(i + 1),
			FirstName:   fmt.Sprintf("First%d", i%1000),
			LastName:    fmt.Sprintf("Last%d", i%997),
			Street1:     fmt.Sprintf("%d Main Street", i%9999+1),
			City:        "Springfield",
			State:       "Illinois",
			Zip:         fmt.Sprintf("%05d", i%100000),
			Country:     "United States",
			CountryISO2: "US",
			Phone:       "+1 555 0100",
			AddressType: customersd.AddressResidential,
		}
	})
	return err
}
