package cli

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// bootstrap makes sure there is a store to talk to. With
// CUSTOMERSD_STORE_HASH and CUSTOMERSD_ACCESS_TOKEN set, that store and a
// full-scope account with that token (and CUSTOMERSD_CLIENT_ID and
// CUSTOMERSD_CLIENT_SECRET, when set) exist afterwards (idempotent).
// Otherwise, on a database without stores, it creates one with random
// credentials and prints them once, since the token is stored only as a
// hash. A store created here is for development and test suites: it gets
// an unthrottled quota of its own (ratelimit.Unthrottled). Config.validate has
// checked every value before.
func (c *ServeCommand) bootstrap(ctx context.Context, tenants customersd.TenantService, baseURL string) error {
	if c.Config.StoreHash != "" {
		return ensureStoreToken(ctx, tenants, c.Config.StoreHash, c.Config.startAccount())
	}
	stores, err := tenants.FindStores(ctx)
	if err != nil {
		return err
	}
	if len(stores) > 0 {
		return nil
	}
	st := &customersd.Store{Hash: customersd.NewStoreHash(), RateLimit: ratelimit.Unthrottled()}
	if err := tenants.CreateStore(ctx, st); err != nil {
		return err
	}
	in := &customersd.APIAccountInput{Scopes: []customersd.Scope{customersd.ScopeCustomers}}
	in.Complete()
	a, err := tenants.CreateAPIAccountFrom(ctx, st.ID, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "\ncustomersd: created store %q with an API account of scope store_v2_customers.\n", st.Hash)
	printAccount(c.Stdout, st, a, in.AccessToken)
	fmt.Fprintf(c.Stdout, "  curl -H 'X-Auth-Token: %[2]s' -H 'Accept: application/json' %[3]s/stores/%[1]s/v2/customers\n\n",
		st.Hash, in.AccessToken, baseURL)
	return nil
}

// printAccount shows a new account's credentials, once. The store hash and
// access token lines are as they always were, for scripts that read them.
func printAccount(w io.Writer, st *customersd.Store, a *customersd.APIAccount, token string) {
	fmt.Fprintf(w, `The token and the client secret are shown only now; the token is stored as a hash.

  store hash:   %s
  access token: %s
  client id:    %s
  client secret: %s

`, st.Hash, token, a.ClientID, a.ClientSecret)
}

// ensureStoreToken creates the store and the account if they are missing.
// An account that holds the token but not the client id or secret asked
// for is an error, not changed: revoking it is the operator's call.
func ensureStoreToken(ctx context.Context, tenants customersd.TenantService, hash string, want customersd.APIAccountInput) error {
	st, err := tenants.FindStoreByHash(ctx, hash)
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		st = &customersd.Store{Hash: hash, RateLimit: ratelimit.Unthrottled()}
		err = tenants.CreateStore(ctx, st)
		if customersd.ErrorCode(err) == customersd.ECONFLICT { // another node won the race
			st, err = tenants.FindStoreByHash(ctx, hash)
		}
	}
	if err != nil {
		return fmt.Errorf("store %q: %w", hash, err)
	}
	err = checkStartAccount(ctx, tenants, st, want)
	if customersd.ErrorCode(err) != customersd.ENOTFOUND {
		return err
	}
	in := want
	in.Complete()
	_, err = tenants.CreateAPIAccountFrom(ctx, st.ID, &in)
	if customersd.ErrorCode(err) == customersd.ECONFLICT {
		// Created meanwhile by another node, which is fine if it is the
		// account asked for; or the client id is another account's.
		if cerr := checkStartAccount(ctx, tenants, st, want); customersd.ErrorCode(cerr) != customersd.ENOTFOUND {
			return cerr
		}
		return fmt.Errorf("CUSTOMERSD_CLIENT_ID: %w", err)
	}
	return err
}

// checkStartAccount returns nil if the store has an account with want's
// token and, where want sets them, its client id and secret; ENOTFOUND if
// no account has the token; another error naming the settings otherwise.
func checkStartAccount(ctx context.Context, tenants customersd.TenantService, st *customersd.Store, want customersd.APIAccountInput) error {
	a, err := tenants.FindAPIAccountByToken(ctx, want.AccessToken)
	if err != nil {
		return err
	}
	const revoke = "revoke it (customersd tokens revoke) to have it made again"
	switch {
	case a.Store.ID != st.ID:
		return fmt.Errorf("CUSTOMERSD_ACCESS_TOKEN already belongs to store %q", a.Store.Hash)
	case want.ClientID != "" && a.ClientID != want.ClientID:
		return fmt.Errorf("CUSTOMERSD_ACCESS_TOKEN belongs to API account %q, not to CUSTOMERSD_CLIENT_ID %q; %s", a.ClientID, want.ClientID, revoke)
	case want.ClientSecret == "":
		return nil
	}
	full, err := tenants.FindAPIAccountByClientID(ctx, st.ID, a.ClientID)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(full.ClientSecret), []byte(want.ClientSecret)) != 1 {
		return fmt.Errorf("API account %q of CUSTOMERSD_ACCESS_TOKEN has another secret than CUSTOMERSD_CLIENT_SECRET; %s", a.ClientID, revoke)
	}
	return nil
}
