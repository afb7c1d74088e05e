package customersd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Group is a customer group: the categories its members may see and the
// discounts they get. At most one group of a store is the default (new
// customers join it) and at most one is for guests.
type Group struct {
	ID               int64
	Name             string
	IsDefault        bool
	CategoryAccess   CategoryAccess
	DiscountRules    []DiscountRule // never nil once stored: [] when none
	IsGroupForGuests bool
	DateCreated      time.Time
	DateModified     time.Time
}

// The caps on what one group holds. Every list page carries whole groups, so
// without them one group could make any page of groups as large as memory
// (issue 12: 250 groups of 15,000 rules made a 285 MB page).
const (
	// MaxGroupCategories is BigCommerce's limit on the categories of a
	// store ("Maximum categories per store: 16,000", Platform Limits): a
	// group restricted to specific categories cannot list more than there are.
	MaxGroupCategories = 16000
	// MaxGroupDiscountRules bounds a group's rules. BigCommerce publishes no
	// number; its per-product limits are of this order (1,000 categories or
	// images per product, 50 bulk pricing rules), a control panel entered
	// one rule at a time never gets near it, and prices for many products
	// belong in a price list, which is one price_list rule.
	MaxGroupDiscountRules = 1000
)

// tooMany is the V2 "invalid field" error for a list over its cap, with the
// reason in details, as BigCommerce words a taken email.
func tooMany(field string, limit int, what string) *Error {
	e := Invalid(field)
	e.Details = map[string]string{"invalid_reason": fmt.Sprintf("A customer group may have at most %d %s.", limit, what)}
	return e
}

// The category access types (BEHAVIOR.md, "Customer groups").
const (
	CategoryAccessAll      = "all"
	CategoryAccessSpecific = "specific"
	CategoryAccessNone     = "none"
)

// CategoryAccess says which categories a group's members may see. Categories
// is used only with type "specific".
type CategoryAccess struct {
	Type       string
	Categories []int64
}

// Validate checks a category access as sent. Errors name the leaf field
// ("type", "categories"), as BigCommerce does.
func (ca CategoryAccess) Validate() error {
	switch ca.Type {
	case "":
		return Required("type")
	case CategoryAccessAll, CategoryAccessNone:
		return nil
	case CategoryAccessSpecific:
		if ca.Categories == nil {
			return Required("categories")
		}
		if len(ca.Categories) > MaxGroupCategories {
			return tooMany("categories", MaxGroupCategories, "categories")
		}
		for _, id := range ca.Categories {
			if id < 1 {
				return Invalid("categories")
			}
		}
		return nil
	}
	return Invalid("type")
}

// normalized keeps only what the type uses, so what is stored and returned
// is exactly the V2 form: categories with "specific", never without.
func (ca CategoryAccess) normalized() CategoryAccess {
	if ca.Type != CategoryAccessSpecific {
		return CategoryAccess{Type: ca.Type}
	}
	return CategoryAccess{Type: ca.Type, Categories: append([]int64{}, ca.Categories...)}
}

// The discount rule types and methods (BEHAVIOR.md, "Representations").
const (
	RuleTypePriceList = "price_list"
	RuleTypeAll       = "all"
	RuleTypeCategory  = "category"
	RuleTypeProduct   = "product"

	RuleMethodPercent = "percent"
	RuleMethodFixed   = "fixed"
	RuleMethodPrice   = "price"
)

// DiscountRule is a discount of a group. A price_list rule has only
// PriceListID; the others have Method and Amount, plus CategoryID for a
// category rule or ProductID for a product rule. Nil means not set.
type DiscountRule struct {
	Type        string
	Method      string
	Amount      *Decimal
	CategoryID  *int64
	ProductID   *int64
	PriceListID *int64
}

// Validate checks one rule as sent. Errors name the leaf field ("method",
// "amount", "category_id"...), as BigCommerce does for discount_rules[0].method.
func (r DiscountRule) Validate() error {
	switch r.Type {
	case "":
		return Required("type")
	case RuleTypePriceList:
		return validID("price_list_id", r.PriceListID)
	case RuleTypeAll, RuleTypeCategory, RuleTypeProduct:
	default:
		return Invalid("type")
	}
	switch r.Method {
	case "":
		return Required("method")
	case RuleMethodPercent, RuleMethodFixed, RuleMethodPrice:
	default:
		return Invalid("method")
	}
	if r.Amount == nil {
		return Required("amount")
	}
	// A negative discount would be a surcharge, and a negative price nonsense.
	if *r.Amount < 0 {
		return Invalid("amount")
	}
	switch r.Type {
	case RuleTypeCategory:
		return validID("category_id", r.CategoryID)
	case RuleTypeProduct:
		return validID("product_id", r.ProductID)
	}
	return nil
}

