package v2

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/customersd/customersd"
)

// groupJSON is a customer group on the wire, keys in BigCommerce's order
// (BEHAVIOR.md, "Representations"). category_access and discount_rules
// marshal themselves: their V2 form is also their stored form, so the domain
// defines it once.
type groupJSON struct {
	ID               int64                     `json:"id"`
	Name             string                    `json:"name"`
	IsDefault        bool                      `json:"is_default"`
	CategoryAccess   customersd.CategoryAccess `json:"category_access"`
	DiscountRules    []customersd.DiscountRule `json:"discount_rules"`
	IsGroupForGuests bool                      `json:"is_group_for_guests"`
	DateCreated      string                    `json:"date_created"`
	DateModified     string                    `json:"date_modified"`
}

func newGroupJSON(g *customersd.Group) groupJSON {
	rules := g.DiscountRules
	if rules == nil {
		rules = []customersd.DiscountRule{} // [] when none, never null
	}
	return groupJSON{
		ID:               g.ID,
		Name:             g.Name,
		IsDefault:        g.IsDefault,
		CategoryAccess:   g.CategoryAccess,
		DiscountRules:    rules,
		IsGroupForGuests: g.IsGroupForGuests,
		DateCreated:      groupDate(g.DateCreated),
		DateModified:     groupDate(g.DateModified),
	}
}

// The body fields of a group, of its category_access and of each discount
// rule. Read-only fields are ignored because clients send back what they fetched.
var (
	groupWritable          = []string{"name", "is_default", "is_group_for_guests", "category_access", "discount_rules"}
	groupReadOnly          = []string{"id", "date_created", "date_modified"}
	categoryAccessWritable = []string{"type", "categories"}
	discountRuleWritable   = []string{"type", "method", "amount", "category_id", "product_id", "price_list_id"}
)

// decodeGroup reads a group body into the domain's input. Nested problems
// are named by their leaf field, as BigCommerce does.
func decodeGroup(w http.ResponseWriter, r *http.Request) (*customersd.GroupInput, error) {
	f, err := decodeBody(w, r)
	if err != nil {
		return nil, err
	}
	f.check(groupWritable, groupReadOnly)
	in := &customersd.GroupInput{
		Name:             f.str("name"),
		IsDefault:        f.boolean("is_default"),
		IsGroupForGuests: f.boolean("is_group_for_guests"),
	}
	if ca := f.object("category_access"); ca != nil {
		ca.check(categoryAccessWritable, nil)
		access := customersd.CategoryAccess{Type: orEmpty(ca.str("type"))}
		if items := ca.array("categories"); items != nil {
			access.Categories = integers(ca, "categories", items)
		}
		if err := ca.err(); err != nil {
			return nil, err
		}
		in.CategoryAccess = &access
	}
	if items := f.array("discount_rules"); items != nil {
		rules := make([]customersd.DiscountRule, 0, len(items))
		for _, item := range items {
			rf := objectFields(item)
			if rf == nil {
				return nil, customersd.Invalid("discount_rules")
			}
			rf.check(discountRuleWritable, nil)
			rule := customersd.DiscountRule{
				Type:        orEmpty(rf.str("type")),
				Method:      orEmpty(rf.str("method")),
				Amount:      rf.decimal("amount"),
				CategoryID:  rf.integer("category_id"),
				ProductID:   rf.integer("product_id"),
				PriceListID: rf.integer("price_list_id"),
			}
			if err := rf.err(); err != nil {
				return nil, err
			}
			rules = append(rules, rule)
		}
		in.DiscountRules = &rules
	}
	return in, f.err()
}

// objectFields reads one array item as an object, or returns nil.
func objectFields(raw json.RawMessage) *fields {
	m := map[string]json.RawMessage{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil
	}
	return &fields{m: m}
}

// integers reads an array of whole numbers (numeric strings allowed, as for
// every integer field); any other item fails f with name.
func integers(f *fields, name string, items []json.RawMessage) []int64 {
	out := make([]int64, 0, len(items))
	for _, item := range items {
		n := (&fields{m: map[string]json.RawMessage{name: item}}).integer(name)
		if n == nil {
			f.fail(customersd.Invalid(name))
			return nil
		}
		out = append(out, *n)
	}
	return out
}

// orEmpty reads a type or method not sent as "", which the domain's
// Validate reports as a required field.
func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// groupFilters are the query parameters of GET/DELETE /customer_groups and
// /customer_groups/count (BEHAVIOR.md, "Collections").
var groupFilters = []string{"name", "name:like", "is_default", "is_group_for_guests",
	"date_created", "date_created:min", "date_created:max",
	"date_modified", "date_modified:min", "date_modified:max"}

