package customersd

import (
	"context"
	"strings"
)

// Address is a postal address of a customer. Country is one of BigCommerce's
// country names, as BigCommerce spells it, and CountryISO2 the code its
// table gives that name (package country).
type Address struct {
	ID          int64
	CustomerID  int64
	FirstName   string
	LastName    string
	Company     string
	Street1     string
	Street2     string
	City        string
	State       string
	Zip         string
	Country     string
	CountryISO2 string
	Phone       string
	AddressType string
	FormFields  []FormField // nil when the address has none
}

// The address types of BEHAVIOR.md, "Representations".
const (
	AddressResidential = "residential" // the default
	AddressCommercial  = "commercial"
)

// AddressInput is the writable part of an address, as sent in a POST or a
// PUT. A nil field is "not sent": on create it takes its default, on update
// it stays as it was. The customer comes from the path, never the body.
type AddressInput struct {
	FirstName   *string
	LastName    *string
	Company     *string
	Street1     *string
	Street2     *string
	City        *string
	State       *string
	Zip         *string
	Country     *string
	Phone       *string
	AddressType *string
}

// addressRequired lists the fields a POST must carry (BEHAVIOR.md,
// "Addresses"), in the order they are reported.
func (in *AddressInput) addressRequired() []addressField {
	return []addressField{
		{"first_name", in.FirstName}, {"last_name", in.LastName}, {"phone", in.Phone},
		{"street_1", in.Street1}, {"city", in.City}, {"state", in.State},
		{"zip", in.Zip}, {"country", in.Country},
	}
}

type addressField struct {
	name string
	v    *string
}

// addressBlank reports a value that counts as not supplied. state is the exception:
// a single space is the documented way to say "this place has no states".
func addressBlank(name, v string) bool {
	if name == "state" {
		return v == ""
	}
	return strings.TrimSpace(v) == ""
}

// ValidateCreate checks a POST body: every required field must be supplied
// and not blank. Returns EINVALID naming the first bad field.
func (in *AddressInput) ValidateCreate() error {
	for _, f := range in.addressRequired() {
		if f.v == nil || addressBlank(f.name, *f.v) {
			return Required(f.name)
		}
	}
	return in.validate()
}

// ValidateUpdate checks a PUT body: only the fields sent are checked, and a
// required field may not be emptied. Returns EINVALID naming the first bad field.
func (in *AddressInput) ValidateUpdate() error {
	for _, f := range in.addressRequired() {
		if f.v != nil && addressBlank(f.name, *f.v) {
			return Invalid(f.name)
		}
	}
	return in.validate()
}

func (in *AddressInput) validate() error {
	for _, f := range []addressField{
		{"first_name", in.FirstName}, {"last_name", in.LastName}, {"company", in.Company},
		{"street_1", in.Street1}, {"street_2", in.Street2}, {"city", in.City},
		{"state", in.State}, {"zip", in.Zip}, {"country", in.Country}, {"phone", in.Phone},
		{"address_type", in.AddressType},
	} {
		if f.v != nil && (len(*f.v) > maxTextLen || strings.ContainsRune(*f.v, 0)) {
			return Invalid(f.name)
		}
	}
	if in.AddressType != nil {
		if _, ok := addressType(*in.AddressType); !ok {
			return Invalid("address_type")
		}
	}
	return nil
}

// addressType normalises an address type. Case and surrounding spaces are
// forgiven, and "" means the default, so a client that sends back what it
// fetched from another system is not refused over spelling.
func addressType(s string) (string, bool) {
	switch t := strings.ToLower(strings.TrimSpace(s)); t {
	case "":
		return AddressResidential, true
	case AddressResidential, AddressCommercial:
		return t, true
	}
	return "", false
}

// Apply copies the fields sent in in onto a. It does not touch Country's
// ISO code: the service resolves the country and sets both.
func (in *AddressInput) Apply(a *Address) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&a.FirstName, in.FirstName)
	set(&a.LastName, in.LastName)
	set(&a.Company, in.Company)
	set(&a.Street1, in.Street1)
	set(&a.Street2, in.Street2)
	set(&a.City, in.City)
	set(&a.State, in.State)
	set(&a.Zip, in.Zip)
	set(&a.Country, in.Country)
	set(&a.Phone, in.Phone)
	if in.AddressType != nil {
		a.AddressType, _ = addressType(*in.AddressType)
	}
	if a.AddressType == "" {
		a.AddressType = AddressResidential
	}
}

// AddressFilter selects addresses of a store. A nil CustomerID selects the
// addresses of every customer.
type AddressFilter struct {
	CustomerID *int64
	ID         *int64

	Page Page
}

// AddressService manages the addresses of a store's customers.
type AddressService interface {
	// FindAddressByID returns the address id of customer customerID, or of
	// any customer when customerID is 0. Returns ENOTFOUND if there is no such
	// address, or it belongs to another customer.
	FindAddressByID(ctx context.Context, store StoreID, customerID, id int64) (*Address, error)
	// FindAddresses returns a page of matching addresses sorted by id.
	// Returns ENOTFOUND if f.CustomerID names no customer of the store.
	FindAddresses(ctx context.Context, store StoreID, f AddressFilter) ([]*Address, error)
	// CountAddresses counts matching addresses, ignoring f.Page. Returns
	// ENOTFOUND if f.CustomerID names no customer of the store.
	CountAddresses(ctx context.Context, store StoreID, f AddressFilter) (int64, error)
	// CreateAddress validates and stores a new address of a customer.
	// Returns EINVALID for bad input or an unknown country, ENOTFOUND if the
	// customer does not exist.
	CreateAddress(ctx context.Context, store StoreID, customerID int64, in *AddressInput) (*Address, error)
	// UpdateAddress changes the fields sent. Returns EINVALID, or ENOTFOUND
	// if the customer has no such address.
	UpdateAddress(ctx context.Context, store StoreID, customerID, id int64, in *AddressInput) (*Address, error)
	// DeleteAddress deletes an address of a customer. Returns ENOTFOUND if
	// the customer has no such address.
	DeleteAddress(ctx context.Context, store StoreID, customerID, id int64) error
	// DeleteAddresses deletes every address of a customer. Returns ENOTFOUND
	// if the customer does not exist.
	DeleteAddresses(ctx context.Context, store StoreID, customerID int64) error
}
