package panel

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/customersd/customersd"
)

// groupView is a group as the groups page words it.
type groupView struct {
	*customersd.Group
	Access string
	Rules  []string
}

// listGroups implements GET /admin/ui/stores/{hash}/groups: each group's
// flags, category access and discount rules, in words.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	gs, _, err := s.groups(r, st)
	if err != nil {
		return err
	}
	out := make([]*groupView, len(gs))
	for i, g := range gs {
		out[i] = &groupView{Group: g, Access: accessInWords(g.CategoryAccess)}
		for _, rule := range g.DiscountRules {
			out[i].Rules = append(out[i].Rules, ruleInWords(rule))
		}
	}
	return s.render(w, r, http.StatusOK, "groups", &view{Title: "Customer groups of " + st.Hash, Store: st, Section: "groups", Data: out})
}

// maxWordedCategories is how many category ids a sentence names before it
// says how many more there are.
const maxWordedCategories = 20

// accessInWords says which categories a group's members may see.
func accessInWords(ca customersd.CategoryAccess) string {
	switch ca.Type {
	case customersd.CategoryAccessAll:
		return "Members see every category."
	case customersd.CategoryAccessNone:
		return "Members see no category."
	case customersd.CategoryAccessSpecific:
		if len(ca.Categories) == 0 {
			return "Members see only the categories listed, and none is listed."
		}
		ids := make([]string, 0, min(len(ca.Categories), maxWordedCategories))
		for _, id := range ca.Categories[:cap(ids)] {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		more := ""
		if n := len(ca.Categories) - len(ids); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		noun := "categories"
		if len(ca.Categories) == 1 {
			noun = "category"
		}
		return "Members see only " + noun + " " + strings.Join(ids, ", ") + more + "."
	}
	return "Category access " + ca.Type + "."
}

// ruleInWords says what a discount rule gives.
func ruleInWords(d customersd.DiscountRule) string {
	if d.Type == customersd.RuleTypePriceList {
		return fmt.Sprintf("Prices come from price list %d.", deref(d.PriceListID))
	}
	var what string
	switch d.Type {
	case customersd.RuleTypeAll:
		what = "every product"
	case customersd.RuleTypeCategory:
		what = fmt.Sprintf("products in category %d", deref(d.CategoryID))
	case customersd.RuleTypeProduct:
		what = fmt.Sprintf("product %d", deref(d.ProductID))
	default:
		what = "products of rule type " + d.Type
	}
	amount := "0"
	if d.Amount != nil {
		amount = d.Amount.String()
	}
	switch d.Method {
	case customersd.RuleMethodPercent:
		return fmt.Sprintf("%s%% off %s.", amount, what)
	case customersd.RuleMethodFixed:
		return fmt.Sprintf("%s off the price of %s.", amount, what)
	case customersd.RuleMethodPrice:
		return fmt.Sprintf("%s sold at %s.", capitalize(what), amount)
	}
	return fmt.Sprintf("%s %s on %s.", d.Method, amount, what)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