func parseGroupFilter(r *http.Request) (customersd.GroupFilter, error) {
	q := parseQuery(r, groupFilters...)
	f := customersd.GroupFilter{
		Name:             q.str("name"),
		NameLike:         q.str("name:like"),
		IsDefault:        q.boolean("is_default"),
		IsGroupForGuests: q.boolean("is_group_for_guests"),
		MinDateCreated:   q.date("date_created:min", false),
		MaxDateCreated:   q.date("date_created:max", true),
		MinDateModified:  q.date("date_modified:min", false),
		MaxDateModified:  q.date("date_modified:max", true),
		Page:             q.page(),
	}
	// An exact date is a range: the second it names, or the whole day of a
	// bare date. It narrows whatever :min and :max already say.
	f.MinDateCreated, f.MaxDateCreated = q.exactDate("date_created", f.MinDateCreated, f.MaxDateCreated)
	f.MinDateModified, f.MaxDateModified = q.exactDate("date_modified", f.MinDateModified, f.MaxDateModified)
	return f, q.err()
}

// exactDate narrows [lo, hi] to the date named by the parameter name, if sent.
func (q *query) exactDate(name string, lo, hi *time.Time) (*time.Time, *time.Time) {
	from, to := q.date(name, false), q.date(name, true)
	if from == nil || to == nil {
		return lo, hi
	}
	if lo == nil || from.After(*lo) {
		lo = from
	}
	if hi == nil || to.Before(*hi) {
		hi = to
	}
	return lo, hi
}

// listGroups implements GET /stores/{store_hash}/v2/customer_groups.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	f, err := parseGroupFilter(r)
	if err != nil {
		return err
	}
	since, conditional := ifModifiedSince(r)
	if conditional {
		f.ModifiedSince = &since
	}
	ctx, release, err := s.meterList(r, "groups", f.Page.Limit, groupRowEstimate)
	if err != nil {
		return err
	}
	defer release()
	gs, err := s.Groups.FindGroups(ctx, storeOf(r), f)
	if err != nil {
		return err
	}
	if conditional && len(gs) == 0 {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeList(w, r, gs, newGroupJSON)
}

// countGroups implements GET /stores/{store_hash}/v2/customer_groups/count.
func (s *Server) countGroups(w http.ResponseWriter, r *http.Request) error {
	f, err := parseGroupFilter(r)
	if err != nil {
		return err
	}
	n, err := s.Groups.CountGroups(r.Context(), storeOf(r), f)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, countJSON{Count: n})
}

// getGroup implements GET /stores/{store_hash}/v2/customer_groups/{customer_group_id}.
func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer_group_id")
	if err != nil {
		return err
	}
	g, err := s.Groups.FindGroupByID(r.Context(), storeOf(r), id)
	if err != nil {
		return err
	}
	if notModifiedSince(r, g.DateModified) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return write(w, r, http.StatusOK, newGroupJSON(g))
}

// createGroup implements POST /stores/{store_hash}/v2/customer_groups.
func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeGroup(w, r)
	if err != nil {
		return err
	}
	g, err := s.Groups.CreateGroup(r.Context(), storeOf(r), in)
	if err != nil {
		return err
	}
	return writeCreated(w, r, "/customer_groups/"+strconv.FormatInt(g.ID, 10), newGroupJSON(g))
}

// updateGroup implements PUT /stores/{store_hash}/v2/customer_groups/{customer_group_id}.
func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer_group_id")
	if err != nil {
		return err
	}
	in, err := decodeGroup(w, r)
	if err != nil {
		return err
	}
	g, err := s.Groups.UpdateGroup(r.Context(), storeOf(r), id, in)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, newGroupJSON(g))
}

// deleteGroup implements DELETE /stores/{store_hash}/v2/customer_groups/{customer_group_id}.
func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer_group_id")
	if err != nil {
		return err
	}
	if err := s.Groups.DeleteGroup(r.Context(), storeOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteGroups implements DELETE /stores/{store_hash}/v2/customer_groups:
// undocumented since 2024 but used by clients. Without filters it deletes
// every group; with the filters of GET it deletes the groups GET would list.
func (s *Server) deleteGroups(w http.ResponseWriter, r *http.Request) error {
	f, err := parseGroupFilter(r)
	if err != nil {
		return err
	}
	if err := s.Groups.DeleteGroups(r.Context(), storeOf(r), f); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
