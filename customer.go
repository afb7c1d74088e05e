package customersd

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Customer is a shopper's account in one store.
type Customer struct {
	ID                    int64
	Company               string
	FirstName             string
	LastName              string
	Email                 string
	Phone                 string
	FormFields            []FormField // nil when the customer has none
	DateCreated           time.Time
	DateModified          time.Time
	StoreCredit           Decimal
	RegistrationIPAddress string
	CustomerGroupID       int64 // 0 means no group
	Notes                 string
	TaxExemptCategory     string
	ResetPassOnLogin      bool
	AcceptsMarketing      bool
}

// FormField is a store-defined field's value on a customer or an address.
type FormField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MaxFormFields bounds the form fields of a customer or an address, and
// maxTextLen their names and values: BigCommerce's limits on a product's
// custom fields (200 per product, 255 characters each), the nearest it
// publishes. Only an import sets form fields, and without a bound one record
// could make every page that holds it as large as the import.
const MaxFormFields = 200

// ValidateFormFields checks the form fields of an imported record.
func ValidateFormFields(ff []FormField) error {
	if len(ff) > MaxFormFields {
		return &Error{Code: EINVALID, Field: "form_fields", Message: fmt.Sprintf("at most %d form fields", MaxFormFields)}
	}
	for _, f := range ff {
		if len(f.Name) > maxTextLen || len(f.Value) > maxTextLen {
			return &Error{Code: EINVALID, Field: "form_fields", Message: fmt.Sprintf("a form field's name and value have at most %d characters", maxTextLen)}
		}
	}
	return nil
}

// CustomerInput is the writable part of a customer, as sent in a POST or a
// PUT. A nil field is "not sent": on create it takes its default, on update
// it stays as it was.
type CustomerInput struct {
	Company               *string
	FirstName             *string
	LastName              *string
	Email                 *string
	Phone                 *string
	StoreCredit           *Decimal
	RegistrationIPAddress *string
	CustomerGroupID       *int64
	Notes                 *string
	TaxExemptCategory     *string
	ResetPassOnLogin      *bool

	// From _authentication: write-only, never stored in plain text.
	Password             *string
	PasswordConfirmation *string
	ForceReset           *bool
}

// Limits on text fields, so one row cannot hold a megabyte of name.
const (
	maxTextLen  = 255
	maxNotesLen = 65535
	// MaxPasswordBytes is bcrypt's input limit: longer passwords would be
	// silently truncated by the hash, so they are refused instead.
	MaxPasswordBytes = 72
	minPasswordLen   = 7
)

// ValidateCreate checks a POST body: first_name, last_name and email are
// required (an empty string counts as not supplied).
func (in *CustomerInput) ValidateCreate() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"first_name", in.FirstName}, {"last_name", in.LastName}, {"email", in.Email}} {
		if f.v == nil || strings.TrimSpace(*f.v) == "" {
			return Required(f.name)
		}
	}
	return in.validate()
}

// ValidateUpdate checks a PUT body: only the fields sent are checked, and a
// required field may not be emptied.
func (in *CustomerInput) ValidateUpdate() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"first_name", in.FirstName}, {"last_name", in.LastName}, {"email", in.Email}} {
		if f.v != nil && strings.TrimSpace(*f.v) == "" {
			return Invalid(f.name)
		}
	}
	return in.validate()
}

func (in *CustomerInput) validate() error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"company", in.Company, maxTextLen},
		{"first_name", in.FirstName, maxTextLen},
		{"last_name", in.LastName, maxTextLen},
		{"email", in.Email, maxTextLen},
		{"phone", in.Phone, maxTextLen},
		{"registration_ip_address", in.RegistrationIPAddress, maxTextLen},
		{"notes", in.Notes, maxNotesLen},
		{"tax_exempt_category", in.TaxExemptCategory, maxTextLen},
	} {
		if f.v != nil && (len(*f.v) > f.max || strings.ContainsRune(*f.v, 0)) {
			return Invalid(f.name)
		}
	}
	if in.Email != nil && !ValidEmail(*in.Email) {
		return Invalid("email")
	}
	if in.StoreCredit != nil && *in.StoreCredit < 0 {
		return Invalid("store_credit")
	}
	if in.CustomerGroupID != nil && *in.CustomerGroupID < 0 {
		return Invalid("customer_group_id")
	}
	if in.PasswordConfirmation != nil && (in.Password == nil || *in.Password != *in.PasswordConfirmation) {
		return Invalid("password_confirmation")
	}
	if in.Password != nil && !ValidPassword(*in.Password) {
		return Invalid("password")
	}
	return nil
}

