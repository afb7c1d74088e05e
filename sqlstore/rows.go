package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// Row mappings. Each table of store data is described once, in this file:
// its columns, the value each one writes from the row and where each one is
// read into. Find, create, update, export, import and seed build their
// statements from these lists, so a new column is one line here (plus its
// migration), and no other file of the package spells a column name: the
// filters and the few hand-written statements use the constants below.
// (id and store_id, the key of every table, are the exception.)

// The columns named outside the mappings, by filters and hand-written
// statements. Where a V2 field has the column's name, errors about it use
// the constant too.
const (
	colFirstName         = "first_name"
	colLastName          = "last_name"
	colCompany           = "company"
	colEmailKey          = "email_key"
	colPhone             = "phone"
	colDateCreated       = "date_created"
	colDateModified      = "date_modified"
	colStoreCredit       = "store_credit"
	colCustomerGroupID   = "customer_group_id"
	colTaxExemptCategory = "tax_exempt_category"
	colPasswordHash      = "password_hash"

	colCustomerID = "customer_id"
	colCountry    = "country"

	colName             = "name"
	colIsDefault        = "is_default"
	colIsGroupForGuests = "is_group_for_guests"
)

// customerRow is a row of customers: the customer, plus what only the store
// sees. passwordHash is NULL for a customer without a usable password; an
// update writing NULL keeps the hash there is.
type customerRow struct {
	*customersd.Customer
	store        customersd.StoreID
	passwordHash sql.NullString
}

var customers = newTable("customers", []column[customerRow]{
	{name: "store_id", arg: func(r *customerRow) any { return r.store }, flags: key},
	field("id", func(r *customerRow) *int64 { return &r.ID }).with(key),
	field(colCompany, func(r *customerRow) *string { return &r.Company }),
	field(colFirstName, func(r *customerRow) *string { return &r.FirstName }),
	field(colLastName, func(r *customerRow) *string { return &r.LastName }),
	field("email", func(r *customerRow) *string { return &r.Email }),
	{name: colEmailKey, arg: func(r *customerRow) any { return customersd.EmailKey(r.Email) }},
	field(colPhone, func(r *customerRow) *string { return &r.Phone }),
	{
		name: "form_fields",
		arg:  func(r *customerRow) any { return formFields(r.FormFields) },
		scan: func(r *customerRow) any { return (*formFields)(&r.FormFields) },
	},
	unixField(colDateCreated, func(r *customerRow) *time.Time { return &r.DateCreated }).with(fixed),
	unixField(colDateModified, func(r *customerRow) *time.Time { return &r.DateModified }),
	field(colStoreCredit, func(r *customerRow) *int64 { return (*int64)(&r.StoreCredit) }),
	field("registration_ip_address", func(r *customerRow) *string { return &r.RegistrationIPAddress }),
	{
		name: colCustomerGroupID,
		arg:  func(r *customerRow) any { return groupRef(r.CustomerGroupID) },
		scan: func(r *customerRow) any { return (*groupRefScan)(&r.CustomerGroupID) },
	},
	field("notes", func(r *customerRow) *string { return &r.Notes }),
	field(colTaxExemptCategory, func(r *customerRow) *string { return &r.TaxExemptCategory }),
	field("reset_pass_on_login", func(r *customerRow) *bool { return &r.ResetPassOnLogin }),
	// Read-only in V2 (BEHAVIOR.md, "Customers"): nothing changes it after the insert.
	field("accepts_marketing", func(r *customerRow) *bool { return &r.AcceptsMarketing }).with(fixed),
	{
		name:  colPasswordHash,
		arg:   func(r *customerRow) any { return r.passwordHash },
		scan:  func(r *customerRow) any { return &r.passwordHash },
		flags: secret,
		set:   "COALESCE(?, " + colPasswordHash + ")",
	},
})

// addressRow is a row of customer_addresses.
type addressRow struct {
	*customersd.Address
	store customersd.StoreID
}

