package customersd_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

func msgRequired(f string) string { return "The required field '" + f + "' was not supplied." }
func msgInvalid(f string) string  { return "The field '" + f + "' is invalid." }

func mustAmount(s string) *customersd.Decimal {
	d, ok := customersd.ParseDecimal(s)
	if !ok {
		panic(s)
	}
	return &d
}

func TestCategoryAccess_Validate(t *testing.T) {
	tests := []struct {
		name      string
		in        customersd.CategoryAccess
		wantField string
		wantMsg   string
	}{
		{"All", customersd.CategoryAccess{Type: "all"}, "", ""},
		{"None", customersd.CategoryAccess{Type: "none"}, "", ""},
		{"Specific", customersd.CategoryAccess{Type: "specific", Categories: []int64{18, 19}}, "", ""},
		{"SpecificEmpty", customersd.CategoryAccess{Type: "specific", Categories: []int64{}}, "", ""},
		{"AllIgnoresCategories", customersd.CategoryAccess{Type: "all", Categories: []int64{-1}}, "", ""},
		{"ErrTypeRequired", customersd.CategoryAccess{}, "type", msgRequired("type")},
		{"ErrBadType", customersd.CategoryAccess{Type: "some"}, "type", msgInvalid("type")},
		{"ErrTypeCase", customersd.CategoryAccess{Type: "ALL"}, "type", msgInvalid("type")},
		{"ErrCategoriesRequired", customersd.CategoryAccess{Type: "specific"}, "categories", msgRequired("categories")},
		{"ErrBadCategory", customersd.CategoryAccess{Type: "specific", Categories: []int64{18, 0}}, "categories", msgInvalid("categories")},
		{"AtCap", customersd.CategoryAccess{Type: "specific", Categories: categories(customersd.MaxGroupCategories)}, "", ""},
		{"ErrOverCap", customersd.CategoryAccess{Type: "specific", Categories: categories(customersd.MaxGroupCategories + 1)}, "categories", msgInvalid("categories")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantValidation(t, tt.in.Validate(), tt.wantField, tt.wantMsg) })
	}
}

func TestDiscountRule_Validate(t *testing.T) {
	tests := []struct {
		name      string
		in        customersd.DiscountRule
		wantField string
		wantMsg   string
	}{
		{"PriceList", customersd.DiscountRule{Type: "price_list", PriceListID: ptr(int64(3))}, "", ""},
		{"All", customersd.DiscountRule{Type: "all", Method: "percent", Amount: mustAmount("5")}, "", ""},
		{"AllZero", customersd.DiscountRule{Type: "all", Method: "fixed", Amount: mustAmount("0")}, "", ""},
		{"Category", customersd.DiscountRule{Type: "category", Method: "fixed", Amount: mustAmount("1.5"), CategoryID: ptr(int64(30))}, "", ""},
		{"Product", customersd.DiscountRule{Type: "product", Method: "price", Amount: mustAmount("9.99"), ProductID: ptr(int64(3))}, "", ""},
		{"ErrTypeRequired", customersd.DiscountRule{Method: "percent", Amount: mustAmount("5")}, "type", msgRequired("type")},
		{"ErrBadType", customersd.DiscountRule{Type: "store", Method: "percent", Amount: mustAmount("5")}, "type", msgInvalid("type")},
		{"ErrPriceListIDRequired", customersd.DiscountRule{Type: "price_list"}, "price_list_id", msgRequired("price_list_id")},
		{"ErrBadPriceListID", customersd.DiscountRule{Type: "price_list", PriceListID: ptr(int64(0))}, "price_list_id", msgInvalid("price_list_id")},
		{"ErrMethodRequired", customersd.DiscountRule{Type: "all", Amount: mustAmount("5")}, "method", msgRequired("method")},
		{"ErrBadMethod", customersd.DiscountRule{Type: "all", Method: "percentage", Amount: mustAmount("5")}, "method", msgInvalid("method")},
		{"ErrAmountRequired", customersd.DiscountRule{Type: "all", Method: "percent"}, "amount", msgRequired("amount")},
		{"ErrNegativeAmount", customersd.DiscountRule{Type: "all", Method: "percent", Amount: mustAmount("-1")}, "amount", msgInvalid("amount")},
		{"ErrCategoryIDRequired", customersd.DiscountRule{Type: "category", Method: "percent", Amount: mustAmount("5")}, "category_id", msgRequired("category_id")},
		{"ErrBadCategoryID", customersd.DiscountRule{Type: "category", Method: "percent", Amount: mustAmount("5"), CategoryID: ptr(int64(-2))}, "category_id", msgInvalid("category_id")},
		{"ErrProductIDRequired", customersd.DiscountRule{Type: "product", Method: "percent", Amount: mustAmount("5"), CategoryID: ptr(int64(2))}, "product_id", msgRequired("product_id")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantValidation(t, tt.in.Validate(), tt.wantField, tt.wantMsg) })
	}
}