// ValidEmail reports whether s is a bare address such as "jane@example.com"
// (no display name, no angle brackets).
func ValidEmail(s string) bool {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, ok := strings.Cut(s, "@")
	return ok && domain != "" && !strings.ContainsAny(s, " \t\r\n")
}

// ValidPassword applies the password rule of BEHAVIOR.md (a decision): at
// least 7 characters with a letter and a digit, at most 72 bytes.
func ValidPassword(p string) bool {
	if len([]rune(p)) < minPasswordLen || len(p) > MaxPasswordBytes {
		return false
	}
	var letter, digit bool
	for _, r := range p {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	return letter && digit
}

// EmailKey is the form in which emails are compared: BigCommerce treats
// "Jane@Example.com " and "jane@example.com" as the same address.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Apply copies the fields sent in in onto c. Password fields are not applied:
// the service hashes them.
func (in *CustomerInput) Apply(c *Customer) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Company, in.Company)
	set(&c.FirstName, in.FirstName)
	set(&c.LastName, in.LastName)
	if in.Email != nil {
		c.Email = strings.TrimSpace(*in.Email)
	}
	set(&c.Phone, in.Phone)
	set(&c.RegistrationIPAddress, in.RegistrationIPAddress)
	set(&c.Notes, in.Notes)
	set(&c.TaxExemptCategory, in.TaxExemptCategory)
	if in.StoreCredit != nil {
		c.StoreCredit = *in.StoreCredit
	}
	if in.CustomerGroupID != nil {
		c.CustomerGroupID = *in.CustomerGroupID
	}
	if in.ResetPassOnLogin != nil {
		c.ResetPassOnLogin = *in.ResetPassOnLogin
	}
	if in.ForceReset != nil {
		c.ResetPassOnLogin = *in.ForceReset
	}
}

// CustomerFilter selects customers. Nil fields do not filter. Min/Max bounds
// are inclusive.
type CustomerFilter struct {
	ID                *int64
	FirstName         *string
	LastName          *string
	Company           *string
	Email             *string // compared case-insensitively
	Phone             *string
	StoreCredit       *Decimal
	CustomerGroupID   *int64
	TaxExemptCategory *string
	MinID, MaxID      *int64
	MinDateCreated    *time.Time
	MaxDateCreated    *time.Time
	MinDateModified   *time.Time
	MaxDateModified   *time.Time
	ModifiedSince     *time.Time // exclusive: If-Modified-Since

	Page Page
}

// Page is a window on a collection sorted by id. A zero Limit means no limit.
type Page struct {
	Offset int64
	Limit  int
}

// CustomerService manages the customers of a store.
type CustomerService interface {
	// FindCustomerByID returns ENOTFOUND if the customer is not in the store.
	FindCustomerByID(ctx context.Context, store StoreID, id int64) (*Customer, error)
	// FindCustomers returns a page of matching customers sorted by id.
	FindCustomers(ctx context.Context, store StoreID, f CustomerFilter) ([]*Customer, error)
	// CountCustomers counts matching customers, ignoring f.Page.
	CountCustomers(ctx context.Context, store StoreID, f CustomerFilter) (int64, error)
	// CreateCustomer validates and stores a new customer. Returns EINVALID
	// for bad input or an unknown group, ECONFLICT if the email is taken.
	CreateCustomer(ctx context.Context, store StoreID, in *CustomerInput) (*Customer, error)
	// UpdateCustomer changes the fields sent. Returns ENOTFOUND, EINVALID or ECONFLICT.
	UpdateCustomer(ctx context.Context, store StoreID, id int64, in *CustomerInput) (*Customer, error)
	// DeleteCustomer deletes a customer and its addresses. Returns ENOTFOUND.
	DeleteCustomer(ctx context.Context, store StoreID, id int64) error
	// DeleteCustomers deletes every matching customer with their addresses.
	// A large delete commits in parts, so one that fails midway may have
	// deleted some of them; calling it again deletes the rest.
	DeleteCustomers(ctx context.Context, store StoreID, f CustomerFilter) error
	// ValidatePassword reports whether password is the customer's password;
	// false when the customer has none. Returns ENOTFOUND.
	ValidatePassword(ctx context.Context, store StoreID, id int64, password string) (bool, error)
}
