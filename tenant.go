package customersd

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// StoreID identifies a store (tenant) inside customersd. Clients never see it;
// they name a store by its hash.
type StoreID int64

// Store is a tenant: every customer, address and group belongs to one.
type Store struct {
	ID        StoreID
	Hash      string
	Plan      string
	CreatedAt time.Time
	// RateLimit is the store's own request quota; nil means the server's
	// default for Plan.
	RateLimit *Quota
}

// Scope is an OAuth scope of an API account.
type Scope string

// The scopes of the Customers V2 API family (spec/LOGIN.md, "API accounts").
const (
	ScopeCustomers         Scope = "store_v2_customers"
	ScopeCustomersReadOnly Scope = "store_v2_customers_read_only"
	// ScopeCustomersLogin lets an app sign shoppers in with a login JWT
	// signed with its client secret. It grants nothing on the V2 API itself.
	ScopeCustomersLogin Scope = "store_v2_customers_login"
)

// scopes lists the scopes customersd knows, in the order messages name them.
var scopes = []Scope{ScopeCustomers, ScopeCustomersReadOnly, ScopeCustomersLogin}

// Valid reports whether s is a scope customersd knows.
func (s Scope) Valid() bool { return slices.Contains(scopes, s) }

// UnknownScope is the message for a scope customersd does not know.
func UnknownScope(s Scope) string {
	return fmt.Sprintf("unknown scope %q; want %s, %s or %s", s, scopes[0], scopes[1], scopes[2])
}

// APIAccount is a credential of one store, as BigCommerce has them: a client
// id (sent in X-Auth-Client, and the iss of login JWTs), a client secret
// (signs login JWTs and webhook deliveries; never sent in a request), an
// access token (held only as a hash) and scopes.
type APIAccount struct {
	ClientID string
	// ClientSecret is set only where the server needs it to sign, by
	// FindAPIAccountByClientID, and in the answer to a creation. Secret:
	// never logged, never shown after creation.
	ClientSecret string
	Store        Store
	Scopes       []Scope
	CreatedAt    time.Time
}

// CanRead reports whether the account may call GET and HEAD.
func (a *APIAccount) CanRead() bool {
	return slices.Contains(a.Scopes, ScopeCustomers) || slices.Contains(a.Scopes, ScopeCustomersReadOnly)
}

// CanWrite reports whether the account may change data.
func (a *APIAccount) CanWrite() bool { return slices.Contains(a.Scopes, ScopeCustomers) }

// The BigCommerce plans a store can be on; the plan sets its default request
// quota (BEHAVIOR.md, "Rate limits").
const (
	PlanStandard   = "standard"
	PlanPlus       = "plus"
	PlanPro        = "pro"
	PlanEnterprise = "enterprise"
)

// plans lists the plans in the order they are shown to people.
var plans = []string{PlanStandard, PlanPlus, PlanPro, PlanEnterprise}

// ValidPlan reports whether p names a plan customersd knows.
func ValidPlan(p string) bool { return slices.Contains(plans, p) }

// PlanNames lists the plans for messages: "standard, plus, pro or enterprise".
func PlanNames() string {
	return strings.Join(plans[:len(plans)-1], ", ") + " or " + plans[len(plans)-1]
}

// StoreCounts are the sizes of a store's collections.
type StoreCounts struct {
	Customers int64
	Addresses int64
	Groups    int64
}

var storeHashPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// ValidStoreHash reports whether h can name a store: it appears in URL paths,
// so it is kept to letters, digits, '-' and '_'.
func ValidStoreHash(h string) bool { return storeHashPattern.MatchString(h) }

