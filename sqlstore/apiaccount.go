package sqlstore

import (
	"context"
	"fmt"

	"github.com/customersd/customersd"
)

// FindAPIAccounts implements customersd.TenantService.
func (s *TenantService) FindAPIAccounts(ctx context.Context, store customersd.StoreID) ([]*customersd.APIAccount, error) {
	rows, err := s.db.reader().query(ctx, `SELECT a.client_id, a.scopes, a.created_at, s.id, s.hash, s.plan, s.created_at
		FROM api_accounts a JOIN stores s ON s.id = a.store_id
		WHERE a.store_id = ? ORDER BY a.created_at, a.client_id`, store)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find api accounts of store %d: %w", store, err)
	}
	defer rows.Close()
	out := []*customersd.APIAccount{}
	for rows.Next() {
		var (
			a             customersd.APIAccount
			scopes        string
			since, ssince int64
		)
		if err := rows.Scan(&a.ClientID, &scopes, &since, &a.Store.ID, &a.Store.Hash, &a.Store.Plan, &ssince); err != nil {
			return nil, fmt.Errorf("sqlstore: scan api account of store %d: %w", store, err)
		}
		a.Scopes = parseScopes(scopes)
		a.CreatedAt, a.Store.CreatedAt = unixTime(since), unixTime(ssince)
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: find api accounts of store %d: %w", store, err)
	}
	return out, nil
}

// RevokeAPIAccount implements customersd.TenantService. Authenticate reads
// the database on every request, so the token fails on every node at once.
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
		return nil
	})
}
