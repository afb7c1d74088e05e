package v2

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// customerJSON is a customer on the wire: keys in BigCommerce's order, every
// key always present, text "" when unset, form_fields null when none.
type customerJSON struct {
	ID                    int64                  `json:"id"`
	Company               string                 `json:"company"`
	FirstName             string                 `json:"first_name"`
	LastName              string                 `json:"last_name"`
	Email                 string                 `json:"email"`
	Phone                 string                 `json:"phone"`
	FormFields            []customersd.FormField `json:"form_fields"`
	DateCreated           string                 `json:"date_created"`
	DateModified          string                 `json:"date_modified"`
	StoreCredit           string                 `json:"store_credit"`
	RegistrationIPAddress string                 `json:"registration_ip_address"`
	CustomerGroupID       int64                  `json:"customer_group_id"`
	Notes                 string                 `json:"notes"`
	TaxExemptCategory     string                 `json:"tax_exempt_category"`
	ResetPassOnLogin      bool                   `json:"reset_pass_on_login"`
	AcceptsMarketing      bool                   `json:"accepts_marketing"`
	Addresses             resourceLink           `json:"addresses"`
}

func newCustomerJSON(r *http.Request, c *customersd.Customer) customerJSON {
	return customerJSON{
		ID:                    c.ID,
		Company:               c.Company,
		FirstName:             c.FirstName,
		LastName:              c.LastName,
		Email:                 c.Email,
		Phone:                 c.Phone,
		FormFields:            c.FormFields,
		DateCreated:           customerDate(c.DateCreated),
		DateModified:          customerDate(c.DateModified),
		StoreCredit:           decimal(c.StoreCredit),
		RegistrationIPAddress: c.RegistrationIPAddress,
		CustomerGroupID:       c.CustomerGroupID,
		Notes:                 c.Notes,
		TaxExemptCategory:     c.TaxExemptCategory,
		ResetPassOnLogin:      c.ResetPassOnLogin,
		AcceptsMarketing:      c.AcceptsMarketing,
		Addresses:             newResourceLink(r, "/customers/"+strconv.FormatInt(c.ID, 10)+"/addresses"),
	}
}

// The body fields of a customer (BEHAVIOR.md, "Customers"): the writable ones,
// and the read-only ones that are ignored because clients send back what
// they fetched.
var (
	customerWritable = []string{"company", "first_name", "last_name", "email", "phone", "store_credit",
		"registration_ip_address", "customer_group_id", "notes", "tax_exempt_category", "reset_pass_on_login", "_authentication"}
	customerReadOnly       = []string{"id", "date_created", "date_modified", "accepts_marketing", "addresses", "form_fields"}
	authenticationWritable = []string{"password", "password_confirmation", "force_reset"}
)

// decodeCustomer reads a customer body into the domain's input.
func decodeCustomer(w http.ResponseWriter, r *http.Request) (*customersd.CustomerInput, error) {
	f, err := decodeBody(w, r)
	if err != nil {
		return nil, err
	}
	f.check(customerWritable, customerReadOnly)
	f.refuseFormFields()
	in := &customersd.CustomerInput{
		Company:               f.str("company"),
		FirstName:             f.str("first_name"),
		LastName:              f.str("last_name"),
		Email:                 f.str("email"),
		Phone:                 f.digits("phone"),
		StoreCredit:           f.decimal("store_credit"),
		RegistrationIPAddress: f.str("registration_ip_address"),
		CustomerGroupID:       f.integer("customer_group_id"),
		Notes:                 f.str("notes"),
		TaxExemptCategory:     f.str("tax_exempt_category"),
		ResetPassOnLogin:      f.boolean("reset_pass_on_login"),
	}
	if auth := f.object("_authentication"); auth != nil {
		auth.check(authenticationWritable, nil)
		in.Password = auth.str("password")
		in.PasswordConfirmation = auth.str("password_confirmation")
		in.ForceReset = auth.boolean("force_reset")
		if err := auth.err(); err != nil {
			return nil, err
		}
	}
	return in, f.err()
}

// customerFilters are the query parameters of GET/DELETE /customers and
// /customers/count (BEHAVIOR.md, "Collections").
var customerFilters = []string{"first_name", "last_name", "company", "email", "phone", "store_credit",
	"customer_group_id", "tax_exempt_category", "min_id", "max_id",
	"min_date_created", "max_date_created", "min_date_modified", "max_date_modified"}

func parseCustomerFilter(r *http.Request) (customersd.CustomerFilter, error) {
	q := parseQuery(r, customerFilters...)
	f := customersd.CustomerFilter{
		FirstName:         q.str("first_name"),
		LastName:          q.str("last_name"),
		Company:           q.str("company"),
		Email:             q.str("email"),
		Phone:             q.str("phone"),
		StoreCredit:       q.decimal("store_credit"),
		CustomerGroupID:   q.int("customer_group_id"),
		TaxExemptCategory: q.str("tax_exempt_category"),
		MinID:             q.int("min_id"),
		MaxID:             q.int("max_id"),
		MinDateCreated:    q.date("min_date_created", false),
		MaxDateCreated:    q.date("max_date_created", true),
		MinDateModified:   q.date("min_date_modified", false),
		MaxDateModified:   q.date("max_date_modified", true),
		Page:              q.page(),
	}
	return f, q.err()
}