var addresses = newTable("customer_addresses", []column[addressRow]{
	{name: "store_id", arg: func(r *addressRow) any { return r.store }, flags: key},
	field("id", func(r *addressRow) *int64 { return &r.ID }).with(key),
	field(colCustomerID, func(r *addressRow) *int64 { return &r.CustomerID }).with(key),
	field(colFirstName, func(r *addressRow) *string { return &r.FirstName }),
	field(colLastName, func(r *addressRow) *string { return &r.LastName }),
	field(colCompany, func(r *addressRow) *string { return &r.Company }),
	field("street_1", func(r *addressRow) *string { return &r.Street1 }),
	field("street_2", func(r *addressRow) *string { return &r.Street2 }),
	field("city", func(r *addressRow) *string { return &r.City }),
	field("state", func(r *addressRow) *string { return &r.State }),
	field("zip", func(r *addressRow) *string { return &r.Zip }),
	field(colCountry, func(r *addressRow) *string { return &r.Country }),
	field("country_iso2", func(r *addressRow) *string { return &r.CountryISO2 }),
	field(colPhone, func(r *addressRow) *string { return &r.Phone }),
	field("address_type", func(r *addressRow) *string { return &r.AddressType }),
	{
		// Read-only in V2: set by an import, never by an update.
		name:  "form_fields",
		arg:   func(r *addressRow) any { return formFields(r.FormFields) },
		scan:  func(r *addressRow) any { return (*formFields)(&r.FormFields) },
		flags: fixed,
	},
})

// groupRow is a row of customer_groups.
type groupRow struct {
	*customersd.Group
	store customersd.StoreID
}

var groups = newTable("customer_groups", []column[groupRow]{
	{name: "store_id", arg: func(r *groupRow) any { return r.store }, flags: key},
	field("id", func(r *groupRow) *int64 { return &r.ID }).with(key),
	field(colName, func(r *groupRow) *string { return &r.Name }),
	field(colIsDefault, func(r *groupRow) *bool { return &r.IsDefault }),
	field(colIsGroupForGuests, func(r *groupRow) *bool { return &r.IsGroupForGuests }),
	// Both hold their V2 wire JSON, which is also what the export carries.
	{
		name: "category_access",
		arg:  func(r *groupRow) any { return (*categoryAccess)(&r.CategoryAccess) },
		scan: func(r *groupRow) any { return (*categoryAccess)(&r.CategoryAccess) },
	},
	{
		name: "discount_rules",
		arg:  func(r *groupRow) any { return discountRules(r.DiscountRules) },
		scan: func(r *groupRow) any { return (*discountRules)(&r.DiscountRules) },
	},
	unixField(colDateCreated, func(r *groupRow) *time.Time { return &r.DateCreated }).with(fixed),
	unixField(colDateModified, func(r *groupRow) *time.Time { return &r.DateModified }),
})

// column maps one column to the row type R.
type column[R any] struct {
	name string
	// arg returns the value an insert or an update writes.
	arg func(*R) any
	// scan returns where a select puts the value; nil for a column that is
	// written only (derived from other fields, or the store).
	scan  func(*R) any
	flags colFlag
	// set is the value an update assigns, when it is not plain "?".
	set string
}

type colFlag uint8

const (
	// key columns name the row: an update matches them and never sets them.
	key colFlag = 1 << iota
	// fixed columns are written by the insert only.
	fixed
	// secret columns are read by the export only, never by find.
	secret
)

func (c column[R]) with(f colFlag) column[R] {
	c.flags |= f
	return c
}

// field maps a column whose value is the field's as it is: text, integer
// or boolean.
func field[R, V any](name string, p func(*R) *V) column[R] {
	return column[R]{name: name, arg: func(r *R) any { return *p(r) }, scan: func(r *R) any { return p(r) }}
}

// unixField maps a time stored as Unix seconds.
func unixField[R any](name string, p func(*R) *time.Time) column[R] {
	return column[R]{
		name: name,
		arg:  func(r *R) any { return p(r).Unix() },
		scan: func(r *R) any { return (*unixSeconds)(p(r)) },
	}
}

// columns is a list of columns of R, in statement order.
type columns[R any] []column[R]

// args appends the values the columns write from r.
func (cs columns[R]) args(r *R, dst []any) []any {
	for i := range cs {
		dst = append(dst, cs[i].arg(r))
	}
	return dst
}

