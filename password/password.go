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