// pathID reads a numeric path segment. Anything that cannot be an ID names
// no resource, so it is a 404 like any other missing one.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	// Canonical digits only: ParseInt also takes a sign and leading zeros,
	// which would make "+1" and "01" second names for resource 1;
	// BigCommerce answers those 404.
	if v == "" || v[0] == '0' || strings.TrimLeft(v, "0123456789") != "" {
		return 0, customersd.Errorf(customersd.ENOTFOUND, notFoundMessage)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, customersd.Errorf(customersd.ENOTFOUND, notFoundMessage)
	}
	return id, nil
}

// listCustomers implements GET /stores/{store_hash}/v2/customers.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	f, err := parseCustomerFilter(r)
	if err != nil {
		return err
	}
	since, conditional := ifModifiedSince(r)
	if conditional {
		f.ModifiedSince = &since
	}
	ctx, release, err := s.meterList(r, "customers", f.Page.Limit, customerRowEstimate)
	if err != nil {
		return err
	}
	defer release()
	cs, err := s.Customers.FindCustomers(ctx, storeOf(r), f)
	if err != nil {
		return err
	}
	if conditional && len(cs) == 0 {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeList(w, r, cs, func(c *customersd.Customer) customerJSON { return newCustomerJSON(r, c) })
}

// countCustomers implements GET /stores/{store_hash}/v2/customers/count.
func (s *Server) countCustomers(w http.ResponseWriter, r *http.Request) error {
	f, err := parseCustomerFilter(r)
	if err != nil {
		return err
	}
	n, err := s.Customers.CountCustomers(r.Context(), storeOf(r), f)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, countJSON{Count: n})
}

// getCustomer implements GET /stores/{store_hash}/v2/customers/{customer_id}.
func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	c, err := s.Customers.FindCustomerByID(r.Context(), storeOf(r), id)
	if err != nil {
		return err
	}
	if notModifiedSince(r, c.DateModified) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return write(w, r, http.StatusOK, newCustomerJSON(r, c))
}

// createCustomer implements POST /stores/{store_hash}/v2/customers.
func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCustomer(w, r)
	if err != nil {
		return err
	}
	c, err := s.Customers.CreateCustomer(r.Context(), storeOf(r), in)
	if err != nil {
		return err
	}
	return writeCreated(w, r, "/customers/"+strconv.FormatInt(c.ID, 10), newCustomerJSON(r, c))
}

// updateCustomer implements PUT /stores/{store_hash}/v2/customers/{customer_id}.
func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	in, err := decodeCustomer(w, r)
	if err != nil {
		return err
	}
	c, err := s.Customers.UpdateCustomer(r.Context(), storeOf(r), id, in)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, newCustomerJSON(r, c))
}

// deleteCustomer implements DELETE /stores/{store_hash}/v2/customers/{customer_id}.
func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	if err := s.Customers.DeleteCustomer(r.Context(), storeOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteCustomers implements DELETE /stores/{store_hash}/v2/customers. With
// no filter it deletes every customer of the store.
func (s *Server) deleteCustomers(w http.ResponseWriter, r *http.Request) error {
	f, err := parseCustomerFilter(r)
	if err != nil {
		return err
	}
	if err := s.Customers.DeleteCustomers(r.Context(), storeOf(r), f); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type validateJSON struct {
	Success bool `json:"success"`
}

// validateCustomerPassword implements POST /stores/{store_hash}/v2/customers/{customer_id}/validate.
func (s *Server) validateCustomerPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	f, err := decodeBody(w, r)
	if err != nil {
		return err
	}
	f.check([]string{"password"}, nil)
	pw := f.str("password")
	if err := f.err(); err != nil {
		return err
	}
	if pw == nil {
		return customersd.Required("password")
	}
	// The answer is "is this the password?", so it goes behind the store's
	// cap on validations and the customer's lock (ratelimit.Policy).
	st := gateway.StoreOf(r.Context())
	ok, err := s.RateLimit.CheckPassword(r.Context(), st, id, func() (bool, error) {
		return s.Customers.ValidatePassword(r.Context(), st.ID, id, *pw)
	})
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, validateJSON{Success: ok})
}

// ifModifiedSince reads the If-Modified-Since header of a GET. An invalid
// date is ignored, as RFC 9110 (13.1.3) says.
func ifModifiedSince(r *http.Request) (t time.Time, ok bool) {
	v := r.Header.Get("If-Modified-Since")
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		if pt, _, ok := parseDate(v); ok {
			return pt, true
		}
		return time.Time{}, false
	}
	return t, true
}

// notModifiedSince reports whether a single resource last modified at
// modified may be answered 304 (BEHAVIOR.md, "Collections"): it has not
// changed since the If-Modified-Since date. HTTP dates count whole seconds,
// so the comparison does too; a change later in the same second is missed,
// as with any HTTP cache.
func notModifiedSince(r *http.Request, modified time.Time) bool {
	since, ok := ifModifiedSince(r)
	return ok && !modified.Truncate(time.Second).After(since)
}
