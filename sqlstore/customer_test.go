package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"golang.org/x/crypto/bcrypt"
)

func ptr[T any](v T) *T { return &v }

// mustCreateStore creates a store named hash and returns its ID.
func mustCreateStore(tb testing.TB, db *sqlstore.DB, hash string) customersd.StoreID {
	tb.Helper()
	st := &customersd.Store{Hash: hash}
	if err := sqlstore.NewTenantService(db).CreateStore(context.Background(), st); err != nil {
		tb.Fatalf("create store %s: %v", hash, err)
	}
	return st.ID
}

func newInput(email string) *customersd.CustomerInput {
	return &customersd.CustomerInput{FirstName: ptr("Jane"), LastName: ptr("Doe"), Email: ptr(email)}
}

func TestCustomerService_CreateCustomer(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
		db.Now = func() time.Time { return now }
		s := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
		store := mustCreateStore(t, db, "a")

		t.Run("OK", func(t *testing.T) {
			c, err := s.CreateCustomer(ctx, store, newInput("jane@example.com"))
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != 1 || !c.DateCreated.Equal(now) || !c.DateModified.Equal(now) {
				t.Fatalf("got %+v", c)
			}
			got, err := s.FindCustomerByID(ctx, store, 1)
			if err != nil || got.Email != "jane@example.com" || got.FormFields != nil {
				t.Fatalf("FindCustomerByID=%+v, %v", got, err)
			}
		})
		t.Run("ErrEmailTaken", func(t *testing.T) {
			_, err := s.CreateCustomer(ctx, store, newInput(" JANE@example.com"))
			if customersd.ErrorCode(err) != customersd.ECONFLICT {
				t.Fatalf("err=%v, want ECONFLICT", err)
			}
		})
		t.Run("ErrGroupNotFound", func(t *testing.T) {
			in := newInput("g@example.com")
			in.CustomerGroupID = ptr(int64(9))
			_, err := s.CreateCustomer(ctx, store, in)
			if customersd.ErrorCode(err) != customersd.EINVALID {
				t.Fatalf("err=%v, want EINVALID", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if _, err := s.FindCustomerByID(ctx, store, 99); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("err=%v, want ENOTFOUND", err)
			}
			if err := s.DeleteCustomer(ctx, store, 99); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("err=%v, want ENOTFOUND", err)
			}
			if _, err := s.UpdateCustomer(ctx, store, 99, &customersd.CustomerInput{}); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("err=%v, want ENOTFOUND", err)
			}
		})
		t.Run("StoresAreIsolated", func(t *testing.T) {
			other := mustCreateStore(t, db, "b")
			if _, err := s.FindCustomerByID(ctx, other, 1); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("store b sees store a's customer: %v", err)
			}
			c, err := s.CreateCustomer(ctx, other, newInput("jane@example.com"))
			if err != nil || c.ID != 1 {
				t.Fatalf("first customer of store b: %+v, %v", c, err)
			}
		})
	})
}

// TestCustomerService_ConcurrentCreates: IDs never repeat and an email is
// taken once, however many writers race (the constraint decides).
func TestCustomerService_ConcurrentCreates(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
		store := mustCreateStore(t, db, "a")
		const n = 40
		var wg sync.WaitGroup
		var mu sync.Mutex
		ids := map[int64]bool{}
		sameEmailWins := 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := fmt.Sprintf("c%d@example.com", i)
				if i%2 == 0 {
					email = "same@example.com"
				}
				c, err := s.CreateCustomer(ctx, store, newInput(email))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					if ids[c.ID] {
						t.Errorf("id %d handed out twice", c.ID)
					}
					ids[c.ID] = true
					if email == "same@example.com" {
						sameEmailWins++
					}
				case customersd.ErrorCode(err) != customersd.ECONFLICT:
					t.Errorf("create %s: %v", email, err)
				}
			}()
		}
		wg.Wait()
		if sameEmailWins != 1 {
			t.Errorf("%d creates with one email succeeded, want 1", sameEmailWins)
		}
		count, err := s.CountCustomers(ctx, store, customersd.CustomerFilter{})
		if err != nil || count != int64(len(ids)) || count != n/2+1 {
			t.Errorf("count=%d (%v), successes=%d, want %d", count, err, len(ids), n/2+1)
		}
	})
}

