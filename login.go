package customersd

import (
	"context"
	"time"
)

// LoginAttempt is one use of a Customer Login token on a store's storefront
// (spec/LOGIN.md): what the token claimed and, when it was refused, why.
// BigCommerce shows the shopper only "Invalid login"; customersd keeps the
// reason where the app's developer can read it. Neither the signature nor
// any secret is kept.
type LoginAttempt struct {
	ID int64
	At time.Time
	OK bool
	// Check names the first check the token failed ("signature", "iat"…)
	// and Reason its code ("bad_signature", "iat_too_old"…); both empty
	// when OK. Detail says it in a sentence.
	Check  string
	Reason string
	Detail string
	// ClientID is the token's iss as sent, CustomerID its customer_id (0
	// when absent or not a number).
	ClientID   string
	CustomerID int64
	// IP is the browser's address.
	IP string
	// Claims is the token's decoded payload as JSON ("{}" when it could not
	// be decoded).
	Claims string
}

// MaxLoginAttempts is how many attempts a store keeps, the newest: enough
// to read what a test run did, bounded so that a flood of tokens cannot
// grow the database.
const MaxLoginAttempts = 200

// LoginService keeps what signing shoppers in needs to share between nodes
// and restarts: used token ids, attempts and storefront sessions.
type LoginService interface {
	// UseJTI records that a login token's jti has been used, to be kept
	// until expires. It reports false when the store has it already: of any
	// number of nodes racing to use one jti, exactly one gets true.
	UseJTI(ctx context.Context, store StoreID, jti string, expires time.Time) (bool, error)
	// JTIUsed reports whether UseJTI has recorded jti and still keeps it.
	JTIUsed(ctx context.Context, store StoreID, jti string) (bool, error)
	// StoreOfClientID returns the hash of the store that has an API account
	// with that client id. Returns ENOTFOUND if none has.
	StoreOfClientID(ctx context.Context, clientID string) (string, error)

	// RecordLoginAttempt stores a, setting its ID, and forgets the store's
	// attempts beyond the newest MaxLoginAttempts.
	RecordLoginAttempt(ctx context.Context, store StoreID, a *LoginAttempt) error
	// FindLoginAttempts returns a store's newest attempts, newest first, at
	// most limit of them.
	FindLoginAttempts(ctx context.Context, store StoreID, limit int) ([]*LoginAttempt, error)

	// CreateSession signs customer in on the store's storefront until
	// expires under token, a random secret held only as a hash. Returns
	// ENOTFOUND if the customer does not exist.
	CreateSession(ctx context.Context, store StoreID, token string, customer int64, expires time.Time) error
	// FindSession returns the customer signed in under token. Returns
	// ENOTFOUND for an unknown or expired session.
	FindSession(ctx context.Context, store StoreID, token string) (int64, error)
	// DeleteSession ends a session; an unknown one is no error.
	DeleteSession(ctx context.Context, store StoreID, token string) error
}
