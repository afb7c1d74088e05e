package sqlstore

import (
	"context"
	"sync/atomic"
)

// A request scope lets the lookups of one request share one check of the
// read cache (cache.go): the token lookup checks the database's version,
// and the customer lookup after it uses the same version instead of asking
// again, which halves what the cache costs a GET.
//
// That is as fresh as a check of its own: the version was read during this
// request, after it arrived, so the request sees every write that had
// returned before it was sent, and the request as a whole reads the
// database as of that moment. Writes are the exception: a request that
// writes and then reads must see its write, so every write transaction
// (withTx) forgets the scope's version, and the next lookup checks again.

type scopeKey struct{}

// requestScope holds the version a request's first lookup checked; nil
// until then, and after a write.
type requestScope struct {
	v atomic.Pointer[cacheVersion]
}

// WithRequestScope returns ctx carrying a fresh request scope. The server
// gives one to each request; without it every lookup checks for itself.
func WithRequestScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, &requestScope{})
}

func scopeOf(ctx context.Context) *requestScope {
	s, _ := ctx.Value(scopeKey{}).(*requestScope)
	return s
}

// version is the version a lookup in ctx uses: the scope's, or a check's,
// which the scope then keeps.
func (c *readCache) version(ctx context.Context) (cacheVersion, bool) {
	s := scopeOf(ctx)
	if s != nil {
		if v := s.v.Load(); v != nil {
			return *v, true
		}
	}
	v, ok := c.check(ctx)
	if ok && s != nil {
		s.v.Store(&v)
	}
	return v, ok
}

// forgetVersion makes the next lookup in ctx check again: called after
// every write transaction, committed or not.
func forgetVersion(ctx context.Context) {
	if s := scopeOf(ctx); s != nil {
		s.v.Store(nil)
	}
}
