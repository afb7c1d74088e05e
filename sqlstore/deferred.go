package sqlstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"sync"

	"github.com/customersd/customersd"
	"github.com/jackc/pgx/v5"
)

// Deferred authentication (customersd.DeferredAuthenticator), PostgreSQL
// only. A GET by id was two round trips: the token, then the row. Here a
// read-only request goes through on what this node last saw of its token
// (a hint), and its token is checked again in the same round trip as its
// first read of the database: the two queries go in one pgx batch,
// pipelined. Nothing is trusted from the hint beyond the request: the check
// is made on every request, before its response (the gateway calls Confirm
// before the first byte, and Confirm checks unless a read did), so a token
// revoked on any node is refused by the very next request, as without it.
// SQLite needs none of this: its read cache makes the token lookup cost no
// query at all (cache.go).

// maxHints bounds the hints a node keeps: past it they are dropped, all at
// once, and rebuilt by the requests that follow (one full check each).
const maxHints = 10000

// hints are the accounts this node last saw, by the hash of their token.
type hints struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]*customersd.APIAccount
}

func (h *hints) get(key [sha256.Size]byte) *customersd.APIAccount {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.m[key]
}

func (h *hints) set(key [sha256.Size]byte, a *customersd.APIAccount) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if a == nil {
		delete(h.m, key)
		return
	}
	if h.m == nil || len(h.m) >= maxHints {
		h.m = make(map[[sha256.Size]byte]*customersd.APIAccount)
	}
	h.m[key] = a
}

type pendingKey struct{}

// pendingAuth is the check of one request's token: not yet made, or made,
// with its outcome.
type pendingAuth struct {
	storeHash, token string
	key              [sha256.Size]byte
	hint             *customersd.APIAccount

	mu      sync.Mutex
	checked bool
	account *customersd.APIAccount // nil when the check refused the token
	err     error                  // the check failed (not a refusal)
}

func pendingOf(ctx context.Context) *pendingAuth {
	p, _ := ctx.Value(pendingKey{}).(*pendingAuth)
	return p
}

// WithDeferredAuth returns s as a request pipeline should use it: on
// PostgreSQL, also a customersd.DeferredAuthenticator; on SQLite, s, whose
// read cache answers a token without a query.
func (s *TenantService) WithDeferredAuth() customersd.TenantService {
	if s.db.dialect != postgresDialect {
		return s
	}
	return deferringTenants{s}
}

// deferringTenants is a TenantService that defers authentication.
type deferringTenants struct{ *TenantService }

var _ customersd.DeferredAuthenticator = deferringTenants{}

// AuthenticateDeferred implements customersd.DeferredAuthenticator.
func (s deferringTenants) AuthenticateDeferred(ctx context.Context, storeHash, token string) (context.Context, *customersd.APIAccount, error) {
	p := &pendingAuth{storeHash: storeHash, token: token, key: sha256.Sum256([]byte(token))}
	if token != "" {
		p.hint = s.db.hints.get(p.key)
	}
	if p.hint == nil || subtle.ConstantTimeCompare([]byte(p.hint.Store.Hash), []byte(storeHash)) != 1 {
		// No hint: check now, as Authenticate does, and keep what it found.
		a, err := s.Authenticate(ctx, storeHash, token)
		if err != nil {
			return ctx, nil, err
		}
		p.checked, p.account = true, a
		s.db.hints.set(p.key, cloneAccount(a))
		return context.WithValue(ctx, pendingKey{}, p), a, nil
	}
	return context.WithValue(ctx, pendingKey{}, p), cloneAccount(p.hint), nil
}

// Confirm implements customersd.DeferredAuthenticator.
func (s deferringTenants) Confirm(ctx context.Context) (*customersd.APIAccount, error) {
	p := pendingOf(ctx)
	if p == nil {
		return nil, fmt.Errorf("sqlstore: confirm: no deferred authentication in this context")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.checked {
		a, err := findAccountByToken(ctx, s.db.reader(), p.token)
		s.db.settle(p, a, err)
	}
	switch {
	case p.err != nil:
		return nil, p.err
	case p.account == nil:
		return nil, errUnauthorized()
	}
	return p.account, nil
}

// settle records the outcome of p's check, found is the token's account or
// the error of looking for it, and keeps it as the token's hint. p.mu is
// held.
func (db *DB) settle(p *pendingAuth, found *customersd.APIAccount, err error) {
	switch {
	case customersd.ErrorCode(err) == customersd.ENOTFOUND:
		found, err = nil, nil
	case err != nil:
		p.err = err
		return
	}
	if found != nil && subtle.ConstantTimeCompare([]byte(found.Store.Hash), []byte(p.storeHash)) != 1 {
		found = nil
	}
	p.checked, p.account = true, found
	if found != nil {
		found = cloneAccount(found) // callers own what Confirm returns
	}
	db.hints.set(p.key, found)
}

// customersWithPendingCheck reads the customers of a page (findCustomers)
// and, in the same round trip, makes the pending check of ctx's token. ok
// is false when there is no check to make: the caller reads as usual.
func (db *DB) customersWithPendingCheck(ctx context.Context, store customersd.StoreID, f customersd.CustomerFilter) (cs []*customersd.Customer, ok bool, err error) {
	p := pendingOf(ctx)
	if p == nil || db.dialect != postgresDialect {
		return nil, false, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.checked {
		return nil, false, nil
	}
	tx := db.storeReader(store)
	accountQuery, accountArgs := accountByTokenQuery(p.token)
	customerQuery, customerArgs := customerPageQuery(tx.dialect, store, f)
	var account *customersd.APIAccount
	var accountErr error
	err = withPgx(ctx, tx, func(ctx context.Context, c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue(tx.dialect.rebind(accountQuery), accountArgs...)
		b.Queue(tx.dialect.rebind(customerQuery), customerArgs...)
		br := c.SendBatch(ctx, b)
		defer br.Close()
		var accounts []*accountRow
		rows, err := br.Query()
		if err := eachPgxRow(rows, err, collectAccounts(&accounts)); err != nil {
			return err
		}
		account, accountErr = accountOfToken(p.token, accounts)
		var r customerRow
		rows, err = br.Query()
		if err := eachPgxRow(rows, err, collect(ctx, customers.read, func(c *customersd.Customer) *customerRow { r.Customer = c; return &r }, &cs)); err != nil {
			return err
		}
		return br.Close()
	})
	if err != nil {
		err = markUnavailable(err)
		p.err = err
		return nil, true, fmt.Errorf("sqlstore: find customers of store %d: %w", store, err)
	}
	db.settle(p, account, accountErr)
	return cs, true, nil
}
