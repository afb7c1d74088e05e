package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// mustCreateAccount creates an API account of store and returns its client id.
func mustCreateAccount(tb testing.TB, db *sqlstore.DB, store customersd.StoreID) string {
	tb.Helper()
	a, err := sqlstore.NewTenantService(db).CreateAPIAccount(context.Background(), store, customersd.NewClientSecret(),
		[]customersd.Scope{customersd.ScopeCustomers})
	if err != nil {
		tb.Fatalf("create api account: %v", err)
	}
	return a.ClientID
}

func hookInput(scope, dest string) *customersd.HookInput {
	return &customersd.HookInput{Scope: &scope, Destination: &dest}
}

// mustCreateHook creates an active hook of clientID on scope.
func mustCreateHook(tb testing.TB, db *sqlstore.DB, store customersd.StoreID, clientID, scope, dest string) *customersd.Hook {
	tb.Helper()
	h, err := sqlstore.NewHookService(db).CreateHook(context.Background(), store, clientID, hookInput(scope, dest))
	if err != nil {
		tb.Fatalf("create hook %s -> %s: %v", scope, dest, err)
	}
	return h
}

func TestHookService_CRUD(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
		db.Now = func() time.Time { return now }
		s := sqlstore.NewHookService(db)
		store := mustCreateStore(t, db, "a")
		client := mustCreateAccount(t, db, store)

		t.Run("OK", func(t *testing.T) {
			in := hookInput(customersd.HookCustomerCreated, "http://127.0.0.1:9/hook")
			in.Headers = map[string]string{"X-Secret": "s"}
			h, err := s.CreateHook(ctx, store, client, in)
			if err != nil {
				t.Fatal(err)
			}
			if h.ID != 1 || !h.IsActive || h.ClientID != client || !h.CreatedAt.Equal(now) || h.Headers["X-Secret"] != "s" {
				t.Fatalf("created %+v", h)
			}
			got, err := s.FindHookByID(ctx, store, client, h.ID)
			if err != nil || got.Scope != customersd.HookCustomerCreated || got.Headers["X-Secret"] != "s" || !got.IsActive {
				t.Fatalf("FindHookByID=%+v, %v", got, err)
			}
			now = now.Add(time.Minute)
			u, err := s.UpdateHook(ctx, store, client, h.ID, &customersd.HookInput{IsActive: ptr(false), HeadersSet: true})
			if err != nil || u.IsActive || u.Headers != nil || !u.UpdatedAt.Equal(now) || u.Destination != "http://127.0.0.1:9/hook" {
				t.Fatalf("UpdateHook=%+v, %v", u, err)
			}
			if n, err := s.CountHooks(ctx, store, customersd.HookFilter{ClientID: client, IsActive: ptr(false)}); err != nil || n != 1 {
				t.Fatalf("CountHooks(inactive)=%d, %v", n, err)
			}
			if hs, err := s.FindHooks(ctx, store, customersd.HookFilter{ClientID: client, IsActive: ptr(true)}); err != nil || len(hs) != 0 {
				t.Fatalf("FindHooks(active)=%v, %v", hs, err)
			}
			d, err := s.DeleteHook(ctx, store, client, h.ID)
			if err != nil || d.ID != h.ID {
				t.Fatalf("DeleteHook=%+v, %v", d, err)
			}
			if _, err := s.FindHookByID(ctx, store, client, h.ID); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("after delete: err=%v, want ENOTFOUND", err)
			}
		})
		t.Run("Filters", func(t *testing.T) {
			for i := range 5 {
				scope := customersd.HookCustomerCreated
				if i%2 == 1 {
					scope = customersd.HookAddressAll
				}
				mustCreateHook(t, db, store, client, scope, fmt.Sprintf("http://127.0.0.1:9/f%d", i))
			}
			hs, err := s.FindHooks(ctx, store, customersd.HookFilter{ClientID: client, Scope: customersd.HookAddressAll})
			if err != nil || len(hs) != 2 {
				t.Fatalf("by scope: %d hooks, %v; want 2", len(hs), err)
			}
			hs, err = s.FindHooks(ctx, store, customersd.HookFilter{ClientID: client, Destination: "http://127.0.0.1:9/f4"})
			if err != nil || len(hs) != 1 {
				t.Fatalf("by destination: %d hooks, %v; want 1", len(hs), err)
			}
			hs, err = s.FindHooks(ctx, store, customersd.HookFilter{ClientID: client, Page: 2, Limit: 2})
			if err != nil || len(hs) != 2 || hs[0].Destination != "http://127.0.0.1:9/f2" {
				t.Fatalf("page 2: %+v, %v", hs, err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, in := range []*customersd.HookInput{
				{Destination: ptr("http://x/")},
				{Scope: ptr(customersd.HookCustomerCreated)},
				hookInput("store/order/created", "http://x/"),
				hookInput(customersd.HookCustomerCreated, "ftp://x/"),
				hookInput(customersd.HookCustomerCreated, "not a url"),
			} {
				if _, err := s.CreateHook(ctx, store, client, in); customersd.ErrorCode(err) != customersd.EINVALID {
					t.Errorf("CreateHook(%+v): err=%v, want EINVALID", in, err)
				}
			}
			h := mustCreateHook(t, db, store, client, customersd.HookCustomerDeleted, "http://x/e")
			if _, err := s.UpdateHook(ctx, store, client, h.ID, &customersd.HookInput{}); customersd.ErrorCode(err) != customersd.EINVALID {
				t.Errorf("empty update: err=%v, want EINVALID", err)
			}
			if _, err := s.CreateHook(ctx, store, "no-such-client", hookInput(customersd.HookCustomerCreated, "http://x/")); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Errorf("unknown account: err=%v, want ENOTFOUND", err)
			}
		})
	})
}

