package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/customersd/customersd"
)

// exportRateLimit adds the store's own request quota to an export.
func exportRateLimit(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	var rl nullRateLimit
	if err := tx.queryRow(ctx, `SELECT rate_limit_requests, rate_limit_window_ms FROM stores WHERE id = ?`, store).
		Scan(&rl.requests, &rl.windowMS); err != nil {
		return fmt.Errorf("sqlstore: export rate limit of store %d: %w", store, err)
	}
	doc.Store.RateLimit = customersd.NewDocumentRateLimit(rl.value())
	return nil
}

// exportAccounts adds the store's API accounts to an export, each with its
// client secret and the hash of its token (never the token, which is not
// stored).
func exportAccounts(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	accounts, err := queryAll(ctx, tx, scanDocumentAccount, `SELECT client_id, client_secret, token_hash, scopes, created_at
		FROM api_accounts WHERE store_id = ? ORDER BY created_at, client_id`, store)
	if err != nil {
		return fmt.Errorf("sqlstore: export api accounts of store %d: %w", store, err)
	}
	for _, a := range accounts {
		doc.APIAccounts = append(doc.APIAccounts, *a)
	}
	return nil
}

func scanDocumentAccount(rows *sql.Rows) (*customersd.DocumentAPIAccount, error) {
	var (
		a      customersd.DocumentAPIAccount
		hash   []byte
		scopes string
		since  int64
	)
	if err := rows.Scan(&a.ClientID, &a.ClientSecret, &hash, &scopes, &since); err != nil {
		return nil, err
	}
	a.AccessTokenSHA256 = hex.EncodeToString(hash)
	a.Scopes = parseScopes(scopes)
	if a.Scopes == nil {
		a.Scopes = []customersd.Scope{} // none, which is not "left out"
	}
	a.CreatedAt = unixTime(since)
	return &a, nil
}

// importTenant applies, inside Import's transaction, the document's quota
// when it has one, and adds the document's API accounts to the store's. An
// account of the store with the same client id or token is replaced by the
// document's; the store's other accounts stay, so importing a fixture never
// revokes the token a test suite is holding (a store made by POST
// /admin/v1/stores has one). A client id or token that belongs to another
// store is ECONFLICT, and the whole import rolls back: an account is one
// store's, so copying a store's export into a second store while the first
// exists needs the accounts left out of the document.
func importTenant(ctx context.Context, tx *Tx, store customersd.StoreID, doc *customersd.Document) error {
	if q := doc.Store.RateLimit.RateLimit(); q != nil {
		requests, windowMS := rateLimitArgs(q)
		if _, err := tx.exec(ctx, `UPDATE stores SET rate_limit_requests = ?, rate_limit_window_ms = ? WHERE id = ?`,
			requests, windowMS, store); err != nil {
			return fmt.Errorf("sqlstore: set rate limit of store %d: %w", store, err)
		}
	}
	for i, d := range doc.APIAccounts {
		a := &customersd.APIAccount{ClientID: d.ClientID, ClientSecret: d.ClientSecret, Scopes: d.ScopesOrDefault(), CreatedAt: d.CreatedAt}
		if a.ClientID == "" {
			a.ClientID = customersd.NewClientID()
		}
		if a.ClientSecret == "" {
			a.ClientSecret = customersd.NewClientSecret()
		}
		if a.CreatedAt.IsZero() {
			a.CreatedAt = tx.now
		}
		hash := d.TokenHash()
		if _, err := tx.exec(ctx, `DELETE FROM api_accounts WHERE store_id = ? AND (client_id = ? OR token_hash = ?)`,
			store, a.ClientID, hash); err != nil {
			return fmt.Errorf("sqlstore: replace api_accounts[%d] of store %d: %w", i, store, err)
		}
		err := insertAccount(ctx, tx, store, a, hash)
		switch {
		case isPrimaryKeyViolation(err):
			return accountTaken(i, fmt.Sprintf("client id %q belongs to another store", a.ClientID))
		case isUniqueViolation(err):
			return accountTaken(i, "its access token belongs to another store")
		case err != nil:
			return fmt.Errorf("sqlstore: import api_accounts[%d] into store %d: %w", i, store, err)
		}
	}
	return nil
}

func accountTaken(i int, what string) error {
	return &customersd.Error{Code: customersd.ECONFLICT, Field: "api_accounts", Message: fmt.Sprintf(
		"api_accounts[%d]: %s; an account belongs to one store, so leave api_accounts out to copy only the data", i, what)}
}
