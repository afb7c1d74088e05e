package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
)

// seed imports the --seed document into the store its store.hash names,
// creating the store (on the document's plan) when it is missing. It runs
// at every start, so the store always starts from the fixture, whatever
// the previous run left in it. When the seed created the store and nothing
// else gives it a token (CUSTOMERSD_STORE_HASH names another store, or
// none, and the document has no api_accounts), it prints a new account's
// credentials once, as bootstrap does for its own store.
func (c *ServeCommand) seed(ctx context.Context, db *sqlstore.DB, tenants *sqlstore.TenantService, logger *slog.Logger) error {
	path := c.Config.Admin.Seed
	doc, err := readDocument(path, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if doc.Store.Hash == "" {
		return fmt.Errorf("seed %s: store.hash is required: it names the store to seed", path)
	}
	exporter := sqlstore.NewExportService(db, password.Hasher{Cost: c.Config.BcryptCost})
	st, created, err := importDocument(ctx, tenants, exporter, doc.Store.Hash, doc)
	if err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	if created {
		// A store made at start-up is for test suites: unthrottled, like
		// bootstrap's (ratelimit.Unthrottled), even when CUSTOMERSD_STORE_HASH
		// names it and bootstrap finds it already made.
		if err := tenants.SetStoreRateLimit(ctx, st.ID, ratelimit.Unthrottled()); err != nil {
			return fmt.Errorf("seed %s: %w", path, err)
		}
	}
	logger.Info("seeded store", slog.String("store", st.Hash), slog.String("file", path),
		slog.Int("customers", len(doc.Customers)), slog.Int("addresses", len(doc.Addresses)), slog.Int("groups", len(doc.Groups)))
	if !created || c.Config.StoreHash == st.Hash || len(doc.APIAccounts) > 0 {
		return nil
	}
	in := &customersd.APIAccountInput{Scopes: []customersd.Scope{customersd.ScopeCustomers}}
	in.Complete()
	a, err := tenants.CreateAPIAccountFrom(ctx, st.ID, in)
	if err != nil {
		return fmt.Errorf("seed %s: create token: %w", path, err)
	}
	fmt.Fprintf(c.Stdout, "\ncustomersd: created store %q from %s with an API account of scope store_v2_customers.\n", st.Hash, path)
	printAccount(c.Stdout, st, a, in.AccessToken)
	return nil
}

// importDocument replaces the state of the store named hash with doc,
// creating the store when it is missing; created says whether it did. The
// document is validated first, so a bad one creates nothing either.
func importDocument(ctx context.Context, tenants customersd.TenantService, exporter customersd.ExportService, hash string, doc *customersd.Document) (st *customersd.Store, created bool, err error) {
	if err := doc.Validate(); err != nil {
		return nil, false, err
	}
	st, err = tenants.FindStoreByHash(ctx, hash)
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		st = &customersd.Store{Hash: hash, Plan: doc.Store.Plan}
		err = tenants.CreateStore(ctx, st)
		created = err == nil
		if customersd.ErrorCode(err) == customersd.ECONFLICT { // another node seeding at once
			st, err = tenants.FindStoreByHash(ctx, hash)
		}
	}
	if err != nil {
		return nil, false, err
	}
	if err := exporter.Import(ctx, st.ID, doc); err != nil {
		if created {
			// Leave no empty store behind a failed import.
			err = errors.Join(err, tenants.DeleteStore(ctx, st.ID))
		}
		return nil, false, err
	}
	return st, created, nil
}