func TestCustomerService_ValidatePassword(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
		store := mustCreateStore(t, db, "a")
		in := newInput("jane@example.com")
		in.Password = ptr("secret123")
		c, err := s.CreateCustomer(ctx, store, in)
		if err != nil {
			t.Fatal(err)
		}
		for pw, want := range map[string]bool{"secret123": true, "secret124": false, "": false} {
			if ok, err := s.ValidatePassword(ctx, store, c.ID, pw); err != nil || ok != want {
				t.Errorf("ValidatePassword(%q)=%v,%v, want %v", pw, ok, err, want)
			}
		}
		if _, err := s.ValidatePassword(ctx, store, 99, "x"); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Errorf("unknown customer: %v", err)
		}
	})
}

// TestCustomerService_BcryptGate: hashing and checking passwords go through
// the hasher's gate as work of their store, so a store whose queue is full
// is answered ErrUnavailable at once, while the calls it queued wait for the
// slot and then succeed.
func TestCustomerService_BcryptGate(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		gate := password.NewGate(1, 2)
		s := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost, Gate: gate})
		other, store := mustCreateStore(t, db, "a"), mustCreateStore(t, db, "b")
		in := newInput("jane@example.com")
		in.Password = ptr("secret123")
		c, err := s.CreateCustomer(ctx, store, in)
		if err != nil {
			t.Fatal(err)
		}

		// Another store holds the only slot.
		hold, held, freed := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() {
			defer close(freed)
			gate.Do(ctx, int64(other), func() { close(held); <-hold })
		}()
		<-held

		// Three calls of the store: two queue, one is refused. Nothing can
		// finish while the slot is held, so the first answer is the refusal.
		calls := []func() error{
			func() error { _, err := s.ValidatePassword(ctx, store, c.ID, "secret123"); return err },
			func() error {
				_, err := s.UpdateCustomer(ctx, store, c.ID, &customersd.CustomerInput{Password: ptr("secret456")})
				return err
			},
			func() error {
				in := newInput("joe@example.com")
				in.Password = ptr("secret789")
				_, err := s.CreateCustomer(ctx, store, in)
				return err
			},
		}
		errc := make(chan error, len(calls))
		for _, call := range calls {
			go func() { errc <- call() }()
		}
		if err := <-errc; !errors.Is(err, customersd.ErrUnavailable) {
			t.Fatalf("first answer with the store's queue full: %v, want an ErrUnavailable", err)
		}
		close(hold)
		<-freed
		for range len(calls) - 1 {
			if err := <-errc; err != nil {
				t.Errorf("a queued call: %v", err)
			}
		}
	})
}