func TestValidateDiscountRules(t *testing.T) {
	all := customersd.DiscountRule{Type: "all", Method: "percent", Amount: mustAmount("5")}
	cat := customersd.DiscountRule{Type: "category", Method: "percent", Amount: mustAmount("5"), CategoryID: ptr(int64(1))}
	prod := customersd.DiscountRule{Type: "product", Method: "fixed", Amount: mustAmount("2"), ProductID: ptr(int64(1))}
	priceList := customersd.DiscountRule{Type: "price_list", PriceListID: ptr(int64(3))}
	tests := []struct {
		name      string
		in        []customersd.DiscountRule
		wantField string
		wantMsg   string
	}{
		{"None", []customersd.DiscountRule{}, "", ""},
		{"PriceListAlone", []customersd.DiscountRule{priceList}, "", ""},
		{"AllWithCategoriesAndProducts", []customersd.DiscountRule{all, cat, cat, prod, prod}, "", ""},
		{"ManyCategories", []customersd.DiscountRule{cat, cat, cat}, "", ""},
		{"ErrPriceListWithAll", []customersd.DiscountRule{priceList, all}, "discount_rules", msgInvalid("discount_rules")},
		{"ErrPriceListWithCategory", []customersd.DiscountRule{cat, priceList}, "discount_rules", msgInvalid("discount_rules")},
		{"ErrTwoPriceLists", []customersd.DiscountRule{priceList, priceList}, "discount_rules", msgInvalid("discount_rules")},
		{"ErrTwoAll", []customersd.DiscountRule{all, cat, all}, "discount_rules", msgInvalid("discount_rules")},
		{"ErrLeafFirst", []customersd.DiscountRule{all, {Type: "all", Method: "bogus", Amount: mustAmount("1")}}, "method", msgInvalid("method")},
		{"AtCap", slices.Repeat([]customersd.DiscountRule{cat}, customersd.MaxGroupDiscountRules), "", ""},
		{"ErrOverCap", slices.Repeat([]customersd.DiscountRule{cat}, customersd.MaxGroupDiscountRules+1), "discount_rules", msgInvalid("discount_rules")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantValidation(t, customersd.ValidateDiscountRules(tt.in), tt.wantField, tt.wantMsg)
		})
	}
}

// categories returns the category ids 1 to n.
func categories(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return ids
}

func TestGroupInput_Validate(t *testing.T) {
	tests := []struct {
		name      string
		in        customersd.GroupInput
		create    bool
		wantField string
		wantMsg   string
	}{
		{"OK", customersd.GroupInput{Name: ptr("Wholesale")}, true, "", ""},
		{"ErrNameRequired", customersd.GroupInput{IsDefault: ptr(true)}, true, "name", msgRequired("name")},
		{"ErrNameBlank", customersd.GroupInput{Name: ptr("  ")}, true, "name", msgRequired("name")},
		{"ErrNameLong", customersd.GroupInput{Name: ptr(strings.Repeat("n", 256))}, true, "name", msgInvalid("name")},
		{"ErrAccess", customersd.GroupInput{Name: ptr("W"), CategoryAccess: &customersd.CategoryAccess{Type: "specific"}}, true, "categories", msgRequired("categories")},
		{"ErrRules", customersd.GroupInput{Name: ptr("W"), DiscountRules: &[]customersd.DiscountRule{{Type: "all", Method: "percent"}}}, true, "amount", msgRequired("amount")},
		{"UpdateWithoutName", customersd.GroupInput{IsDefault: ptr(true)}, false, "", ""},
		{"ErrUpdateEmptiesName", customersd.GroupInput{Name: ptr("")}, false, "name", msgInvalid("name")},
		{"ErrUpdateRules", customersd.GroupInput{DiscountRules: &[]customersd.DiscountRule{{Type: "x"}}}, false, "type", msgInvalid("type")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.create {
				err = tt.in.ValidateCreate()
			} else {
				err = tt.in.ValidateUpdate()
			}
			wantValidation(t, err, tt.wantField, tt.wantMsg)
		})
	}
}