// TenantService manages stores and their API accounts.
// A DeferredAuthenticator can let a read-only request through on what its
// node last saw of the token, and check the token during the request
// instead of before it: in the same round trip as the request's first read
// of the database, where the store can combine them (sqlstore, PostgreSQL),
// or in Confirm, which the caller runs before the response's first byte
// whatever the request read. A revoked token is therefore refused by the
// very next request, as with Authenticate: no response is written on the
// old answer. Writes must not use it: they would change data before the
// check.
type DeferredAuthenticator interface {
	// AuthenticateDeferred is Authenticate, possibly answered from what
	// this node last saw of token; the check still to make then travels
	// in the context it returns.
	AuthenticateDeferred(ctx context.Context, storeHash, token string) (context.Context, *APIAccount, error)
	// Confirm returns the account token holds now, as Authenticate would,
	// making the check in ctx unless a read in ctx has made it; the
	// account given at AuthenticateDeferred when none is pending.
	Confirm(ctx context.Context) (*APIAccount, error)
}

type TenantService interface {
	// Authenticate returns the account owning token if it belongs to the store
	// named storeHash. Returns EUNAUTHORIZED otherwise, saying nothing about
	// whether the store exists.
	Authenticate(ctx context.Context, storeHash, token string) (*APIAccount, error)
	// CreateStore creates a store, on the standard plan unless s.Plan is set.
	// Returns EINVALID for a bad hash or plan, ECONFLICT if the hash is taken.
	CreateStore(ctx context.Context, s *Store) error
	// DeleteStore deletes a store with all its data and API accounts.
	// Returns ENOTFOUND if there is no such store.
	DeleteStore(ctx context.Context, store StoreID) error
	// ResetStore deletes every customer, address and group of a store and
	// restarts its IDs at 1; its API accounts stay. Returns ENOTFOUND.
	ResetStore(ctx context.Context, store StoreID) error
	// CountStore counts a store's customers, addresses and groups. Returns ENOTFOUND.
	CountStore(ctx context.Context, store StoreID) (*StoreCounts, error)
	// FindStores lists every store.
	FindStores(ctx context.Context) ([]*Store, error)
	// FindStoreByHash returns ENOTFOUND if there is no such store.
	FindStoreByHash(ctx context.Context, hash string) (*Store, error)
	// SetStoreRateLimit gives a store its own request quota, or with nil
	// returns it to its plan's default. Returns EINVALID for a quota out of
	// bounds, ENOTFOUND if there is no such store.
	SetStoreRateLimit(ctx context.Context, store StoreID, q *Quota) error
	// CreateAPIAccount adds a token to a store, with a random client id and
	// secret, and returns the account with its ClientSecret. The token is
	// stored only as a hash. Returns EINVALID for a bad token or scope,
	// ECONFLICT if the token exists, ENOTFOUND if the store does not.
	CreateAPIAccount(ctx context.Context, store StoreID, token string, scopes []Scope) (*APIAccount, error)
	// CreateAPIAccountFrom adds the account in describes to a store (every
	// credential set: see APIAccountInput.Complete) and returns it with its
	// ClientSecret. Returns EINVALID naming the field and its rule,
	// ECONFLICT if the client id or the token exists (in any store),
	// ENOTFOUND if the store does not.
	CreateAPIAccountFrom(ctx context.Context, store StoreID, in *APIAccountInput) (*APIAccount, error)
	// FindAPIAccountByToken returns ENOTFOUND if no account has that token.
	FindAPIAccountByToken(ctx context.Context, token string) (*APIAccount, error)
	// FindAPIAccountByClientID returns a store's account with its
	// ClientSecret, for signing (login JWTs, webhooks). Returns ENOTFOUND if
	// the store has no account with that client id.
	FindAPIAccountByClientID(ctx context.Context, store StoreID, clientID string) (*APIAccount, error)
	// FindAPIAccounts lists a store's accounts, oldest first. Tokens are
	// never returned: only their hashes are stored.
	FindAPIAccounts(ctx context.Context, store StoreID) ([]*APIAccount, error)
	// RevokeAPIAccount deletes an account of a store; its token stops working
	// at once. Returns ENOTFOUND if the store has no account with that client id.
	RevokeAPIAccount(ctx context.Context, store StoreID, clientID string) error
}
