package main

import (
	"context"
	"fmt"

	"github.com/customersd/customersd"
)

// bootstrap makes sure there is a store to talk to. With
// CUSTOMERSD_STORE_HASH and CUSTOMERSD_ACCESS_TOKEN set, that store and a
// full-scope token exist afterwards (idempotent). Otherwise, on a database
// without stores, it creates one with a random hash and token and prints
// them once, since the token is stored only as a hash. A store created
// here is for development and test suites: it gets an unthrottled quota of
// its own (see unthrottled).
func (c *ServeCommand) bootstrap(ctx context.Context, tenants customersd.TenantService, baseURL string) error {
	if c.Config.StoreHash != "" {
		return ensureStoreToken(ctx, tenants, c.Config.StoreHash, c.Config.AccessToken)
	}
	stores, err := tenants.FindStores(ctx)
	if err != nil {
		return err
	}
	if len(stores) > 0 {
		return nil
	}
	st := &customersd.Store{Hash: customersd.NewStoreHash(), RateLimit: unthrottled()}
	if err := tenants.CreateStore(ctx, st); err != nil {
		return err
	}
	token := customersd.NewAccessToken()
	if _, err := tenants.CreateAPIAccount(ctx, st.ID, token, []customersd.Scope{customersd.ScopeCustomers}); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, `
customersd: created store %[1]q with an access token of scope store_v2_customers.
The token is shown only now; it is stored as a hash.

  store hash:   %[1]s
  access token: %[2]s

  curl -H 'X-Auth-Token: %[2]s' -H 'Accept: application/json' %[3]s/stores/%[1]s/v2/customers

`, st.Hash, token, baseURL)
	return nil
}

// ensureStoreToken creates the store and the token if they are missing.
func ensureStoreToken(ctx context.Context, tenants customersd.TenantService, hash, token string) error {
	st, err := tenants.FindStoreByHash(ctx, hash)
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		st = &customersd.Store{Hash: hash, RateLimit: unthrottled()}
		err = tenants.CreateStore(ctx, st)
		if customersd.ErrorCode(err) == customersd.ECONFLICT { // another node won the race
			st, err = tenants.FindStoreByHash(ctx, hash)
		}
	}
	if err != nil {
		return fmt.Errorf("store %q: %w", hash, err)
	}
	a, err := tenants.FindAPIAccountByToken(ctx, token)
	switch {
	case err == nil && a.Store.ID != st.ID:
		return fmt.Errorf("CUSTOMERSD_ACCESS_TOKEN already belongs to store %q", a.Store.Hash)
	case err == nil:
		return nil
	case customersd.ErrorCode(err) != customersd.ENOTFOUND:
		return err
	}
	_, err = tenants.CreateAPIAccount(ctx, st.ID, token, []customersd.Scope{customersd.ScopeCustomers})
	if customersd.ErrorCode(err) == customersd.ECONFLICT {
		return nil // created meanwhile by another node
	}
	return err
}
