package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/customersd/customersd"
)

// LoginService implements customersd.LoginService on the tables of
// migration 0007. Its transactions touch only those tables (and read a
// customer's key, as a session's foreign key does): they come after every
// lock of db.go's order.
type LoginService struct {
	db *DB
}

var _ customersd.LoginService = (*LoginService)(nil)

// NewLoginService returns the login records of db.
func NewLoginService(db *DB) *LoginService { return &LoginService{db: db} }

// UseJTI implements customersd.LoginService. The insert is the check: the
// primary key (store_id, jti) admits one row, so of two nodes inserting
// the same jti at once one inserts it and the other, once the first has
// committed, inserts nothing (PostgreSQL waits on the key; SQLite runs one
// writer). No SELECT first: that would let both see it missing.
func (s *LoginService) UseJTI(ctx context.Context, store customersd.StoreID, jti string, expires time.Time) (bool, error) {
	var fresh bool
	err := s.db.withTx(ctx, func(tx *Tx) error {
		// Expired rows go first, so a jti kept past its time cannot refuse
		// a token, whatever the pruning missed.
		if _, err := tx.exec(ctx, `DELETE FROM login_jtis WHERE store_id = ? AND expires_at < ?`, store, tx.now.Unix()); err != nil {
			return fmt.Errorf("sqlstore: prune login jtis of store %d: %w", store, err)
		}
		res, err := tx.exec(ctx, `INSERT INTO login_jtis (store_id, jti, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (store_id, jti) DO NOTHING`, store, jti, expires.Unix())
		if err != nil {
			return fmt.Errorf("sqlstore: use login jti of store %d: %w", store, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlstore: use login jti of store %d: %w", store, err)
		}
		fresh = n == 1
		return nil
	})
	return fresh, err
}

// JTIUsed implements customersd.LoginService.
func (s *LoginService) JTIUsed(ctx context.Context, store customersd.StoreID, jti string) (bool, error) {
	tx := s.db.reader()
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM login_jtis WHERE store_id = ? AND jti = ? AND expires_at >= ?`,
		store, jti, tx.now.Unix()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlstore: find login jti of store %d: %w", store, err)
	}
	return n > 0, nil
}

// StoreOfClientID implements customersd.LoginService. A client id is
// unique across stores (the primary key of api_accounts), so it names one.
func (s *LoginService) StoreOfClientID(ctx context.Context, clientID string) (string, error) {
	var hash string
	err := s.db.reader().queryRow(ctx, `SELECT s.hash FROM api_accounts a JOIN stores s ON s.id = a.store_id
		WHERE a.client_id = ?`, clientID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", customersd.Errorf(customersd.ENOTFOUND, "No API account has client id %q.", clientID)
	} else if err != nil {
		return "", fmt.Errorf("sqlstore: find the store of client id %q: %w", clientID, err)
	}
	return hash, nil
}
