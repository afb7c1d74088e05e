package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"golang.org/x/crypto/bcrypt"
)

// mustCreateGroup creates a group named name with the given flags.
func mustCreateGroup(tb testing.TB, s *sqlstore.GroupService, store customersd.StoreID, name string, isDefault, guests bool) *customersd.Group {
	tb.Helper()
	g, err := s.CreateGroup(context.Background(), store, &customersd.GroupInput{Name: &name, IsDefault: &isDefault, IsGroupForGuests: &guests})
	if err != nil {
		tb.Fatalf("create group %s: %v", name, err)
	}
	return g
}

// flagHolders returns the ids of the groups holding is_default and is_group_for_guests.
func flagHolders(tb testing.TB, s *sqlstore.GroupService, store customersd.StoreID) (defaults, guests []int64) {
	tb.Helper()
	gs, err := s.FindGroups(context.Background(), store, customersd.GroupFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, g := range gs {
		if g.IsDefault {
			defaults = append(defaults, g.ID)
		}
		if g.IsGroupForGuests {
			guests = append(guests, g.ID)
		}
	}
	return defaults, guests
}

func TestGroupService_CreateGroup(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2023, 7, 17, 6, 30, 41, 0, time.UTC)
		db.Now = func() time.Time { return now }
		s := sqlstore.NewGroupService(db)
		store := mustCreateStore(t, db, "a")

		t.Run("OK", func(t *testing.T) {
			rules := []customersd.DiscountRule{{Type: "all", Method: "percent", Amount: ptr(customersd.Decimal(50000))}}
			g, err := s.CreateGroup(ctx, store, &customersd.GroupInput{Name: ptr("Wholesale"), DiscountRules: &rules,
				CategoryAccess: &customersd.CategoryAccess{Type: "specific", Categories: []int64{18, 19}}})
			if err != nil {
				t.Fatal(err)
			}
			if g.ID != 1 || !g.DateCreated.Equal(now) || !g.DateModified.Equal(now) {
				t.Fatalf("got %+v", g)
			}
			got, err := s.FindGroupByID(ctx, store, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Wholesale" || got.CategoryAccess.Type != "specific" || len(got.CategoryAccess.Categories) != 2 ||
				len(got.DiscountRules) != 1 || got.DiscountRules[0].Amount.String() != "5.0000" {
				t.Fatalf("FindGroupByID=%+v", got)
			}
		})
		t.Run("Defaults", func(t *testing.T) {
			g := mustCreateGroup(t, s, store, "Retail", false, false)
			got, err := s.FindGroupByID(ctx, store, g.ID)
			if err != nil || got.CategoryAccess.Type != "all" || got.DiscountRules == nil || len(got.DiscountRules) != 0 {
				t.Fatalf("FindGroupByID=%+v, %v", got, err)
			}
		})
		t.Run("ErrNameRequired", func(t *testing.T) {
			_, err := s.CreateGroup(ctx, store, &customersd.GroupInput{})
			if customersd.ErrorCode(err) != customersd.EINVALID {
				t.Fatalf("err=%v, want EINVALID", err)
			}
		})
		t.Run("ErrGroupNotFound", func(t *testing.T) {
			if _, err := s.FindGroupByID(ctx, store, 99); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("err=%v, want ENOTFOUND", err)
			}
			other := mustCreateStore(t, db, "b")
			if _, err := s.FindGroupByID(ctx, other, 1); customersd.ErrorCode(err) != customersd.ENOTFOUND {
				t.Fatalf("another store's group: err=%v, want ENOTFOUND", err)
			}
		})
	})
}

func TestGroupService_FlagsMove(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewGroupService(db)
		store := mustCreateStore(t, db, "a")
		other := mustCreateStore(t, db, "b")
		a := mustCreateGroup(t, s, store, "A", true, true)
		b := mustCreateGroup(t, s, store, "B", true, false)
		mustCreateGroup(t, s, other, "Other", true, true) // another store keeps its own flags
		if d, g := flagHolders(t, s, store); fmt.Sprint(d, g) != fmt.Sprint([]int64{b.ID}, []int64{a.ID}) {
			t.Fatalf("after create: defaults=%v guests=%v", d, g)
		}
		if _, err := s.UpdateGroup(ctx, store, b.ID, &customersd.GroupInput{IsGroupForGuests: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateGroup(ctx, store, a.ID, &customersd.GroupInput{IsDefault: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if d, g := flagHolders(t, s, store); fmt.Sprint(d, g) != fmt.Sprint([]int64{a.ID}, []int64{b.ID}) {
			t.Fatalf("after updates: defaults=%v guests=%v", d, g)
		}
		if d, g := flagHolders(t, s, other); len(d) != 1 || len(g) != 1 {
			t.Fatalf("other store: defaults=%v guests=%v", d, g)
		}
	})
}

// TestGroupService_ConcurrentDefault sets is_default on 20 groups at once:
// every update succeeds and exactly one group is the default afterwards.
func TestGroupService_ConcurrentDefault(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewGroupService(db)
		store := mustCreateStore(t, db, "a")
		const n = 20
		for i := range n {
			mustCreateGroup(t, s, store, fmt.Sprintf("G%d", i), false, false)
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.UpdateGroup(ctx, store, int64(i+1), &customersd.GroupInput{IsDefault: ptr(true), IsGroupForGuests: ptr(true)})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("update %d: %v", i+1, err)
			}
		}
		if d, g := flagHolders(t, s, store); len(d) != 1 || len(g) != 1 {
			t.Fatalf("defaults=%v guests=%v, want one of each", d, g)
		}
	})
}

