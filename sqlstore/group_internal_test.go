package sqlstore

import (
	"context"
	"testing"

	"github.com/customersd/customersd"
)

// TestGroup_StoredForm checks that category_access and discount_rules are
// stored in exactly their V2 wire form: the export embeds the columns as
// they are.
func TestGroup_StoredForm(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			db := openInternal(t, dialect)
			ctx := context.Background()
			st := &customersd.Store{Hash: "a"}
			if err := NewTenantService(db).CreateStore(ctx, st); err != nil {
				t.Fatal(err)
			}
			amount, _ := customersd.ParseDecimal("5")
			cat := int64(7)
			rules := []customersd.DiscountRule{
				{Type: "all", Method: "percent", Amount: &amount},
				{Type: "category", Method: "fixed", Amount: &amount, CategoryID: &cat, ProductID: &cat},
			}
			name := "Wholesale"
			s := NewGroupService(db)
			g, err := s.CreateGroup(ctx, st.ID, &customersd.GroupInput{Name: &name, DiscountRules: &rules,
				CategoryAccess: &customersd.CategoryAccess{Type: "specific", Categories: []int64{18, 19}}})
			if err != nil {
				t.Fatal(err)
			}
			var access, stored string
			err = db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT category_access, discount_rules FROM customer_groups
				WHERE store_id = ? AND id = ?`), st.ID, g.ID).Scan(&access, &stored)
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"type":"specific","categories":[18,19]}`; access != want {
				t.Errorf("category_access=%s, want %s", access, want)
			}
			if want := `[{"type":"all","method":"percent","amount":"5.0000"},{"type":"category","method":"fixed","amount":"5.0000","category_id":7}]`; stored != want {
				t.Errorf("discount_rules=%s, want %s", stored, want)
			}
			if _, err := s.UpdateGroup(ctx, st.ID, g.ID, &customersd.GroupInput{DiscountRules: &[]customersd.DiscountRule{}}); err != nil {
				t.Fatal(err)
			}
			db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT discount_rules FROM customer_groups WHERE store_id = ? AND id = ?`), st.ID, g.ID).Scan(&stored)
			if stored != "[]" {
				t.Errorf("discount_rules=%s, want []", stored)
			}
		})
	}
}