// dests appends where the columns are read into in r.
func (cs columns[R]) dests(r *R, dst []any) []any {
	for i := range cs {
		dst = append(dst, cs[i].scan(r))
	}
	return dst
}

func (cs columns[R]) names() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name
	}
	return out
}

func (cs columns[R]) filter(keep func(c column[R]) bool) columns[R] {
	var out columns[R]
	for _, c := range cs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// table is the mapping of a table to its row type R, with the column lists
// and statements of each use derived once.
type table[R any] struct {
	name string
	// read is what find selects, exported what the export selects (read
	// plus the secrets), insert every written column, set what an update
	// changes and keys what it matches.
	read, exported, insert, set, keys columns[R]

	readList, exportList string // "a, b, c"
	insertSQL, updateSQL string
}

func newTable[R any](name string, cols columns[R]) *table[R] {
	t := &table[R]{
		name:     name,
		read:     cols.filter(func(c column[R]) bool { return c.scan != nil && c.flags&secret == 0 }),
		exported: cols.filter(func(c column[R]) bool { return c.scan != nil }),
		insert:   cols,
		set:      cols.filter(func(c column[R]) bool { return c.flags&(key|fixed) == 0 }),
		keys:     cols.filter(func(c column[R]) bool { return c.flags&key != 0 }),
	}
	t.readList = strings.Join(t.read.names(), ", ")
	t.exportList = strings.Join(t.exported.names(), ", ")
	t.insertSQL = "INSERT INTO " + name + " (" + strings.Join(cols.names(), ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	sets := make([]string, len(t.set))
	for i, c := range t.set {
		sets[i] = c.name + " = " + cmp.Or(c.set, "?")
	}
	where := make([]string, len(t.keys))
	for i, c := range t.keys {
		where[i] = c.name + " = ?"
	}
	t.updateSQL = "UPDATE " + name + " SET " + strings.Join(sets, ", ") + " WHERE " + strings.Join(where, " AND ")
	return t
}

// insertRow inserts the row r.
func (t *table[R]) insertRow(ctx context.Context, tx *Tx, r *R) error {
	_, err := tx.exec(ctx, t.insertSQL, t.insert.args(r, make([]any, 0, len(t.insert)))...)
	return err
}

// updateRow writes the changeable columns of r to the row its keys name.
func (t *table[R]) updateRow(ctx context.Context, tx *Tx, r *R) error {
	args := t.set.args(r, make([]any, 0, len(t.set)+len(t.keys)))
	_, err := tx.exec(ctx, t.updateSQL, t.keys.args(r, args)...)
	return err
}

// insertEach bulk-inserts n rows with insertRows: fill(i) sets r to row i.
func (t *table[R]) insertEach(ctx context.Context, tx *Tx, section string, r *R, n int, fill func(i int)) error {
	return insertRows(ctx, tx, section, t.name, t.insert.names(), n, func(i int, dst []any) []any {
		fill(i)
		return t.insert.args(r, dst)
	})
}

// findAll runs query, which selects cols, and returns the value of each row:
// a new V, which row wraps in the row type for reading. row may return the
// same R each time, pointing at the V it is given. Each row is charged to
// the ReadMeter of ctx as it is read (customersd.ChargeRead), and a refused
// charge stops the read: what a page holds is bounded while it loads.
func findAll[R, V any](ctx context.Context, tx *Tx, cols columns[R], row func(*V) *R, query string, args ...any) ([]*V, error) {
	var out []*V
	if err := scanRows(ctx, tx, collect(ctx, cols, row, &out), query, args...); err != nil {
		return nil, err
	}
	return out, nil
}

// collect returns findAll's function of a row: it scans cols into a new V,
// appends it to out and charges it to ctx's ReadMeter.
func collect[R, V any](ctx context.Context, cols columns[R], row func(*V) *R, out *[]*V) func(rowScanner) error {
	var buf [24]any // reused row after row: Scan keeps no reference
	return func(rows rowScanner) error {
		v := new(V)
		dests := cols.dests(row(v), buf[:0])
		if err := rows.Scan(dests...); err != nil {
			return err
		}
		*out = append(*out, v)
		return customersd.ChargeRead(ctx, rowBytes(dests))
	}
}

// What a read row holds beyond its text: the struct and its slices' items.
const (
	rowOverhead  = 512 // a Customer is about 400 bytes before its text
	ruleBytes    = 128 // a DiscountRule, its amount and ids, and their strings
	categoryByte = 8   // an int64
	fieldBytes   = 32  // a FormField's two string headers
)

// rowBytes estimates the memory of a row just scanned into dests; it is
// within a small factor of the row's JSON on the wire too.
func rowBytes(dests []any) int64 {
	n := rowOverhead
	for _, d := range dests {
		switch v := d.(type) {
		case *string:
			n += len(*v)
		case *formFields:
			for _, f := range *v {
				n += fieldBytes + len(f.Name) + len(f.Value)
			}
		case *categoryAccess:
			n += categoryByte * len(v.Categories)
		case *discountRules:
			n += ruleBytes * len(*v)
		}
	}
	return int64(n)
}

// scanEach runs query, which selects cols, and calls each after reading
// every row into r. r's fields are overwritten row by row: each copies what
// it keeps.
func scanEach[R any](ctx context.Context, tx *Tx, cols columns[R], r *R, each func() error, query string, args ...any) error {
	dests := cols.dests(r, make([]any, 0, len(cols)))
	return eachRow(ctx, tx, func(rows *sql.Rows) error {
		if err := rows.Scan(dests...); err != nil {
			return err
		}
		return each()
	}, query, args...)
}

// unixSeconds reads a time stored as Unix seconds.
type unixSeconds time.Time

func (t *unixSeconds) Scan(src any) error {
	n, ok := src.(int64)
	if !ok {
		return fmt.Errorf("want Unix seconds, got %T", src)
	}
	*t = unixSeconds(unixTime(n))
	return nil
}

// groupRef stores "no group" (0 on the wire) as NULL so the foreign key can
// check every other value.
func groupRef(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// groupRefScan reads what groupRef stored.
type groupRefScan int64

func (g *groupRefScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*g = 0
	case int64:
		*g = groupRefScan(v)
	default:
		return fmt.Errorf("want a group ID, got %T", src)
	}
	return nil
}

// formFields stores form fields as JSON, NULL when there are none.
type formFields []customersd.FormField

func (ff formFields) Value() (driver.Value, error) {
	if ff == nil {
		return nil, nil
	}
	return jsonValue("form fields", []customersd.FormField(ff))
}

func (ff *formFields) Scan(src any) error {
	if src == nil {
		*ff = nil
		return nil
	}
	v := []customersd.FormField{}
	if err := jsonScan("form fields", src, &v); err != nil {
		return err
	}
	*ff = v
	return nil
}

// categoryAccess stores a category access as its V2 JSON.
type categoryAccess customersd.CategoryAccess

func (ca *categoryAccess) Value() (driver.Value, error) {
	return jsonValue("category access", customersd.CategoryAccess(*ca))
}

func (ca *categoryAccess) Scan(src any) error {
	var v customersd.CategoryAccess
	if err := jsonScan("category access", src, &v); err != nil {
		return err
	}
	*ca = categoryAccess(v)
	return nil
}

// discountRules stores discount rules as their V2 JSON, [] when none.
type discountRules []customersd.DiscountRule

func (rs discountRules) Value() (driver.Value, error) {
	if rs == nil {
		rs = discountRules{}
	}
	return jsonValue("discount rules", []customersd.DiscountRule(rs))
}

func (rs *discountRules) Scan(src any) error {
	var v []customersd.DiscountRule // fresh: Unmarshal would reuse *rs's array
	if err := jsonScan("discount rules", src, &v); err != nil {
		return err
	}
	if v == nil {
		v = []customersd.DiscountRule{}
	}
	*rs = v
	return nil
}

func jsonValue(what string, v any) (driver.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	return string(b), nil
}

func jsonScan(what string, src, v any) error {
	var b []byte
	switch s := src.(type) {
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("%s: want JSON text, got %T", what, src)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}
