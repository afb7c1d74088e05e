// Package password hashes and verifies customer passwords with bcrypt.
package password

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// DefaultCost is the bcrypt cost customersd uses unless configured: 2^10
// rounds, about 50 ms on one core of a small machine, which is what makes a
// leaked hash expensive to attack and the validate endpoint a slow oracle.
const DefaultCost = 10

// MinCost and MaxCost bound the bcrypt cost of every hash customersd makes,
// imports or checks. Each step doubles the work: at DefaultCost a check
// takes about 50 ms of one core, at MaxCost about 0.8 s, and bcrypt's own
// limit, 31, about 29 hours. A stored hash above MaxCost is not checked at
// all, since one validate call would hold a core for seconds to hours; 14
// leaves room for four doublings of hardware over DefaultCost.
const (
	MinCost = bcrypt.MinCost
	MaxCost = 14
)

// ErrCost reports a hash whose cost is outside MinCost..MaxCost.
var ErrCost = fmt.Errorf("password: bcrypt cost outside %d..%d", MinCost, MaxCost)

// Hasher hashes passwords at a fixed cost. Tests use bcrypt.MinCost to stay fast.
type Hasher struct {
	Cost int
	// Gate bounds the node's bcrypt work of HashFor and VerifyFor; nil
	// leaves it unbounded.
	Gate *Gate
}

// Hash returns a salted bcrypt hash of p.
func (h Hasher) Hash(p string) (string, error) {
	cost := h.Cost
	if cost == 0 {
		cost = DefaultCost
	}
	if cost < MinCost || cost > MaxCost {
		return "", fmt.Errorf("password: hash at cost %d: %w", cost, ErrCost)
	}
	b, err := bcrypt.GenerateFromPassword([]byte(p), cost)
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return string(b), nil
}

// Verify reports whether p matches hash. An empty hash (no password set)
// matches nothing.
func Verify(hash, p string) (bool, error) {
	if hash == "" {
		return false, nil
	}
	// Read the cost before running it: bcrypt would spend 2^cost rounds.
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil {
		return false, fmt.Errorf("password: verify: %w", err)
	} else if cost > MaxCost {
		return false, fmt.Errorf("password: verify a hash of cost %d: %w", cost, ErrCost)
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(p))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword), errors.Is(err, bcrypt.ErrPasswordTooLong):
		return false, nil
	default:
		return false, fmt.Errorf("password: verify: %w", err)
	}
}
