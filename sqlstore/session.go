package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/customersd/customersd"
)

// RecordLoginAttempt implements customersd.LoginService. The trim keeps
// the newest MaxLoginAttempts of the store: one indexed range delete below
// the id of the last one kept.
func (s *LoginService) RecordLoginAttempt(ctx context.Context, store customersd.StoreID, a *customersd.LoginAttempt) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		a.At = tx.now
		err := tx.queryRow(ctx, `INSERT INTO login_attempts
			(store_id, at, ok, check_name, reason, detail, client_id, `+colCustomerID+`, ip, claims)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			store, a.At.Unix(), a.OK, a.Check, a.Reason, a.Detail, a.ClientID, a.CustomerID, a.IP, a.Claims).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("sqlstore: record login attempt of store %d: %w", store, err)
		}
		_, err = tx.exec(ctx, `DELETE FROM login_attempts WHERE store_id = ? AND id < (
			SELECT id FROM login_attempts WHERE store_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
			store, store, customersd.MaxLoginAttempts-1)
		if err != nil {
			return fmt.Errorf("sqlstore: trim login attempts of store %d: %w", store, err)
		}
		return nil
	})
}

// FindLoginAttempts implements customersd.LoginService.
func (s *LoginService) FindLoginAttempts(ctx context.Context, store customersd.StoreID, limit int) ([]*customersd.LoginAttempt, error) {
	out, err := queryAll(ctx, s.db.reader(), func(rows *sql.Rows) (*customersd.LoginAttempt, error) {
		a := &customersd.LoginAttempt{}
		var at int64
		err := rows.Scan(&a.ID, &at, &a.OK, &a.Check, &a.Reason, &a.Detail, &a.ClientID, &a.CustomerID, &a.IP, &a.Claims)
		a.At = unixTime(at)
		return a, err
	}, `SELECT id, at, ok, check_name, reason, detail, client_id, `+colCustomerID+`, ip, claims
		FROM login_attempts WHERE store_id = ? ORDER BY id DESC LIMIT ?`, store, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find login attempts of store %d: %w", store, err)
	}
	return out, nil
}

// CreateSession implements customersd.LoginService. The foreign key to
// the customer is the existence check, so a customer deleted meanwhile
// gets no session; the store's expired sessions are pruned on the way.
func (s *LoginService) CreateSession(ctx context.Context, store customersd.StoreID, token string, customer int64, expires time.Time) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO storefront_sessions (token_hash, store_id, `+colCustomerID+`, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, tokenHash(token), store, customer, tx.now.Unix(), expires.Unix())
		if isForeignKeyViolation(err) {
			return customersd.Errorf(customersd.ENOTFOUND, "Customer %d not found.", customer)
		} else if err != nil {
			return fmt.Errorf("sqlstore: create session of customer %d in store %d: %w", customer, store, err)
		}
		// After the insert, which key-share locks the customer: customers
		// before sessions is the lock order (db.go).
		if _, err := tx.exec(ctx, `DELETE FROM storefront_sessions WHERE store_id = ? AND expires_at < ?`, store, tx.now.Unix()); err != nil {
			return fmt.Errorf("sqlstore: prune sessions of store %d: %w", store, err)
		}
		return nil
	})
}

// FindSession implements customersd.LoginService.
func (s *LoginService) FindSession(ctx context.Context, store customersd.StoreID, token string) (int64, error) {
	tx := s.db.reader()
	var customer int64
	err := tx.queryRow(ctx, `SELECT `+colCustomerID+` FROM storefront_sessions
		WHERE token_hash = ? AND store_id = ? AND expires_at >= ?`, tokenHash(token), store, tx.now.Unix()).Scan(&customer)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, customersd.Errorf(customersd.ENOTFOUND, "No session.")
	} else if err != nil {
		return 0, fmt.Errorf("sqlstore: find session in store %d: %w", store, err)
	}
	return customer, nil
}

// DeleteSession implements customersd.LoginService.
func (s *LoginService) DeleteSession(ctx context.Context, store customersd.StoreID, token string) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM storefront_sessions WHERE token_hash = ? AND store_id = ?`, tokenHash(token), store); err != nil {
			return fmt.Errorf("sqlstore: delete session in store %d: %w", store, err)
		}
		return nil
	})
}