func validID(name string, id *int64) error {
	if id == nil {
		return Required(name)
	}
	if *id < 1 {
		return Invalid(name)
	}
	return nil
}

// normalized keeps only the fields the rule's type uses, so the stored and
// returned form is exactly the V2 form whatever else a client sent.
func (r DiscountRule) normalized() DiscountRule {
	if r.Type == RuleTypePriceList {
		return DiscountRule{Type: r.Type, PriceListID: r.PriceListID}
	}
	out := DiscountRule{Type: r.Type, Method: r.Method, Amount: r.Amount}
	switch r.Type {
	case RuleTypeCategory:
		out.CategoryID = r.CategoryID
	case RuleTypeProduct:
		out.ProductID = r.ProductID
	}
	return out
}

// ValidateDiscountRules checks a whole set of rules: each rule, then how they
// combine. A price_list rule must be the only rule, and there is at most one
// "all" rule (it may sit beside any number of category and product rules).
// A bad combination, or more than MaxGroupDiscountRules, names
// "discount_rules": no single leaf is at fault.
func ValidateDiscountRules(rules []DiscountRule) error {
	if len(rules) > MaxGroupDiscountRules {
		return tooMany("discount_rules", MaxGroupDiscountRules, "discount rules")
	}
	var priceLists, alls int
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return err
		}
		switch r.Type {
		case RuleTypePriceList:
			priceLists++
		case RuleTypeAll:
			alls++
		}
	}
	if (priceLists > 0 && len(rules) > 1) || alls > 1 {
		return Invalid("discount_rules")
	}
	return nil
}

// The JSON of CategoryAccess and DiscountRule is their V2 wire form, key
// order included. It is defined here, once, because it is also the stored
// form: sqlstore keeps both columns in exactly what GET returns, and the
// export embeds those columns as they are.

type categoryAccessJSON struct {
	Type       string   `json:"type"`
	Categories *[]int64 `json:"categories,omitempty"` // a pointer, so "specific" keeps an empty list
}

// MarshalJSON writes {"type":"all"} or {"type":"specific","categories":[18,19]}.
func (ca CategoryAccess) MarshalJSON() ([]byte, error) {
	v := categoryAccessJSON{Type: ca.Type}
	if ca.Type == CategoryAccessSpecific {
		cats := ca.Categories
		if cats == nil {
			cats = []int64{}
		}
		v.Categories = &cats
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (ca *CategoryAccess) UnmarshalJSON(b []byte) error {
	var v categoryAccessJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("category_access: %w", err)
	}
	*ca = CategoryAccess{Type: v.Type}
	if v.Categories != nil {
		ca.Categories = *v.Categories
	}
	return nil
}

type discountRuleJSON struct {
	Type        string          `json:"type"`
	Method      string          `json:"method,omitempty"`
	Amount      json.RawMessage `json:"amount,omitempty"`
	CategoryID  *int64          `json:"category_id,omitempty"`
	ProductID   *int64          `json:"product_id,omitempty"`
	PriceListID *int64          `json:"price_list_id,omitempty"`
}

// MarshalJSON writes {"type":"all","method":"percent","amount":"5.0000"}
// (plus category_id or product_id), or {"type":"price_list","price_list_id":3}.
func (r DiscountRule) MarshalJSON() ([]byte, error) {
	v := discountRuleJSON{Type: r.Type, Method: r.Method, CategoryID: r.CategoryID, ProductID: r.ProductID, PriceListID: r.PriceListID}
	if r.Amount != nil {
		v.Amount, _ = json.Marshal(r.Amount.String())
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads the form MarshalJSON writes; amount may also be a bare
// number, as people write it by hand.
func (r *DiscountRule) UnmarshalJSON(b []byte) error {
	var v discountRuleJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("discount rule: %w", err)
	}
	*r = DiscountRule{Type: v.Type, Method: v.Method, CategoryID: v.CategoryID, ProductID: v.ProductID, PriceListID: v.PriceListID}
	if len(v.Amount) > 0 && string(v.Amount) != "null" {
		var s string
		if json.Unmarshal(v.Amount, &s) != nil {
			s = string(v.Amount)
		}
		d, ok := ParseDecimal(s)
		if !ok {
			return fmt.Errorf("discount rule: amount %s is not a number", v.Amount)
		}
		r.Amount = &d
	}
	return nil
}

// GroupInput is the writable part of a group, as sent in a POST or a PUT. A
// nil field is "not sent": on create it takes its default, on update it
// stays as it was. DiscountRules, when sent, replaces the group's rules
// wholesale (BEHAVIOR.md, "Customer groups").
type GroupInput struct {
	Name             *string
	IsDefault        *bool
	IsGroupForGuests *bool
	CategoryAccess   *CategoryAccess
	DiscountRules    *[]DiscountRule
}

// ValidateCreate checks a POST body: name is required.
func (in *GroupInput) ValidateCreate() error {
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return Required("name")
	}
	return in.validate()
}

// ValidateUpdate checks a PUT body: only the fields sent are checked, and
// the name may not be emptied.
func (in *GroupInput) ValidateUpdate() error {
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		return Invalid("name")
	}
	return in.validate()
}