func TestGroupService_DeleteGroup(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		start := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
		now := start
		db.Now = func() time.Time { return now }
		s := sqlstore.NewGroupService(db)
		cs := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
		store := mustCreateStore(t, db, "a")
		g1 := mustCreateGroup(t, s, store, "One", true, false)
		g2 := mustCreateGroup(t, s, store, "Two", false, false)
		c1, err := cs.CreateCustomer(ctx, store, newInput("one@example.com")) // joins the default group
		if err != nil || c1.CustomerGroupID != g1.ID {
			t.Fatalf("customer=%+v, %v; want it in the default group", c1, err)
		}
		in := newInput("two@example.com")
		in.CustomerGroupID = &g2.ID
		c2, err := cs.CreateCustomer(ctx, store, in)
		if err != nil {
			t.Fatal(err)
		}

		now = start.Add(time.Hour)
		if err := s.DeleteGroup(ctx, store, g1.ID); err != nil {
			t.Fatal(err)
		}
		got, err := cs.FindCustomerByID(ctx, store, c1.ID)
		if err != nil || got.CustomerGroupID != 0 || !got.DateModified.Equal(now) {
			t.Fatalf("customer of the deleted group: %+v, %v", got, err)
		}
		if got, _ := cs.FindCustomerByID(ctx, store, c2.ID); got.CustomerGroupID != g2.ID {
			t.Fatalf("customer of another group: group %d, want %d", got.CustomerGroupID, g2.ID)
		}
		if err := s.DeleteGroup(ctx, store, g1.ID); customersd.ErrorCode(err) != customersd.ENOTFOUND {
			t.Fatalf("second delete: err=%v, want ENOTFOUND", err)
		}
		// No default group left: a new customer has none.
		if c, err := cs.CreateCustomer(ctx, store, newInput("three@example.com")); err != nil || c.CustomerGroupID != 0 {
			t.Fatalf("customer=%+v, %v; want no group", c, err)
		}

		if err := s.DeleteGroups(ctx, store, customersd.GroupFilter{}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountGroups(ctx, store, customersd.GroupFilter{}); n != 0 {
			t.Fatalf("%d groups left", n)
		}
		if got, _ := cs.FindCustomerByID(ctx, store, c2.ID); got.CustomerGroupID != 0 {
			t.Fatalf("customer of a group deleted with all: group %d", got.CustomerGroupID)
		}
		// IDs are never reused.
		if g := mustCreateGroup(t, s, store, "Three", false, false); g.ID != 3 {
			t.Fatalf("id=%d, want 3", g.ID)
		}
	})
}

func TestGroupService_FindGroups(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewGroupService(db)
		store := mustCreateStore(t, db, "a")
		for _, name := range []string{"Wholesale", "Retail", "whole_sale 50%", "VIP"} {
			mustCreateGroup(t, s, store, name, name == "VIP", false)
		}
		tests := []struct {
			name string
			f    customersd.GroupFilter
			want string
		}{
			{"All", customersd.GroupFilter{}, "[1 2 3 4]"},
			{"Name", customersd.GroupFilter{Name: ptr("Retail")}, "[2]"},
			{"NameIsExact", customersd.GroupFilter{Name: ptr("retail")}, "[]"},
			{"NameLike", customersd.GroupFilter{NameLike: ptr("WHOLE")}, "[1 3]"},
			{"NameLikeUnderscoreIsLiteral", customersd.GroupFilter{NameLike: ptr("e_s")}, "[3]"},
			{"NameLikePercentIsLiteral", customersd.GroupFilter{NameLike: ptr("0%")}, "[3]"},
			{"IsDefault", customersd.GroupFilter{IsDefault: ptr(true)}, "[4]"},
			{"NotDefault", customersd.GroupFilter{IsDefault: ptr(false)}, "[1 2 3]"},
			{"Page", customersd.GroupFilter{Page: customersd.Page{Offset: 2, Limit: 1}}, "[3]"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				gs, err := s.FindGroups(ctx, store, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				ids := []int64{}
				for _, g := range gs {
					ids = append(ids, g.ID)
				}
				if got := fmt.Sprint(ids); got != tt.want {
					t.Fatalf("ids=%s, want %s", got, tt.want)
				}
				n, err := s.CountGroups(ctx, store, tt.f)
				if tt.f.Page.Limit == 0 && (err != nil || n != int64(len(ids))) {
					t.Fatalf("CountGroups=%d, %v; want %d", n, err, len(ids))
				}
			})
		}
	})
}
