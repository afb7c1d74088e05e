package sqlstore

import (
	"context"
	"fmt"

	"github.com/customersd/customersd"
)

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