func TestHookService_Limits(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewHookService(db)
		store := mustCreateStore(t, db, "a")
		client, other := mustCreateAccount(t, db, store), mustCreateAccount(t, db, store)
		scope := customersd.HookCustomerUpdated

		mustCreateHook(t, db, store, client, scope, "http://x/dup")
		_, err := s.CreateHook(ctx, store, client, hookInput(scope, "http://x/dup"))
		if customersd.ErrorCode(err) != customersd.EINVALID || !strings.Contains(customersd.ErrorMessage(err), "one hook per store, client, scope and destination") {
			t.Fatalf("same destination: err=%v, want EINVALID naming the limit", err)
		}
		// Another account, or another scope, may use the destination.
		mustCreateHook(t, db, store, other, scope, "http://x/dup")
		mustCreateHook(t, db, store, client, customersd.HookCustomerAll, "http://x/dup")

		for i := 1; i < customersd.MaxHooksPerScope; i++ {
			mustCreateHook(t, db, store, client, scope, fmt.Sprintf("http://x/%d", i))
		}
		_, err = s.CreateHook(ctx, store, client, hookInput(scope, "http://x/eleventh"))
		if customersd.ErrorCode(err) != customersd.EINVALID || !strings.Contains(customersd.ErrorMessage(err), "at most 10 hooks per store, client and scope") {
			t.Fatalf("11th hook: err=%v, want EINVALID naming the limit", err)
		}
		// Moving a hook into the full scope breaks the limit too.
		h := mustCreateHook(t, db, store, client, customersd.HookCustomerDeleted, "http://x/move")
		if _, err := s.UpdateHook(ctx, store, client, h.ID, &customersd.HookInput{Scope: ptr(scope)}); customersd.ErrorCode(err) != customersd.EINVALID {
			t.Fatalf("move into a full scope: err=%v, want EINVALID", err)
		}
		// Moving one onto an existing destination breaks the other limit.
		if _, err := s.UpdateHook(ctx, store, client, h.ID, &customersd.HookInput{Scope: ptr(customersd.HookCustomerAll), Destination: ptr("http://x/dup")}); customersd.ErrorCode(err) != customersd.EINVALID {
			t.Fatalf("move onto a taken destination: err=%v, want EINVALID", err)
		}
		// The other account's count is its own.
		mustCreateHook(t, db, store, other, scope, "http://x/other2")
	})
}

func TestHookService_PerAccount(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewHookService(db)
		store := mustCreateStore(t, db, "a")
		mine, theirs := mustCreateAccount(t, db, store), mustCreateAccount(t, db, store)
		h := mustCreateHook(t, db, store, theirs, customersd.HookCustomerCreated, "http://x/")

		if _, err := s.FindHookByID(ctx, store, mine, h.ID); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Errorf("FindHookByID: err=%v, want ENOTFOUND", err)
		}
		if got := customersd.ErrorMessage(func() error { _, err := s.FindHookByID(ctx, store, mine, h.ID); return err }()); got != fmt.Sprintf("Webhook with id [%d] not found", h.ID) {
			t.Errorf("message %q", got)
		}
		if _, err := s.UpdateHook(ctx, store, mine, h.ID, &customersd.HookInput{IsActive: ptr(false)}); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Errorf("UpdateHook: err=%v, want ENOTFOUND", err)
		}
		if _, err := s.DeleteHook(ctx, store, mine, h.ID); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Errorf("DeleteHook: err=%v, want ENOTFOUND", err)
		}
		if hs, err := s.FindHooks(ctx, store, customersd.HookFilter{ClientID: mine}); err != nil || len(hs) != 0 {
			t.Errorf("FindHooks: %d hooks, %v; want none", len(hs), err)
		}
		if n, err := s.CountHooks(ctx, store, customersd.HookFilter{ClientID: mine}); err != nil || n != 0 {
			t.Errorf("CountHooks=%d, %v; want 0", n, err)
		}
		// Another store's hooks are never seen, whatever the account.
		other := mustCreateStore(t, db, "b")
		if _, err := s.FindHookByID(ctx, other, "", h.ID); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Errorf("other store: err=%v, want ENOTFOUND", err)
		}
		if got, err := s.FindHookByID(ctx, store, theirs, h.ID); err != nil || got.ID != h.ID {
			t.Errorf("owner: %+v, %v", got, err)
		}
	})
}

func TestHookService_Emails(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewHookService(db)
		store := mustCreateStore(t, db, "a")
		a, b := mustCreateAccount(t, db, store), mustCreateAccount(t, db, store)
		if got, err := s.HookEmails(ctx, store, a); err != nil || got != nil {
			t.Fatalf("unset: %v, %v", got, err)
		}
		if err := s.SetHookEmails(ctx, store, a, []string{"x@example.com", "y@example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetHookEmails(ctx, store, a, []string{"z@example.com"}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.HookEmails(ctx, store, a); err != nil || len(got) != 1 || got[0] != "z@example.com" {
			t.Fatalf("after set: %v, %v", got, err)
		}
		if got, err := s.HookEmails(ctx, store, b); err != nil || got != nil {
			t.Fatalf("other account: %v, %v", got, err)
		}
		if err := s.SetHookEmails(ctx, store, a, nil); err != nil {
			t.Fatal(err)
		}
		if got, err := s.HookEmails(ctx, store, a); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("cleared: %#v, %v", got, err)
		}
	})
}
