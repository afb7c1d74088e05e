package sqlstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/customersd/customersd"
)

// TenantService implements customersd.TenantService.
type TenantService struct {
	db *DB
}

var _ customersd.TenantService = (*TenantService)(nil)

// NewTenantService returns the stores and API accounts of db.
func NewTenantService(db *DB) *TenantService { return &TenantService{db: db} }

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Authenticate implements customersd.TenantService.
func (s *TenantService) Authenticate(ctx context.Context, storeHash, token string) (*customersd.APIAccount, error) {
	if token == "" {
		return nil, errUnauthorized()
	}
	want := tokenHash(token)
	var (
		a      customersd.APIAccount
		scopes string
		got    []byte
		since  int64
		rl     nullRateLimit
	)
	err := s.db.reader().queryRow(ctx, `SELECT a.client_id, a.scopes, a.token_hash, s.id, s.hash, s.plan, s.created_at,
		s.rate_limit_requests, s.rate_limit_window_ms
		FROM api_accounts a JOIN stores s ON s.id = a.store_id WHERE a.token_hash = ?`, want).
		Scan(&a.ClientID, &scopes, &got, &a.Store.ID, &a.Store.Hash, &a.Store.Plan, &since, &rl.requests, &rl.windowMS)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUnauthorized()
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: authenticate: %w", err)
	}
	// The index found the row by hash; comparing again in constant time
	// keeps the check itself free of timing differences.
	if subtle.ConstantTimeCompare(got, want) != 1 || subtle.ConstantTimeCompare([]byte(a.Store.Hash), []byte(storeHash)) != 1 {
		return nil, errUnauthorized()
	}
	a.Store.CreatedAt = unixTime(since)
	a.Store.RateLimit = rl.value()
	a.Scopes = parseScopes(scopes)
	return &a, nil
}

// errUnauthorized is Authenticate's one answer to any bad credential; made
// only when needed, not on every request.
func errUnauthorized() error {
	return customersd.Errorf(customersd.EUNAUTHORIZED, "No valid credentials were found in this request.")
}

func parseScopes(s string) []customersd.Scope {
	var out []customersd.Scope
	for f := range strings.FieldsSeq(s) {
		out = append(out, customersd.Scope(f))
	}
	return out
}

// CreateStore implements customersd.TenantService.
func (s *TenantService) CreateStore(ctx context.Context, st *customersd.Store) error {
	if !customersd.ValidStoreHash(st.Hash) {
		return customersd.Invalid("store_hash")
	}
	if st.Plan == "" {
		st.Plan = customersd.PlanStandard
	}
	if !customersd.ValidPlan(st.Plan) {
		return customersd.Invalid("plan")
	}
	if st.RateLimit != nil {
		if err := st.RateLimit.Validate(); err != nil {
			return err
		}
	}
	requests, windowMS := rateLimitArgs(st.RateLimit)
	return s.db.withTx(ctx, func(tx *Tx) error {
		st.CreatedAt = tx.now
		err := tx.queryRow(ctx, `INSERT INTO stores (hash, plan, rate_limit_requests, rate_limit_window_ms, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			st.Hash, st.Plan, requests, windowMS, tx.now.Unix()).Scan(&st.ID)
		if isUniqueViolation(err) {
			return customersd.Errorf(customersd.ECONFLICT, "Store %q already exists.", st.Hash)
		} else if err != nil {
			return fmt.Errorf("sqlstore: create store %q: %w", st.Hash, err)
		}
		return nil
	})
}

// FindStores implements customersd.TenantService.
func (s *TenantService) FindStores(ctx context.Context) ([]*customersd.Store, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, hash, plan, created_at, rate_limit_requests, rate_limit_window_ms
		FROM stores ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find stores: %w", err)
	}
	defer rows.Close()
	var out []*customersd.Store
	for rows.Next() {
		var st customersd.Store
		var since int64
		var rl nullRateLimit
		if err := rows.Scan(&st.ID, &st.Hash, &st.Plan, &since, &rl.requests, &rl.windowMS); err != nil {
			return nil, fmt.Errorf("sqlstore: scan store: %w", err)
		}
		st.CreatedAt = unixTime(since)
		st.RateLimit = rl.value()
		out = append(out, &st)
	}
	return out, rows.Err()
}

// FindStoreByHash implements customersd.TenantService.
func (s *TenantService) FindStoreByHash(ctx context.Context, hash string) (*customersd.Store, error) {
	var st customersd.Store
	var since int64
	var rl nullRateLimit
	err := s.db.reader().queryRow(ctx, `SELECT id, hash, plan, created_at, rate_limit_requests, rate_limit_window_ms
		FROM stores WHERE hash = ?`, hash).
		Scan(&st.ID, &st.Hash, &st.Plan, &since, &rl.requests, &rl.windowMS)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customersd.Errorf(customersd.ENOTFOUND, "Store %q not found.", hash)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find store %q: %w", hash, err)
	}
	st.CreatedAt = unixTime(since)
	st.RateLimit = rl.value()
	return &st, nil
}

// CreateAPIAccount implements customersd.TenantService.
func (s *TenantService) CreateAPIAccount(ctx context.Context, store customersd.StoreID, token string, scopes []customersd.Scope) (*customersd.APIAccount, error) {
	if len(token) < 8 || len(token) > 256 {
		return nil, customersd.Invalid("access_token")
	}
	names := make([]string, len(scopes))
	for i, sc := range scopes {
		if !sc.Valid() {
			return nil, customersd.Invalid("scopes")
		}
		names[i] = string(sc)
	}
	a := &customersd.APIAccount{ClientID: customersd.NewClientID(), Scopes: scopes}
	err := s.db.withTx(ctx, func(tx *Tx) error {
		a.CreatedAt = tx.now
		_, err := tx.exec(ctx, `INSERT INTO api_accounts (client_id, store_id, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.ClientID, store, tokenHash(token), strings.Join(names, " "), tx.now.Unix())
		switch {
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

// FindAPIAccountByToken implements customersd.TenantService.
func (s *TenantService) FindAPIAccountByToken(ctx context.Context, token string) (*customersd.APIAccount, error) {
	var (
		a      customersd.APIAccount
		scopes string
		since  int64
		ssince int64
	)
	err := s.db.reader().queryRow(ctx, `SELECT a.client_id, a.scopes, a.created_at, s.id, s.hash, s.plan, s.created_at
		FROM api_accounts a JOIN stores s ON s.id = a.store_id WHERE a.token_hash = ?`, tokenHash(token)).
		Scan(&a.ClientID, &scopes, &since, &a.Store.ID, &a.Store.Hash, &a.Store.Plan, &ssince)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customersd.Errorf(customersd.ENOTFOUND, "No API account has this token.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find api account: %w", err)
	}
	a.Scopes = parseScopes(scopes)
	a.CreatedAt, a.Store.CreatedAt = unixTime(since), unixTime(ssince)
	return &a, nil
}
