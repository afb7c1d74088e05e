package storefront_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// Two nodes on one PostgreSQL database, each with its own pool, race to
// use one token: exactly one signs the shopper in, the other refuses it as
// reused. Run many rounds, so that the race is real.
func TestLoginToken_ReusedAcrossPostgresNodes(t *testing.T) {
	dsn := sqlstoretest.DSN(t, "postgres")
	clk := newClock()
	a := newTestServer(t, withDatabase(dsn, nil), withClock(clk))
	b := newTestServer(t, withDatabase(dsn, a.fx), withClock(clk))
	for round := range 20 {
		token := a.phpToken(a.fx.alice)
		var wg sync.WaitGroup
		results := make([]*response, 2)
		for i, node := range []*testServer{a, b} {
			wg.Go(func() { results[i] = node.browser().get(node.root() + "/login/token/" + token) })
		}
		wg.Wait()
		signedIn := 0
		for i, res := range results {
			res.want(t, http.StatusFound)
			switch res.Header.Get("Location") {
			case []*testServer{a, b}[i].root() + "/account.php":
				signedIn++
			case []*testServer{a, b}[i].root() + "/login.php":
			default:
				t.Fatalf("round %d: Location %q", round, res.Header.Get("Location"))
			}
		}
		if signedIn != 1 {
			t.Fatalf("round %d: %d nodes signed in with one token, want exactly 1", round, signedIn)
		}
	}
	// Both nodes read the one record of attempts: 20 successes and 20 reuses.
	reasons := map[string]int{}
	for _, at := range b.attempts(100) {
		reasons[at.Reason]++
	}
	if reasons[""] != 20 || reasons["jti_reused"] != 20 {
		t.Fatalf("attempts by reason = %v, want 20 successes and 20 jti_reused", reasons)
	}
}

// The service itself: many goroutines on two database handles use one jti;
// exactly one is told it is fresh.
func TestLoginService_UseJTIAtomic(t *testing.T) {
	for _, dialect := range sqlstoretest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, dialect)
			ts := newTestServer(t, withDatabase(dsn, nil))
			other, err := sqlstore.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			st, err := sqlstore.NewTenantService(ts.db).FindStoreByHash(context.Background(), ts.fx.hash)
			if err != nil {
				t.Fatal(err)
			}
			services := []*sqlstore.LoginService{sqlstore.NewLoginService(ts.db), sqlstore.NewLoginService(other)}
			var mu sync.Mutex
			fresh := 0
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Go(func() {
					ok, err := services[i%2].UseJTI(context.Background(), st.ID, "the-jti", time.Now().Add(time.Minute))
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						fresh++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if fresh != 1 {
				t.Fatalf("%d of 16 uses were told the jti is fresh, want 1", fresh)
			}
		})
	}
}