// TestGroupInput_Apply checks the defaults, the normalised form, and that
// rules are replaced wholesale when sent and kept when not.
func TestGroupInput_Apply(t *testing.T) {
	var g customersd.Group
	(&customersd.GroupInput{Name: ptr("Wholesale")}).Apply(&g)
	if g.Name != "Wholesale" || g.CategoryAccess.Type != "all" || g.DiscountRules == nil || len(g.DiscountRules) != 0 {
		t.Fatalf("defaults: %+v", g)
	}
	rules := []customersd.DiscountRule{
		{Type: "price_list", PriceListID: ptr(int64(3)), Method: "percent", Amount: mustAmount("1")},
	}
	(&customersd.GroupInput{
		CategoryAccess: &customersd.CategoryAccess{Type: "none", Categories: []int64{1}},
		DiscountRules:  &rules,
	}).Apply(&g)
	if b, _ := json.Marshal(g.CategoryAccess); string(b) != `{"type":"none"}` {
		t.Fatalf("category_access=%s", b)
	}
	if b, _ := json.Marshal(g.DiscountRules); string(b) != `[{"type":"price_list","price_list_id":3}]` {
		t.Fatalf("discount_rules=%s", b)
	}
	(&customersd.GroupInput{Name: ptr("Retail")}).Apply(&g)
	if len(g.DiscountRules) != 1 || g.Name != "Retail" {
		t.Fatalf("rules not sent must stay: %+v", g)
	}
	(&customersd.GroupInput{DiscountRules: &[]customersd.DiscountRule{}}).Apply(&g)
	if g.DiscountRules == nil || len(g.DiscountRules) != 0 {
		t.Fatalf("rules sent empty must clear: %+v", g.DiscountRules)
	}
}

// TestGroupJSON checks the V2 form of category_access and discount_rules,
// which is also their stored form, and that it reads back.
func TestGroupJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"AccessAll", customersd.CategoryAccess{Type: "all"}, `{"type":"all"}`},
		{"AccessSpecific", customersd.CategoryAccess{Type: "specific", Categories: []int64{18, 19}}, `{"type":"specific","categories":[18,19]}`},
		{"AccessSpecificEmpty", customersd.CategoryAccess{Type: "specific"}, `{"type":"specific","categories":[]}`},
		{"RuleAll", customersd.DiscountRule{Type: "all", Method: "percent", Amount: mustAmount("5")}, `{"type":"all","method":"percent","amount":"5.0000"}`},
		{"RuleCategory", customersd.DiscountRule{Type: "category", Method: "fixed", Amount: mustAmount("0.5"), CategoryID: ptr(int64(30))},
			`{"type":"category","method":"fixed","amount":"0.5000","category_id":30}`},
		{"RuleProduct", customersd.DiscountRule{Type: "product", Method: "price", Amount: mustAmount("12"), ProductID: ptr(int64(3))},
			`{"type":"product","method":"price","amount":"12.0000","product_id":3}`},
		{"RulePriceList", customersd.DiscountRule{Type: "price_list", PriceListID: ptr(int64(3))}, `{"type":"price_list","price_list_id":3}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil || string(b) != tt.want {
				t.Fatalf("Marshal=%s, %v; want %s", b, err, tt.want)
			}
			var back []byte
			switch tt.v.(type) {
			case customersd.CategoryAccess:
				var ca customersd.CategoryAccess
				if err := json.Unmarshal(b, &ca); err != nil {
					t.Fatal(err)
				}
				back, _ = json.Marshal(ca)
			case customersd.DiscountRule:
				var r customersd.DiscountRule
				if err := json.Unmarshal(b, &r); err != nil {
					t.Fatal(err)
				}
				back, _ = json.Marshal(r)
			}
			if string(back) != tt.want {
				t.Fatalf("round trip=%s, want %s", back, tt.want)
			}
		})
	}
	var r customersd.DiscountRule
	if err := json.Unmarshal([]byte(`{"type":"all","method":"percent","amount":7.5}`), &r); err != nil || r.Amount == nil || r.Amount.String() != "7.5000" {
		t.Fatalf("a bare number amount: %+v, %v", r, err)
	}
	if err := json.Unmarshal([]byte(`{"type":"all","method":"percent","amount":"x"}`), &r); err == nil {
		t.Fatal("a non-numeric amount was accepted")
	}
}
