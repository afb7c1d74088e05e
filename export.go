package customersd

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// DocumentFormat names version 1 of the export document. A change that an
// older customersd could not read gets a new version.
const DocumentFormat = "customersd/1"

// Document is the whole state of one store: what the admin API exports and
// imports, and what `serve --seed` loads. It is a file format in its own
// right, so it has its own types rather than the domain's: the domain can
// change without breaking fixtures people wrote by hand. Collections are
// sorted by id; dates are RFC 3339 in UTC.
type Document struct {
	Format    string             `json:"format"`
	Store     DocumentStore      `json:"store"`
	Counters  DocumentCounters   `json:"counters"`
	Groups    []DocumentGroup    `json:"groups"`
	Customers []DocumentCustomer `json:"customers"`
	Addresses []DocumentAddress  `json:"addresses"`
	// APIAccounts are the store's API accounts. An import adds them to the
	// store's, replacing any of the store's with the same client id or
	// token, and keeps the others, so importing a fixture never revokes
	// the token a test is holding. Older documents have none.
	APIAccounts []DocumentAPIAccount `json:"api_accounts,omitempty"`
}

// DocumentStore names the store a document came from. On import the target
// store is chosen by the caller; only Plan and RateLimit, when set, are
// applied to it.
type DocumentStore struct {
	Hash string `json:"hash"`
	Plan string `json:"plan,omitempty"`
	// RateLimit is the store's own request quota; omitted when it has
	// none (its plan's applies).
	RateLimit *DocumentRateLimit `json:"rate_limit,omitempty"`
}

// DocumentCounters are the last IDs handed out per resource, so that IDs
// never reused after a delete stay unused after an import. A counter below
// the highest ID in the document (0 when omitted) is raised to it.
type DocumentCounters struct {
	Customers int64 `json:"customers"`
	Addresses int64 `json:"addresses"`
	Groups    int64 `json:"groups"`
}

// DocumentGroup is a customer group. CategoryAccess and DiscountRules are in
// their V2 wire form; omitted, they default to {"type":"all"} and [].
type DocumentGroup struct {
	ID               int64           `json:"id"`
	Name             string          `json:"name"`
	IsDefault        bool            `json:"is_default"`
	IsGroupForGuests bool            `json:"is_group_for_guests"`
	CategoryAccess   json.RawMessage `json:"category_access,omitempty"`
	DiscountRules    json.RawMessage `json:"discount_rules,omitempty"`
	DateCreated      time.Time       `json:"date_created,omitzero"`
	DateModified     time.Time       `json:"date_modified,omitzero"`
}

// DocumentCustomer is a customer with its password hash. A hand-written
// fixture may give a plain Password instead, hashed on import; a document
// never carries both. Omitted dates are set to the time of the import.
type DocumentCustomer struct {
	ID                    int64       `json:"id"`
	Company               string      `json:"company"`
	FirstName             string      `json:"first_name"`
	LastName              string      `json:"last_name"`
	Email                 string      `json:"email"`
	Phone                 string      `json:"phone"`
	FormFields            []FormField `json:"form_fields"`
	DateCreated           time.Time   `json:"date_created,omitzero"`
	DateModified          time.Time   `json:"date_modified,omitzero"`
	StoreCredit           Amount      `json:"store_credit"`
	RegistrationIPAddress string      `json:"registration_ip_address"`
	CustomerGroupID       int64       `json:"customer_group_id"`
	Notes                 string      `json:"notes"`
	TaxExemptCategory     string      `json:"tax_exempt_category"`
	ResetPassOnLogin      bool        `json:"reset_pass_on_login"`
	AcceptsMarketing      bool        `json:"accepts_marketing"`
	PasswordHash          string      `json:"password_hash,omitempty"`
	Password              string      `json:"password,omitempty"`
}

// DocumentAddress is an address of a customer in the same document.
// CountryISO2 is derived from Country when omitted.
type DocumentAddress struct {
	ID          int64       `json:"id"`
	CustomerID  int64       `json:"customer_id"`
	FirstName   string      `json:"first_name"`
	LastName    string      `json:"last_name"`
	Company     string      `json:"company"`
	Street1     string      `json:"street_1"`
	Street2     string      `json:"street_2"`
	City        string      `json:"city"`
	State       string      `json:"state"`
	Zip         string      `json:"zip"`
	Country     string      `json:"country"`
	CountryISO2 string      `json:"country_iso2"`
	Phone       string      `json:"phone"`
	AddressType string      `json:"address_type"`
	FormFields  []FormField `json:"form_fields"`
}

// Amount is a decimal in a document: written as V2 writes it ("10.5000"),
// read from a string or a bare number, since people type `"store_credit": 10`.
// It holds the text; Validate parses it.
type Amount string

// MarshalJSON writes the amount as a string.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(string(a)) }

// UnmarshalJSON accepts a string or a number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*a = Amount(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*a = Amount(n.String())
	return nil
}

// Decimal parses the amount; an empty amount is zero.
func (a Amount) Decimal() (Decimal, bool) {
	if strings.TrimSpace(string(a)) == "" {
		return 0, true
	}
	return ParseDecimal(string(a))
}

// ExportOptions choose what an export holds besides the store's data.
type ExportOptions struct {
	// APIAccounts adds the store's API accounts, client secrets included.
	// Off by default: a secret is never shown after its creation unless
	// asked for (a backup), and an account belongs to one store, so a
	// document with accounts cannot seed a second store while the first
	// exists; without them, one fixture seeds any number of stores.
	APIAccounts bool
}

// ExportService reads and replaces the whole state of a store.
type ExportService interface {
	// Export returns the store's state as a document. Returns ENOTFOUND.
	Export(ctx context.Context, store StoreID, opts ExportOptions) (*Document, error)
	// Import replaces the store's customers, addresses, groups and ID
	// counters with the document's, all or nothing, sets the store's plan
	// and quota when the document has them, and adds the document's API
	// accounts to the store's. Returns EINVALID naming the first
	// bad record ("customers[3].email: ..."), ECONFLICT when an account's
	// client id or token belongs to another store, leaving the store as it
	// was in both cases, or ENOTFOUND.
	Import(ctx context.Context, store StoreID, doc *Document) error
}
