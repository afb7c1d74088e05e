package customersd

import (
	"context"
	"time"
)

// CustomerSearch selects a page of customers for a person reading a store
// (the control panel), where CustomerFilter selects them for an API client.
// Pages are keyed by id, not by offset, so the thousandth page costs what
// the first does.
type CustomerSearch struct {
	// Query matches customers whose email, first name, last name or company
	// starts with it, ignoring case (SQLite ignores the case of ASCII
	// letters only in names and companies). Prefixes, not substrings: a
	// prefix is a range of an index, a substring is a scan of the store.
	// Empty matches every customer.
	Query           string
	CustomerGroupID *int64 // 0: customers without a group
	MinDateCreated  *time.Time
	MaxDateCreated  *time.Time // inclusive
	// AfterID is the last id of the previous page; 0 for the first page.
	AfterID int64
	// Limit is the page's size, at least 1.
	Limit int
}

// CustomerSearcher finds customers for the control panel.
type CustomerSearcher interface {
	// SearchCustomers returns the matching customers with ids above
	// s.AfterID, in id order, at most s.Limit of them.
	SearchCustomers(ctx context.Context, store StoreID, s CustomerSearch) ([]*Customer, error)
}
