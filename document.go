package customersd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/customersd/customersd/country"
	"github.com/customersd/customersd/password"
)

// DecodeDocument reads a document strictly: an unknown field, a value of the
// wrong type or trailing data is EINVALID, naming the record it is in
// ("customers[3]: unknown field \"emial\""), because a fixture written by hand
// should fail loudly rather than load half of what was meant. It does not
// call Validate.
func DecodeDocument(data []byte) (*Document, error) {
	var top struct {
		Format      string            `json:"format"`
		Store       json.RawMessage   `json:"store"`
		Counters    json.RawMessage   `json:"counters"`
		Groups      []json.RawMessage `json:"groups"`
		Customers   []json.RawMessage `json:"customers"`
		Addresses   []json.RawMessage `json:"addresses"`
		APIAccounts []json.RawMessage `json:"api_accounts"`
	}
	if err := strictUnmarshal(data, &top); err != nil {
		return nil, decodeError("document", err)
	}
	d := &Document{Format: top.Format}
	if err := decodeRecord("store", top.Store, &d.Store); err != nil {
		return nil, err
	}
	if err := decodeRecord("counters", top.Counters, &d.Counters); err != nil {
		return nil, err
	}
	var err error
	if d.Groups, err = decodeRecords[DocumentGroup]("groups", top.Groups); err != nil {
		return nil, err
	}
	if d.Customers, err = decodeRecords[DocumentCustomer]("customers", top.Customers); err != nil {
		return nil, err
	}
	if d.Addresses, err = decodeRecords[DocumentAddress]("addresses", top.Addresses); err != nil {
		return nil, err
	}
	if len(top.APIAccounts) > 0 { // older documents have none, and stay as they were
		if d.APIAccounts, err = decodeRecords[DocumentAPIAccount]("api_accounts", top.APIAccounts); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func decodeRecords[T any](name string, raws []json.RawMessage) ([]T, error) {
	out := make([]T, len(raws))
	for i, raw := range raws {
		if err := decodeRecord(fmt.Sprintf("%s[%d]", name, i), raw, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeRecord(path string, raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := strictUnmarshal(raw, v); err != nil {
		return decodeError(path, err)
	}
	return nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// decodeError turns a decoding failure into a message a person can act on.
func decodeError(path string, err error) *Error {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te) && te.Field != "" && path == "document":
		return docError(te.Field, fmt.Sprintf("want %s, got %s", kindName(te.Type), te.Value))
	case errors.As(err, &te) && te.Field != "":
		return docError(path+"."+te.Field, fmt.Sprintf("want %s, got %s", kindName(te.Type), te.Value))
	case errors.As(err, &te):
		return docError(path, fmt.Sprintf("want %s, got %s", kindName(te.Type), te.Value))
	case errors.As(err, &pe):
		return docError(path, fmt.Sprintf("a date is not RFC 3339 (such as 2024-05-06T07:34:10Z): %q", pe.Value))
	}
	return docError(path, strings.TrimPrefix(err.Error(), "json: "))
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// docError is an EINVALID whose message starts with the path of the bad
// value, so an import failure says which record to fix.
func docError(path, msg string) *Error {
	return &Error{Code: EINVALID, Field: path, Message: path + ": " + msg}
}

// Validate checks everything an import needs, so that a bad document is
// refused before anything changes: the format, unique IDs, unique emails,
// references between records, one default and one guest group, and each
// record's own rules (the V2 rules for customers). It reports the first
// problem as EINVALID naming the record: "customers[3].email: The field
// 'email' is invalid.".
func (d *Document) Validate() error {
	if d.Format != DocumentFormat {
		return docError("format", fmt.Sprintf("want %q, got %q", DocumentFormat, d.Format))
	}
	if d.Store.Hash != "" && !ValidStoreHash(d.Store.Hash) {
		return docError("store.hash", "use 1 to 64 letters, digits, '-' and '_'")
	}
	if d.Store.Plan != "" && !ValidPlan(d.Store.Plan) {
		return docError("store.plan", fmt.Sprintf("unknown plan %q; want %s", d.Store.Plan, PlanNames()))
	}
	if err := d.Store.RateLimit.validate(); err != nil {
		return err
	}
	if d.Counters.Customers < 0 || d.Counters.Addresses < 0 || d.Counters.Groups < 0 {
		return docError("counters", "a counter cannot be negative")
	}
	groups, err := d.validateGroups()
	if err != nil {
		return err
	}
	customers, err := d.validateCustomers(groups)
	if err != nil {
		return err
	}
	if err := d.validateAddresses(customers); err != nil {
		return err
	}
	return d.validateAPIAccounts()
}

// uniqueIDs remembers the index of each ID of a collection.
type uniqueIDs map[int64]int

func (u uniqueIDs) add(name string, i int, id int64) error {
	if id <= 0 {
		return docError(fmt.Sprintf("%s[%d].id", name, i), "want a positive integer")
	}
	if j, dup := u[id]; dup {
		return docError(fmt.Sprintf("%s[%d].id", name, i), fmt.Sprintf("id %d is also used by %s[%d]", id, name, j))
	}
	u[id] = i
	return nil
}

func (d *Document) validateGroups() (uniqueIDs, error) {
	ids := uniqueIDs{}
	defaultAt, guestAt := -1, -1
	for i, g := range d.Groups {
		path := fmt.Sprintf("groups[%d]", i)
		if err := ids.add("groups", i, g.ID); err != nil {
			return nil, err
		}
		if g.IsDefault && defaultAt >= 0 {
			return nil, docError(path+".is_default", fmt.Sprintf("groups[%d] is the default group already", defaultAt))
		} else if g.IsDefault {
			defaultAt = i
		}
		if g.IsGroupForGuests && guestAt >= 0 {
			return nil, docError(path+".is_group_for_guests", fmt.Sprintf("groups[%d] is the group for guests already", guestAt))
		} else if g.IsGroupForGuests {
			guestAt = i
		}
		if err := validateGroupRules(path, g); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// validateGroupRules applies the V2 group rules to category_access and
// discount_rules, naming the rule at fault: "groups[1].discount_rules[0].method".
func validateGroupRules(path string, g DocumentGroup) error {
	in, err := g.Input()
	if err != nil {
		return docError(path+"."+fieldOf(err), ErrorMessage(err))
	}
	if in.CategoryAccess != nil {
		if err := in.CategoryAccess.Validate(); err != nil {
			return docError(path+".category_access."+fieldOf(err), ErrorMessage(err))
		}
	}
	if in.DiscountRules != nil {
		for j, r := range *in.DiscountRules {
			if err := r.Validate(); err != nil {
				return docError(fmt.Sprintf("%s.discount_rules[%d].%s", path, j, fieldOf(err)), ErrorMessage(err))
			}
		}
	}
	if err := in.ValidateCreate(); err != nil {
		return docError(path+"."+fieldOf(err), ErrorMessage(err))
	}
	return nil
}

// Input reads the group as the V2 API reads a POST of it; what it leaves
// out takes the V2 defaults when applied. Returns EINVALID when
// category_access or discount_rules is not JSON of its shape.
func (g *DocumentGroup) Input() (*GroupInput, error) {
	in := &GroupInput{Name: &g.Name, IsDefault: &g.IsDefault, IsGroupForGuests: &g.IsGroupForGuests}
	if len(g.CategoryAccess) > 0 && string(g.CategoryAccess) != "null" {
		var ca CategoryAccess
		var obj map[string]json.RawMessage
		if json.Unmarshal(g.CategoryAccess, &obj) != nil || obj == nil || json.Unmarshal(g.CategoryAccess, &ca) != nil {
			return nil, &Error{Code: EINVALID, Field: "category_access", Message: `want an object such as {"type":"all"}`}
		}
		in.CategoryAccess = &ca
	}
	if len(g.DiscountRules) > 0 && string(g.DiscountRules) != "null" {
		var raws []json.RawMessage
		if err := json.Unmarshal(g.DiscountRules, &raws); err != nil || raws == nil {
			return nil, &Error{Code: EINVALID, Field: "discount_rules", Message: "want an array of rules, [] for none"}
		}
		rules := make([]DiscountRule, len(raws))
		for j, raw := range raws {
			if err := json.Unmarshal(raw, &rules[j]); err != nil {
				return nil, &Error{Code: EINVALID, Field: fmt.Sprintf("discount_rules[%d]", j), Message: err.Error()}
			}
		}
		in.DiscountRules = &rules
	}
	return in, nil
}

// fieldOf returns the field an *Error names, or "" for any other error.
func fieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func (d *Document) validateCustomers(groups uniqueIDs) (uniqueIDs, error) {
	ids := uniqueIDs{}
	emails := map[string]int{}
	for i, c := range d.Customers {
		path := fmt.Sprintf("customers[%d]", i)
		if err := ids.add("customers", i, c.ID); err != nil {
			return nil, err
		}
		if err := c.validate(path); err != nil {
			return nil, err
		}
		key := EmailKey(c.Email)
		if j, dup := emails[key]; dup {
			return nil, docError(path+".email", fmt.Sprintf("%q is also the email of customers[%d]", c.Email, j))
		}
		emails[key] = i
		if _, ok := groups[c.CustomerGroupID]; c.CustomerGroupID != 0 && !ok {
			return nil, docError(path+".customer_group_id", fmt.Sprintf("no group has id %d", c.CustomerGroupID))
		}
	}
	return ids, nil
}

// validate applies the rules of a V2 POST to the customer, so an import
// cannot create a customer the API would refuse.
func (c *DocumentCustomer) validate(path string) error {
	credit, ok := c.StoreCredit.Decimal()
	if !ok {
		return docError(path+".store_credit", Invalid("store_credit").Message)
	}
	in := CustomerInput{
		Company: &c.Company, FirstName: &c.FirstName, LastName: &c.LastName, Email: &c.Email,
		Phone: &c.Phone, StoreCredit: &credit, RegistrationIPAddress: &c.RegistrationIPAddress,
		CustomerGroupID: &c.CustomerGroupID, Notes: &c.Notes, TaxExemptCategory: &c.TaxExemptCategory,
	}
	if c.Password != "" {
		in.Password = &c.Password
	}
	if err := in.ValidateCreate(); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Field != "" {
			return docError(path+"."+e.Field, e.Message)
		}
		return docError(path, err.Error())
	}
	if err := ValidateFormFields(c.FormFields); err != nil {
		return docError(path+".form_fields", ErrorMessage(err))
	}
	if c.Password != "" && c.PasswordHash != "" {
		return docError(path+".password", "give password or password_hash, not both")
	}
	if c.PasswordHash != "" && !looksLikeBcrypt(c.PasswordHash) {
		return docError(path+".password_hash", "want a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)")
	}
	if c.PasswordHash != "" {
		if cost := bcryptCost(c.PasswordHash); cost < password.MinCost || cost > password.MaxCost {
			return docError(path+".password_hash", fmt.Sprintf(
				"customer %d (%s): bcrypt cost %d is outside %d to %d; validating it would take too long (or fail), so have the customer set a new password",
				c.ID, c.Email, cost, password.MinCost, password.MaxCost))
		}
	}
	return nil
}

// looksLikeBcrypt checks the form of a hash, so that an imported customer can
// always be validated: a hash of another kind would fail at every check.
func looksLikeBcrypt(h string) bool {
	if len(h) != 60 || h[3] != '$' || h[6] != '$' {
		return false
	}
	switch h[:3] {
	case "$2a", "$2b", "$2y":
	default:
		return false
	}
	return h[4] >= '0' && h[4] <= '9' && h[5] >= '0' && h[5] <= '9'
}

// bcryptCost reads the cost of a hash that looksLikeBcrypt: the two digits
// after the version.
func bcryptCost(h string) int { return int(h[4]-'0')*10 + int(h[5]-'0') }

func (d *Document) validateAddresses(customers uniqueIDs) error {
	ids := uniqueIDs{}
	for i, a := range d.Addresses {
		path := fmt.Sprintf("addresses[%d]", i)
		if err := ids.add("addresses", i, a.ID); err != nil {
			return err
		}
		if _, ok := customers[a.CustomerID]; !ok {
			return docError(path+".customer_id", fmt.Sprintf("no customer has id %d", a.CustomerID))
		}
		if err := a.validate(path); err != nil {
			return err
		}
	}
	return nil
}

// validate applies the V2 address rules (BEHAVIOR.md, "Addresses"): the
// required fields, a known country and a known address type.
func (a *DocumentAddress) validate(path string) error {
	if err := a.Input().ValidateCreate(); err != nil {
		return docError(path+"."+fieldOf(err), ErrorMessage(err))
	}
	if err := ValidateFormFields(a.FormFields); err != nil {
		return docError(path+".form_fields", ErrorMessage(err))
	}
	c, ok := country.Lookup(a.Country)
	if !ok {
		return docError(path+".country", Invalid("country").Message)
	}
	if a.CountryISO2 != "" && !strings.EqualFold(a.CountryISO2, c.ISO2) {
		return docError(path+".country_iso2", fmt.Sprintf("%q is not the code of %s (%s)", a.CountryISO2, c.Name, c.ISO2))
	}
	return nil
}

// Input reads the address as the V2 API reads a POST of it.
func (a *DocumentAddress) Input() *AddressInput {
	return &AddressInput{
		FirstName: &a.FirstName, LastName: &a.LastName, Company: &a.Company, Street1: &a.Street1,
		Street2: &a.Street2, City: &a.City, State: &a.State, Zip: &a.Zip, Country: &a.Country,
		Phone: &a.Phone, AddressType: &a.AddressType,
	}
}