// TestCustomerService_CreatesUnderLoad races many creates of one store,
// some sharing an email, some into a group of their own, as PostgreSQL's
// batched creates (create.go) see them: each success reads back as it was
// sent (no row answered to another create), in the default group unless
// sent with one; IDs never repeat; an email is taken once; and the counts
// are the successes.
func TestCustomerService_CreatesUnderLoad(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
		store := mustCreateStore(t, db, "load")
		groups := sqlstore.NewGroupService(db)
		def, err := groups.CreateGroup(ctx, store, &customersd.GroupInput{Name: ptr("Retail"), IsDefault: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		other, err := groups.CreateGroup(ctx, store, &customersd.GroupInput{Name: ptr("Wholesale")})
		if err != nil {
			t.Fatal(err)
		}
		const workers, each = 32, 12
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			made    = map[int64]*customersd.Customer{}
			dupWins int
		)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					email := fmt.Sprintf("w%d.%d@example.com", w, i)
					if i%4 == 0 {
						email = fmt.Sprintf("Shared%d@Example.com", i) // every worker tries it
					}
					in := newInput(email)
					in.FirstName = ptr(fmt.Sprintf("first %d.%d", w, i))
					if i%3 == 0 {
						in.CustomerGroupID = ptr(other.ID)
					}
					c, err := s.CreateCustomer(ctx, store, in)
					mu.Lock()
					switch {
					case err == nil:
						if made[c.ID] != nil {
							t.Errorf("id %d handed out twice", c.ID)
						}
						made[c.ID] = c
						if i%4 == 0 {
							dupWins++
						}
					case customersd.ErrorCode(err) != customersd.ECONFLICT || i%4 != 0:
						t.Errorf("create %s: %v", email, err)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if dupWins != each/4 {
			t.Errorf("%d creates of the shared emails succeeded, want one each: %d", dupWins, each/4)
		}
		if want := workers*(each-each/4) + each/4; len(made) != want {
			t.Errorf("%d creates succeeded, want %d", len(made), want)
		}
		for id, c := range made {
			got, err := s.FindCustomerByID(ctx, store, id)
			if err != nil {
				t.Fatalf("find %d: %v", id, err)
			}
			if got.FirstName != c.FirstName || got.Email != c.Email || got.CustomerGroupID != c.CustomerGroupID {
				t.Errorf("customer %d reads back as %q %q group %d, was created as %q %q group %d",
					id, got.FirstName, got.Email, got.CustomerGroupID, c.FirstName, c.Email, c.CustomerGroupID)
			}
			var i int
			fmt.Sscanf(c.FirstName[strings.Index(c.FirstName, ".")+1:], "%d", &i)
			if want := map[bool]int64{true: other.ID, false: def.ID}[i%3 == 0]; c.CustomerGroupID != want {
				t.Errorf("customer %d (%s) in group %d, want %d", id, c.FirstName, c.CustomerGroupID, want)
			}
		}
		count, err := s.CountCustomers(ctx, store, customersd.CustomerFilter{})
		if err != nil || count != int64(len(made)) {
			t.Errorf("count = %d (%v), want %d", count, err, len(made))
		}
		n, err := sqlstore.NewTenantService(db).CountStore(ctx, store)
		if err != nil || n.Customers != int64(len(made)) {
			t.Errorf("store counts = %+v (%v), want %d customers", n, err, len(made))
		}
	})
}

// TestCreates_RefusedSpendNoID: a customer sent with a group that does not
// exist, and an address of a customer that does not exist, are refused
// without spending an ID (on PostgreSQL an ID drawn from a sequence is not
// given back by a rollback), both when the create runs as one statement
// and when a hook makes it a transaction.
func TestCreates_RefusedSpendNoID(t *testing.T) {
	for _, hooked := range []bool{false, true} {
		t.Run(map[bool]string{false: "alone", true: "with-hooks"}[hooked], func(t *testing.T) {
			sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				store := mustCreateStore(t, db, "refused")
				if hooked {
					client := mustCreateAccount(t, db, store)
					mustCreateHook(t, db, store, client, "store/customer/*", "http://127.0.0.1:9/hook")
				}
				customers := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
				addresses := sqlstore.NewAddressService(db)
				in := newInput("a@example.com")
				in.CustomerGroupID = ptr(int64(42))
				if _, err := customers.CreateCustomer(ctx, store, in); customersd.ErrorCode(err) != customersd.EINVALID {
					t.Fatalf("create in an unknown group: %v, want EINVALID", err)
				}
				if _, err := addresses.CreateAddress(ctx, store, 7, newAddressInput()); customersd.ErrorCode(err) != customersd.ENOTFOUND {
					t.Fatalf("create an address of an unknown customer: %v, want ENOTFOUND", err)
				}
				c, err := customers.CreateCustomer(ctx, store, newInput("a@example.com"))
				if err != nil || c.ID != 1 {
					t.Fatalf("first customer: id %v (%v), want 1", c, err)
				}
				a, err := addresses.CreateAddress(ctx, store, c.ID, newAddressInput())
				if err != nil || a.ID != 1 {
					t.Fatalf("first address: %v (%v), want id 1", a, err)
				}
			})
		})
	}
}