func (in *GroupInput) validate() error {
	if in.Name != nil && (len(*in.Name) > maxTextLen || strings.ContainsRune(*in.Name, 0)) {
		return Invalid("name")
	}
	if in.CategoryAccess != nil {
		if err := in.CategoryAccess.Validate(); err != nil {
			return err
		}
	}
	if in.DiscountRules != nil {
		if err := ValidateDiscountRules(*in.DiscountRules); err != nil {
			return err
		}
	}
	return nil
}

// Apply copies the fields sent in in onto g, normalised to the V2 form. A
// group without category access gets {"type":"all"}, and without rules [].
func (in *GroupInput) Apply(g *Group) {
	if in.Name != nil {
		g.Name = *in.Name
	}
	if in.IsDefault != nil {
		g.IsDefault = *in.IsDefault
	}
	if in.IsGroupForGuests != nil {
		g.IsGroupForGuests = *in.IsGroupForGuests
	}
	if in.CategoryAccess != nil {
		g.CategoryAccess = in.CategoryAccess.normalized()
	}
	if g.CategoryAccess.Type == "" {
		g.CategoryAccess = CategoryAccess{Type: CategoryAccessAll}
	}
	if in.DiscountRules != nil {
		g.DiscountRules = make([]DiscountRule, len(*in.DiscountRules))
		for i, r := range *in.DiscountRules {
			g.DiscountRules[i] = r.normalized()
		}
	}
	if g.DiscountRules == nil {
		g.DiscountRules = []DiscountRule{}
	}
}

// GroupFilter selects groups. Nil fields do not filter; Min/Max bounds are
// inclusive.
type GroupFilter struct {
	ID               *int64
	Name             *string // exact
	NameLike         *string // substring, case-insensitive
	IsDefault        *bool
	IsGroupForGuests *bool
	MinDateCreated   *time.Time
	MaxDateCreated   *time.Time
	MinDateModified  *time.Time
	MaxDateModified  *time.Time
	ModifiedSince    *time.Time // exclusive: If-Modified-Since

	Page Page
}

// GroupService manages the customer groups of a store.
type GroupService interface {
	// FindGroupByID returns ENOTFOUND if the group is not in the store.
	FindGroupByID(ctx context.Context, store StoreID, id int64) (*Group, error)
	// FindGroups returns a page of matching groups sorted by id.
	FindGroups(ctx context.Context, store StoreID, f GroupFilter) ([]*Group, error)
	// CountGroups counts matching groups, ignoring f.Page.
	CountGroups(ctx context.Context, store StoreID, f GroupFilter) (int64, error)
	// CreateGroup validates and stores a new group. Setting is_default or
	// is_group_for_guests takes the flag from the group that had it.
	// Returns EINVALID, or ECONFLICT if a flag could not be moved.
	CreateGroup(ctx context.Context, store StoreID, in *GroupInput) (*Group, error)
	// UpdateGroup changes the fields sent, moving flags as CreateGroup does.
	// Returns ENOTFOUND, EINVALID or ECONFLICT.
	UpdateGroup(ctx context.Context, store StoreID, id int64, in *GroupInput) (*Group, error)
	// DeleteGroup deletes a group and unassigns its customers (their group
	// becomes 0) in one transaction. Returns ENOTFOUND.
	DeleteGroup(ctx context.Context, store StoreID, id int64) error
	// DeleteGroups deletes every matching group (f.Page ignored) and
	// unassigns their customers, in one transaction.
	DeleteGroups(ctx context.Context, store StoreID, f GroupFilter) error
}
