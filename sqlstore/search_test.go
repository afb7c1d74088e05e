package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// TestCustomerService_SearchCustomers pages through searches of a seeded
// store larger than the search window, so both the windowed scan and the
// index ranges answer, and compares every page with the same search done
// in Go over all the customers.
func TestCustomerService_SearchCustomers(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		store := mustCreateStore(t, db, "search")
		if err := sqlstore.Seed(ctx, db, store, sqlstore.SeedOptions{Customers: 10000}); err != nil {
			t.Fatal(err)
		}
		s := sqlstore.NewCustomerService(db, password.Hasher{})
		in := &customersd.CustomerInput{FirstName: ptr("Zoë"), LastName: ptr("O'Neil"), Email: ptr("Zoe.Late@Example.com"), Company: ptr("ACME Late")}
		if _, err := s.CreateCustomer(ctx, store, in); err != nil {
			t.Fatal(err)
		}
		all, err := s.FindCustomers(ctx, store, customersd.CustomerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		mid := all[5000].DateCreated
		tests := []struct {
			name string
			in   customersd.CustomerSearch
			want int // number of matches, to be sure the case tests something
		}{
			{"All", customersd.CustomerSearch{}, 10001},
			{"DensePrefix", customersd.CustomerSearch{Query: "FIRST1"}, 1110},
			{"EmailPrefix", customersd.CustomerSearch{Query: "seed999"}, 11},
			{"SparseLate", customersd.CustomerSearch{Query: "zoe.late@"}, 1},
			{"LastName", customersd.CustomerSearch{Query: "o'ne"}, 1},
			{"Company", customersd.CustomerSearch{Query: "company 4999"}, 2},
			{"CompanyCase", customersd.CustomerSearch{Query: "acme l"}, 1},
			{"NoMatch", customersd.CustomerSearch{Query: "nobody"}, 0},
			{"Group", customersd.CustomerSearch{CustomerGroupID: ptr(int64(2))}, 3333},
			{"NoGroup", customersd.CustomerSearch{CustomerGroupID: ptr(int64(0))}, 1},
			{"GroupAndQuery", customersd.CustomerSearch{Query: "last99", CustomerGroupID: ptr(int64(3))}, 26},
			{"DateRange", customersd.CustomerSearch{MinDateCreated: &mid, MaxDateCreated: ptr(mid.Add(9 * time.Minute))}, 10},
			{"SinceAndQuery", customersd.CustomerSearch{Query: "seed9", MinDateCreated: &mid}, 1000},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var want []int64
				for _, c := range all {
					if matches(c, tt.in) {
						want = append(want, c.ID)
					}
				}
				if len(want) != tt.want {
					t.Fatalf("the case matches %d customers, want %d", len(want), tt.want)
				}
				var got []int64
				cs := tt.in
				cs.Limit = 50
				for pages := 0; ; pages++ {
					page, err := s.SearchCustomers(ctx, store, cs)
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range page {
						got = append(got, c.ID)
					}
					if len(page) < cs.Limit || pages > 300 {
						break
					}
					cs.AfterID = page[len(page)-1].ID
				}
				if !slices.Equal(got, want) {
					t.Fatalf("got %d ids %v..., want %d ids %v...", len(got), head(got), len(want), head(want))
				}
			})
		}
	})
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 8)] }

// matches is the search's rule, written out: a prefix of the email, first
// name, last name or company, ignoring case, plus the filters.
func matches(c *customersd.Customer, s customersd.CustomerSearch) bool {
	q := strings.ToLower(s.Query)
	if q != "" && !slices.ContainsFunc([]string{c.Email, c.FirstName, c.LastName, c.Company}, func(v string) bool {
		return strings.HasPrefix(strings.ToLower(v), q)
	}) {
		return false
	}
	if s.CustomerGroupID != nil && c.CustomerGroupID != *s.CustomerGroupID {
		return false
	}
	if s.MinDateCreated != nil && c.DateCreated.Before(*s.MinDateCreated) {
		return false
	}
	return s.MaxDateCreated == nil || !c.DateCreated.After(*s.MaxDateCreated)
}
