package loadgen

import (
	"context"
	"math/rand/v2"

	"golang.org/x/crypto/bcrypt"
)

// measureBcrypt measures bare bcrypt comparisons of the fixture's password
// with its hash, on as many goroutines as there are cores (fewer when
// fewer clients): the rate validate would reach if nothing else cost.
func measureBcrypt(ctx context.Context, fx *Fixture, cfg Config) Result {
	hash, pw := []byte(fx.PasswordHash), []byte(fx.Password)
	c := cfg
	c.Concurrency = workers(cfg.Concurrency)
	return measure(ctx, ScenarioBcrypt, c, &rssSampler{}, func(int) func() (int, error) {
		return func() (int, error) {
			if ctx.Err() != nil {
				return 0, nil
			}
			return 200, bcrypt.CompareHashAndPassword(hash, pw)
		}
	})
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())) }
