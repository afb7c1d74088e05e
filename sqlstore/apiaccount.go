package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/customersd/customersd"
)

// CreateAPIAccount implements customersd.TenantService.
func (s *TenantService) CreateAPIAccount(ctx context.Context, store customersd.StoreID, token string, scopes []customersd.Scope) (*customersd.APIAccount, error) {
	return s.CreateAPIAccountFrom(ctx, store, &customersd.APIAccountInput{
		ClientID: customersd.NewClientID(), ClientSecret: customersd.NewClientSecret(), AccessToken: token, Scopes: scopes,
	})
}

// CreateAPIAccountFrom implements customersd.TenantService.
func (s *TenantService) CreateAPIAccountFrom(ctx context.Context, store customersd.StoreID, in *customersd.APIAccountInput) (*customersd.APIAccount, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	a := &customersd.APIAccount{ClientID: in.ClientID, ClientSecret: in.ClientSecret, Scopes: in.Scopes}
	err := s.db.withTx(ctx, func(tx *Tx) error {
		a.CreatedAt = tx.now
		err := insertAccount(ctx, tx, store, a, tokenHash(in.AccessToken))
		switch {
		case isPrimaryKeyViolation(err):
			return customersd.Errorf(customersd.ECONFLICT, "Client id %q already exists.", a.ClientID)
		case isUniqueViolation(err):
			return customersd.Errorf(customersd.ECONFLICT, "This access token already exists.")
		case isForeignKeyViolation(err):
			return customersd.Errorf(customersd.ENOTFOUND, "Store %d not found.", store)
		case err != nil:
			return fmt.Errorf("sqlstore: create api account for store %d: %w", store, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.Store.ID = store
	return a, nil
}

// insertAccount writes an api_accounts row: the one mapping of the table's
// columns, used by create and import. a.CreatedAt is stored in seconds.
func insertAccount(ctx context.Context, tx *Tx, store customersd.StoreID, a *customersd.APIAccount, tokenHash []byte) error {
	names := make([]string, len(a.Scopes))
	for i, sc := range a.Scopes {
		names[i] = string(sc)
	}
	_, err := tx.exec(ctx, `INSERT INTO api_accounts (client_id, store_id, token_hash, client_secret, scopes, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		a.ClientID, store, tokenHash, a.ClientSecret, strings.Join(names, " "), a.CreatedAt.Unix())
	return err
}

// FindAPIAccountByClientID implements customersd.TenantService. Only this
// lookup reads the secret: Authenticate, on every request, has no use for it.
func (s *TenantService) FindAPIAccountByClientID(ctx context.Context, store customersd.StoreID, clientID string) (*customersd.APIAccount, error) {
	rows, err := queryAll(ctx, s.db.reader(), func(rows *sql.Rows) (*accountRow, error) {
		var secret string
		a, err := scanAccountWith(rows, &secret)
		if err != nil {
			return nil, err
		}
		a.ClientSecret = secret
		return a, nil
	}, `SELECT `+accountColumns+`, a.client_secret
		FROM api_accounts a JOIN stores s ON s.id = a.store_id
		WHERE a.store_id = ? AND a.client_id = ?`, store, clientID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find api account %q of store %d: %w", clientID, store, err)
	}
	if len(rows) == 0 {
		return nil, customersd.Errorf(customersd.ENOTFOUND, "API account %q not found.", clientID)
	}
	return &rows[0].APIAccount, nil
}

// FindAPIAccounts implements customersd.TenantService.
func (s *TenantService) FindAPIAccounts(ctx context.Context, store customersd.StoreID) ([]*customersd.APIAccount, error) {
	rows, err := queryAll(ctx, s.db.reader(), scanAccount, `SELECT `+accountColumns+`
		FROM api_accounts a JOIN stores s ON s.id = a.store_id
		WHERE a.store_id = ? ORDER BY a.created_at, a.client_id`, store)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find api accounts of store %d: %w", store, err)
	}
	out := make([]*customersd.APIAccount, len(rows))
	for i, r := range rows {
		out[i] = &r.APIAccount
	}
	return out, nil
}

// RevokeAPIAccount implements customersd.TenantService. Authenticate reads
// the database on every request, so the token fails on every node at once.
// The account's hooks and their deliveries go with it.
func (s *TenantService) RevokeAPIAccount(ctx context.Context, store customersd.StoreID, clientID string) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM api_accounts WHERE store_id = ? AND client_id = ?`, store, clientID)
		if err != nil {
			return fmt.Errorf("sqlstore: revoke api account %q of store %d: %w", clientID, store, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlstore: revoke api account %q of store %d: %w", clientID, store, err)
		}
		if n == 0 {
			return customersd.Errorf(customersd.ENOTFOUND, "API account %q not found.", clientID)
		}
		return deleteAccountHooks(ctx, tx, store, clientID)
	})
}

// deleteAccountHooks deletes an account's hooks, their deliveries and its
// hook emails: a revoked account's hooks would never be sent again (the
// signing secret is gone) and no one could see or delete them. Hooks
// first, then deliveries: the lock order (db.go).
func deleteAccountHooks(ctx context.Context, tx *Tx, store customersd.StoreID, clientID string) error {
	ids, err := queryAll(ctx, tx, func(rows *sql.Rows) (int64, error) {
		var id int64
		return id, rows.Scan(&id)
	}, `DELETE FROM hooks WHERE store_id = ? AND client_id = ? RETURNING id`, store, clientID)
	if err != nil {
		return fmt.Errorf("sqlstore: delete hooks of api account %q of store %d: %w", clientID, store, err)
	}
	for _, id := range ids {
		if _, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE store_id = ? AND hook_id = ?`, store, id); err != nil {
			return fmt.Errorf("sqlstore: delete deliveries of hook %d of store %d: %w", id, store, err)
		}
	}
	if _, err := tx.exec(ctx, `DELETE FROM hook_emails WHERE store_id = ? AND client_id = ?`, store, clientID); err != nil {
		return fmt.Errorf("sqlstore: delete hook emails of api account %q of store %d: %w", clientID, store, err)
	}
	return nil
}

// backfillCredentials runs in migration 0003's transaction: it gives each
// account without a client secret (every account, when the column is new) a
// random one from crypto/rand, and one without a client id (possible only in
// a row made by hand) a random id. Rows are addressed by token hash, the
// one key every row has.
func backfillCredentials(ctx context.Context, tx *Tx) error {
	type missing struct {
		hash     []byte
		clientID sql.NullString
	}
	rows, err := queryAll(ctx, tx, func(rows *sql.Rows) (missing, error) {
		var m missing
		return m, rows.Scan(&m.hash, &m.clientID)
	}, `SELECT token_hash, client_id FROM api_accounts
		WHERE client_secret = '' OR client_id IS NULL OR client_id = ''`)
	if err != nil {
		return fmt.Errorf("sqlstore: find accounts without credentials: %w", err)
	}
	for _, m := range rows {
		id := m.clientID.String
		if id == "" {
			id = customersd.NewClientID()
		}
		if _, err := tx.exec(ctx, `UPDATE api_accounts SET client_id = ?, client_secret = ? WHERE token_hash = ?`,
			id, customersd.NewClientSecret(), m.hash); err != nil {
			return fmt.Errorf("sqlstore: give api account %q a client secret: %w", id, err)
		}
	}
	return nil
}
