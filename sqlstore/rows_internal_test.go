package sqlstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestColumnsNamedOnce keeps the promise of rows.go: no other file of the
// package spells a column of a mapped table in a string, SQL or otherwise;
// they use the constants. id and store_id, the key of every table, and name,
// a column of other tables too, are exempt.
func TestColumnsNamedOnce(t *testing.T) {
	cols := map[string]bool{}
	for _, names := range [][]string{customers.insert.names(), addresses.insert.names(), groups.insert.names()} {
		for _, n := range names {
			cols[n] = true
		}
	}
	delete(cols, "id")
	delete(cols, "store_id")
	delete(cols, "name")

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	word := regexp.MustCompile(`[a-z0-9_]+`)
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "rows.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			if d, ok := decl.(*ast.GenDecl); ok && d.Tok == token.IMPORT {
				continue // import paths such as ".../country" are not columns
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				for _, w := range word.FindAllString(lit.Value, -1) {
					if cols[w] {
						t.Errorf("%s: column %q spelled outside rows.go; use its constant", fset.Position(lit.Pos()), w)
					}
				}
				return true
			})
		}
	}
}

// TestTable_Statements pins the statements derived from the customers
// mapping: what an update leaves alone is a decision, not an accident.
func TestTable_Statements(t *testing.T) {
	for _, tt := range []struct{ name, got, want string }{
		{"read", customers.readList, "id, company, first_name, last_name, email, phone, form_fields, date_created, date_modified, " +
			"store_credit, registration_ip_address, customer_group_id, notes, tax_exempt_category, reset_pass_on_login, accepts_marketing"},
		{"export", customers.exportList, customers.readList + ", password_hash"},
		{"update", customers.updateSQL, "UPDATE customers SET company = ?, first_name = ?, last_name = ?, email = ?, email_key = ?, " +
			"phone = ?, form_fields = ?, date_modified = ?, store_credit = ?, registration_ip_address = ?, customer_group_id = ?, " +
			"notes = ?, tax_exempt_category = ?, reset_pass_on_login = ?, password_hash = COALESCE(?, password_hash) " +
			"WHERE store_id = ? AND id = ?"},
		{"address update", addresses.updateSQL, "UPDATE customer_addresses SET first_name = ?, last_name = ?, company = ?, " +
			"street_1 = ?, street_2 = ?, city = ?, state = ?, zip = ?, country = ?, country_iso2 = ?, phone = ?, address_type = ? " +
			"WHERE store_id = ? AND id = ? AND customer_id = ?"},
		{"group update", groups.updateSQL, "UPDATE customer_groups SET name = ?, is_default = ?, is_group_for_guests = ?, " +
			"category_access = ?, discount_rules = ?, date_modified = ? WHERE store_id = ? AND id = ?"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}
