package panel

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// customersPerPage is the size of a page of customers.
const customersPerPage = 50

// maxListedGroups bounds the groups the panel lists at once: a store has
// a few; a test may make hundreds.
const maxListedGroups = 1000

// customersView is the customers page.
type customersView struct {
	Query, Group, From, To string
	Groups                 []*customersd.Group
	GroupNames             map[int64]string
	Customers              []*customersd.Customer
	Total                  int64
	// Next is the URL of the next page; "" on the last. First is set on
	// any page but the first.
	Next, First string
	Notice      string
}

// listCustomers implements GET /admin/ui/stores/{hash}/customers: a page
// of the store's customers, searched with q (a prefix of the email, first
// name, last name or company; customersd.CustomerSearch), filtered by group
// and by creation date (UTC days, inclusive), paged by id with after.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	search, err := parseSearch(q)
	if err != nil {
		return err
	}
	v := &customersView{Query: search.Query, Group: q.Get("group"), From: q.Get("from"), To: q.Get("to")}
	if q.Get("notice") == "reset" {
		v.Notice = "The store was reset: its customers, addresses and groups are gone; its API accounts stay."
	}
	if v.Groups, v.GroupNames, err = s.groups(r, st); err != nil {
		return err
	}
	search.Limit = customersPerPage + 1 // one more tells whether a next page exists
	if v.Customers, err = s.Search.SearchCustomers(r.Context(), st.ID, search); err != nil {
		return err
	}
	if len(v.Customers) > customersPerPage {
		v.Customers = v.Customers[:customersPerPage]
		next := cloneValues(q)
		next.Set("after", strconv.FormatInt(v.Customers[len(v.Customers)-1].ID, 10))
		v.Next = "?" + next.Encode()
	}
	if search.AfterID > 0 {
		first := cloneValues(q)
		first.Del("after")
		v.First = "?" + first.Encode()
	}
	n, err := s.Tenants.CountStore(r.Context(), st.ID)
	if err != nil {
		return err
	}
	v.Total = n.Customers
	return s.render(w, r, http.StatusOK, "customers", &view{Title: "Customers of " + st.Hash, Store: st, Section: "customers", Data: v})
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if k != "notice" {
			out[k] = vs
		}
	}
	return out
}

// parseSearch reads the query string of the customers page. Every bad
// value is a 400 naming it: a silent default would show the wrong customers.
func parseSearch(q url.Values) (customersd.CustomerSearch, error) {
	var cs customersd.CustomerSearch
	cs.Query = strings.TrimSpace(q.Get("q"))
	if len(cs.Query) > 255 {
		return cs, errBadInput("The search text is longer than any email, name or company (255 characters).")
	}
	if g := q.Get("group"); g != "" {
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil || id < 0 {
			return cs, errBadInput("group must be a group's id, or 0 for customers without a group.")
		}
		cs.CustomerGroupID = &id
	}
	if a := q.Get("after"); a != "" {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id < 0 {
			return cs, errBadInput("after must be a customer id.")
		}
		cs.AfterID = id
	}
	var err error
	if cs.MinDateCreated, err = parseDay(q.Get("from"), "from", 0); err != nil {
		return cs, err
	}
	if cs.MaxDateCreated, err = parseDay(q.Get("to"), "to", 24*time.Hour-time.Second); err != nil {
		return cs, err
	}
	return cs, nil
}

// parseDay reads a date input's value (YYYY-MM-DD, a UTC day) plus offset.
func parseDay(v, name string, offset time.Duration) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, errBadInput(name + " must be a date such as 2024-05-31.")
	}
	t = t.Add(offset)
	return &t, nil
}

// groups lists a store's groups, and their names by id.
func (s *Server) groups(r *http.Request, st *customersd.Store) ([]*customersd.Group, map[int64]string, error) {
	gs, err := s.Groups.FindGroups(r.Context(), st.ID, customersd.GroupFilter{Page: customersd.Page{Limit: maxListedGroups}})
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(gs))
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	return gs, names, nil
}

// customerView is one customer's page.
type customerView struct {
	*customersd.Customer
	Group     *customersd.Group
	Addresses []*customersd.Address
	// Requests are the journal's requests to the customer's own path, when
	// the journal is on (nil: no section).
	Requests []*entry
}

// maxCustomerRequests is how many of a customer's requests its page shows.
const maxCustomerRequests = 20

// showCustomer implements GET /admin/ui/stores/{hash}/customers/{id}:
// every field, the addresses and the group in words.
func (s *Server) showCustomer(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return customersd.Errorf(customersd.ENOTFOUND, "There is no customer %q in store %s.", r.PathValue("id"), st.Hash)
	}
	c, err := s.Customers.FindCustomerByID(r.Context(), st.ID, id)
	if err != nil {
		return err
	}
	v := &customerView{Customer: c}
	if c.CustomerGroupID != 0 {
		if v.Group, err = s.Groups.FindGroupByID(r.Context(), st.ID, c.CustomerGroupID); err != nil {
			return err
		}
	}
	if v.Addresses, err = s.Addresses.FindAddresses(r.Context(), st.ID, customersd.AddressFilter{CustomerID: &id}); err != nil {
		return err
	}
	if s.Journal != nil {
		v.Requests = []*entry{}
		f := journalFilter(maxCustomerRequests)
		f.Path = "/stores/" + st.Hash + "/v2/customers/" + strconv.FormatInt(id, 10)
		for _, e := range s.Journal.Find(st.ID, f) {
			v.Requests = append(v.Requests, (*entry)(e))
		}
	}
	title := strings.TrimSpace(c.FirstName + " " + c.LastName)
	return s.render(w, r, http.StatusOK, "customer", &view{Title: title, Store: st, Section: "customers", Data: v})
}
