package v2_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
)

// brokenCustomers is a CustomerService whose reads fail the ways a
// database cannot be made to fail on demand: an internal error, a panic.
type brokenCustomers struct {
	customersd.CustomerService
}

func (brokenCustomers) FindCustomerByID(ctx context.Context, store customersd.StoreID, id int64) (*customersd.Customer, error) {
	switch id {
	case 1:
		return nil, errors.New("disk on fire at sector 7")
	case 3:
		return nil, fmt.Errorf("sqlstore: find customer 3: %w: %w", customersd.ErrUnavailable, errors.New("database at sector 5 is down"))
	}
	panic("nil map in sector 9")
}

// TestInternalErrors: an internal error or a panic is a 500 in the V2 shape
// that shows nothing of its cause; the cause goes to the log.
func TestInternalErrors(t *testing.T) {
	db := sqlstoretest.Open(t, "sqlite")
	tenants := sqlstore.NewTenantService(db)
	hash, token := mustCreateStore(t, tenants, "store1", customersd.ScopeCustomers)
	logs := &logbuf.Buffer{}
	api := &v2.Server{Customers: brokenCustomers{}}
	srv := httptest.NewServer(mount(api, tenants, slog.New(slog.NewTextHandler(logs, nil))))
	defer srv.Close()
	ts := &testServer{Server: srv, t: t, hash: hash, token: token, logs: logs}

	for id, cause := range map[string]string{"1": "disk on fire at sector 7", "2": "nil map in sector 9"} {
		res := ts.do("GET", "/customers/"+id, nil)
		res.wantError(t, http.StatusInternalServerError, "Internal Server Error")
		if strings.Contains(string(res.Body), "sector") {
			t.Errorf("the 500 shows its cause: %s", res.Body)
		}
		if !strings.Contains(logs.String(), cause) {
			t.Errorf("the log lacks the cause %q", cause)
		}
		// The request ID of the answer is the one the log line carries.
		if rid := res.Header.Get("X-Request-ID"); !strings.Contains(logs.String(), rid) {
			t.Errorf("the log has no line for request %s", rid)
		}
	}
	// The server survives a panic.
	ts.do("GET", "/customers/1", nil).want(t, http.StatusInternalServerError)
}

// TestUnavailable: a backend outage is a 503 in the V2 error array with
// Retry-After, showing nothing of its cause, which the log has.
func TestUnavailable(t *testing.T) {
	db := sqlstoretest.Open(t, "sqlite")
	tenants := sqlstore.NewTenantService(db)
	hash, token := mustCreateStore(t, tenants, "store1", customersd.ScopeCustomers)
	logs := &logbuf.Buffer{}
	api := &v2.Server{Customers: brokenCustomers{}}
	srv := httptest.NewServer(mount(api, tenants, slog.New(slog.NewTextHandler(logs, nil))))
	defer srv.Close()
	ts := &testServer{Server: srv, t: t, hash: hash, token: token, logs: logs}

	res := ts.do("GET", "/customers/3", nil)
	res.wantError(t, http.StatusServiceUnavailable, "The service is temporarily unavailable. Please try again later.")
	if got := res.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After=%q, want 5", got)
	}
	if strings.Contains(string(res.Body), "sector") {
		t.Errorf("the 503 shows its cause: %s", res.Body)
	}
	if !strings.Contains(logs.String(), "sector 5") {
		t.Errorf("the log lacks the cause:\n%s", logs.String())
	}
}
