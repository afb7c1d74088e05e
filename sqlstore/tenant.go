package sqlstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
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
	a, err := s.db.cachedAccount(ctx, token)
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		return nil, errUnauthorized()
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(a.Store.Hash), []byte(storeHash)) != 1 {
		return nil, errUnauthorized()
	}
	return a, nil
}

// accountColumns are an API account's columns with its store's.
const accountColumns = `a.client_id, a.scopes, a.created_at, a.token_hash,
	s.id, s.hash, s.plan, s.created_at, s.rate_limit_requests, s.rate_limit_window_ms`

// accountRow is an API account as read, with the stored hash of its token.
type accountRow struct {
	customersd.APIAccount
	tokenHash []byte
}

func scanAccount(rows *sql.Rows) (*accountRow, error) { return scanAccountWith(rows) }

// scanAccountWith scans accountColumns and then the extra columns a query
// added after them into extra.
func scanAccountWith(rows rowScanner, extra ...any) (*accountRow, error) {
	var (
		a             accountRow
		scopes        string
		since, ssince int64
		rl            nullRateLimit
	)
	dst := []any{&a.ClientID, &scopes, &since, &a.tokenHash,
		&a.Store.ID, &a.Store.Hash, &a.Store.Plan, &ssince, &rl.requests, &rl.windowMS}
	err := rows.Scan(append(dst, extra...)...)
	if err != nil {
		return nil, err
	}
	a.Scopes = parseScopes(scopes)
	a.CreatedAt, a.Store.CreatedAt = unixTime(since), unixTime(ssince)
	a.Store.RateLimit = rl.value()
	return &a, nil
}

// findAccountByToken returns the account holding token. Returns ENOTFOUND
// if none does.
func findAccountByToken(ctx context.Context, tx *Tx, token string) (*customersd.APIAccount, error) {
	query, args := accountByTokenQuery(token)
	var rows []*accountRow
	if err := scanRows(ctx, tx, collectAccounts(&rows), query, args...); err != nil {
		return nil, fmt.Errorf("sqlstore: find api account by token: %w", err)
	}
	return accountOfToken(token, rows)
}

// accountByTokenQuery selects the accounts whose token hash is token's.
func accountByTokenQuery(token string) (string, []any) {
	return `SELECT ` + accountColumns + `
		FROM api_accounts a JOIN stores s ON s.id = a.store_id WHERE a.token_hash = ?`, []any{tokenHash(token)}
}

// collectAccounts returns the function that scans a row of
// accountByTokenQuery into rows.
func collectAccounts(rows *[]*accountRow) func(rowScanner) error {
	return func(r rowScanner) error {
		a, err := scanAccountWith(r)
		*rows = append(*rows, a)
		return err
	}
}

// accountOfToken returns the account of rows (read by accountByTokenQuery)
// that holds token. Returns ENOTFOUND if none does.
func accountOfToken(token string, rows []*accountRow) (*customersd.APIAccount, error) {
	// The index found the row by hash; comparing again in constant time
	// keeps the check itself free of timing differences.
	if want := tokenHash(token); len(rows) == 0 || subtle.ConstantTimeCompare(rows[0].tokenHash, want) != 1 {
		return nil, customersd.Errorf(customersd.ENOTFOUND, "No API account has this token.")
	}
	return &rows[0].APIAccount, nil
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
		return createIDSequences(ctx, tx, st.ID)
	})
}

const storeColumns = `id, hash, plan, created_at, rate_limit_requests, rate_limit_window_ms`

func scanStore(rows *sql.Rows) (*customersd.Store, error) {
	var st customersd.Store
	var since int64
	var rl nullRateLimit
	if err := rows.Scan(&st.ID, &st.Hash, &st.Plan, &since, &rl.requests, &rl.windowMS); err != nil {
		return nil, err
	}
	st.CreatedAt = unixTime(since)
	st.RateLimit = rl.value()
	return &st, nil
}

// FindStores implements customersd.TenantService.
func (s *TenantService) FindStores(ctx context.Context) ([]*customersd.Store, error) {
	stores, err := queryAll(ctx, s.db.reader(), scanStore, `SELECT `+storeColumns+` FROM stores ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find stores: %w", err)
	}
	return stores, nil
}

// FindStoreByHash implements customersd.TenantService.
func (s *TenantService) FindStoreByHash(ctx context.Context, hash string) (*customersd.Store, error) {
	stores, err := queryAll(ctx, s.db.reader(), scanStore, `SELECT `+storeColumns+` FROM stores WHERE hash = ?`, hash)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find store %q: %w", hash, err)
	}
	if len(stores) == 0 {
		return nil, customersd.Errorf(customersd.ENOTFOUND, "Store %q not found.", hash)
	}
	return stores[0], nil
}

// FindAPIAccountByToken implements customersd.TenantService.
func (s *TenantService) FindAPIAccountByToken(ctx context.Context, token string) (*customersd.APIAccount, error) {
	return findAccountByToken(ctx, s.db.reader(), token)
}
