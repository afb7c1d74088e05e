package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/customersd/customersd"
)

// GroupService implements customersd.GroupService.
type GroupService struct {
	db *DB
}

var _ customersd.GroupService = (*GroupService)(nil)

// NewGroupService returns the customer groups of db.
func NewGroupService(db *DB) *GroupService { return &GroupService{db: db} }

// FindGroupByID implements customersd.GroupService.
func (s *GroupService) FindGroupByID(ctx context.Context, store customersd.StoreID, id int64) (*customersd.Group, error) {
	return findGroupByID(ctx, s.db.storeReader(store), store, id)
}

// FindGroups implements customersd.GroupService.
func (s *GroupService) FindGroups(ctx context.Context, store customersd.StoreID, f customersd.GroupFilter) ([]*customersd.Group, error) {
	return findGroups(ctx, s.db.storeReader(store), store, f)
}

// CountGroups implements customersd.GroupService.
func (s *GroupService) CountGroups(ctx context.Context, store customersd.StoreID, f customersd.GroupFilter) (int64, error) {
	where, args := groupWhere(s.db.dialect, store, f)
	var n int64
	if err := s.db.storeReader(store).queryRow(ctx, `SELECT COUNT(*) FROM customer_groups WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count groups of store %d: %w", store, err)
	}
	return n, nil
}

// CreateGroup implements customersd.GroupService.
func (s *GroupService) CreateGroup(ctx context.Context, store customersd.StoreID, in *customersd.GroupInput) (*customersd.Group, error) {
	if err := in.ValidateCreate(); err != nil {
		return nil, err
	}
	g := &customersd.Group{}
	in.Apply(g)
	err := s.db.withTx(ctx, func(tx *Tx) error {
		if err := holdStore(ctx, tx, store); err != nil {
			return err
		}
		if err := lockGroups(ctx, tx, store); err != nil {
			return err
		}
		id, err := nextID(ctx, tx, store, resourceGroup)
		if err != nil {
			return err
		}
		g.ID, g.DateCreated, g.DateModified = id, tx.now, tx.now
		if err := moveGroupFlags(ctx, tx, store, g); err != nil {
			return err
		}
		err = groups.insertRow(ctx, tx, &groupRow{Group: g, store: store})
		return groupWriteError(err, store, g.ID)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// UpdateGroup implements customersd.GroupService.
func (s *GroupService) UpdateGroup(ctx context.Context, store customersd.StoreID, id int64, in *customersd.GroupInput) (*customersd.Group, error) {
	if err := in.ValidateUpdate(); err != nil {
		return nil, err
	}
	var g *customersd.Group
	err := s.db.withTx(ctx, func(tx *Tx) error {
		if err := lockGroups(ctx, tx, store); err != nil {
			return err
		}
		var err error
		if g, err = findGroupByID(ctx, tx, store, id); err != nil {
			return err
		}
		in.Apply(g)
		g.DateModified = tx.now
		if err := moveGroupFlags(ctx, tx, store, g); err != nil {
			return err
		}
		err = groups.updateRow(ctx, tx, &groupRow{Group: g, store: store})
		return groupWriteError(err, store, id)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteGroup implements customersd.GroupService.
func (s *GroupService) DeleteGroup(ctx context.Context, store customersd.StoreID, id int64) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		n, err := deleteGroups(ctx, tx, store, customersd.GroupFilter{ID: &id})
		if err != nil {
			return err
		}
		if n == 0 {
			return customersd.NotFound("Customer group", id)
		}
		return nil
	})
}

// DeleteGroups implements customersd.GroupService.
func (s *GroupService) DeleteGroups(ctx context.Context, store customersd.StoreID, f customersd.GroupFilter) error {
	return s.db.withTx(ctx, func(tx *Tx) error {
		_, err := deleteGroups(ctx, tx, store, f)
		return err
	})
}

// lockGroups serialises the group writes of a store: it locks the store's
// group ID counter without changing it. Two requests making a group the
// default at once would otherwise both clear the old default, both set their
// own, and one would fail on the unique index; in line, the second sees the first's
// default and clears it. SQLite runs one write transaction at a time anyway.
func lockGroups(ctx context.Context, tx *Tx, store customersd.StoreID) error {
	_, err := tx.exec(ctx, `INSERT INTO id_counters (store_id, resource, last_id) VALUES (?, ?, 0)
		ON CONFLICT (store_id, resource) DO UPDATE SET last_id = id_counters.last_id`, store, resourceGroup)
	if err != nil {
		return fmt.Errorf("sqlstore: lock groups of store %d: %w", store, err)
	}
	return nil
}

// lockGroupKey keeps group id of the store from being deleted until tx
// ends, taking first the lock that the customer's foreign key would take
// only after the customer's own: the lock order (db.go). A group that does
// not exist is left to the foreign key to refuse.
func lockGroupKey(ctx context.Context, tx *Tx, store customersd.StoreID, id int64) error {
	if tx.dialect.forKeyShare == "" {
		return nil
	}
	if _, err := tx.exec(ctx, `SELECT id FROM customer_groups WHERE store_id = ? AND id = ?`+tx.dialect.forKeyShare, store, id); err != nil {
		return fmt.Errorf("sqlstore: lock group %d of store %d: %w", id, store, err)
	}
	return nil
}

// moveGroupFlags clears the default and the guest flag on the other groups
// of the store when g takes them: at most one group holds each flag
// (BEHAVIOR.md, "Customer groups"). A group that loses a flag is modified.
func moveGroupFlags(ctx context.Context, tx *Tx, store customersd.StoreID, g *customersd.Group) error {
	for _, flag := range []struct {
		column string
		set    bool
	}{{colIsDefault, g.IsDefault}, {colIsGroupForGuests, g.IsGroupForGuests}} {
		if !flag.set {
			continue
		}
		_, err := tx.exec(ctx, `UPDATE customer_groups SET `+flag.column+` = FALSE, `+colDateModified+` = ?
			WHERE store_id = ? AND `+flag.column+` AND id <> ?`, tx.now.Unix(), store, g.ID)
		if err != nil {
			return fmt.Errorf("sqlstore: clear %s of groups of store %d: %w", flag.column, store, err)
		}
	}
	return nil
}

// groupWriteError maps constraint violations to what the client did. The
// only unique indexes a group write can hit are the one-default and
// one-guest indexes; lockGroups keeps that from happening, and if it ever
// does the client gets a 400 it can retry, never a 500.
func groupWriteError(err error, store customersd.StoreID, id int64) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		// The V2 fields have the columns' names.
		field := colIsDefault
		if constraintName(err) == "customer_groups_one_guest" {
			field = colIsGroupForGuests
		}
		return &customersd.Error{
			Code:    customersd.ECONFLICT,
			Field:   field,
			Message: customersd.Invalid(field).Message,
			Details: map[string]string{"invalid_reason": "Another request changed this flag at the same time; retry."},
		}
	default:
		return fmt.Errorf("sqlstore: write group %d of store %d: %w", id, store, err)
	}
}

// deleteGroups deletes the matching groups and unassigns their customers,
// returning how many groups went. It first locks the groups themselves, so
// a customer being saved into one of them at the same moment either commits
// first (and is unassigned here) or waits and then fails its foreign key
// check, instead of making this delete fail.
func deleteGroups(ctx context.Context, tx *Tx, store customersd.StoreID, f customersd.GroupFilter) (int64, error) {
	if err := lockGroups(ctx, tx, store); err != nil {
		return 0, err
	}
	f.Page = customersd.Page{}
	where, args := groupWhere(tx.dialect, store, f)
	rows, err := tx.query(ctx, `SELECT id FROM customer_groups WHERE `+where+` ORDER BY id`+tx.dialect.forUpdate, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: lock groups of store %d: %w", store, err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sqlstore: scan group of store %d: %w", store, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlstore: lock groups of store %d: %w", store, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	// Unassigning changes the customer, so its modification date moves: a
	// sync polling with If-Modified-Since sees the customer's new group.
	// The customers are locked in id order first (the lock order, db.go),
	// as a chunk of DeleteCustomers locks them.
	if _, err := tx.exec(ctx, `UPDATE customers SET `+colCustomerGroupID+` = NULL, `+colDateModified+` = ?
		WHERE store_id = ? AND id IN (SELECT id FROM customers WHERE store_id = ? AND `+colCustomerGroupID+` IN `+in+`
		ORDER BY id`+tx.dialect.forUpdate+`)`, append([]any{tx.now.Unix(), store, store}, ids...)...); err != nil {
		return 0, fmt.Errorf("sqlstore: unassign customers of groups of store %d: %w", store, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM customer_groups WHERE store_id = ? AND id IN `+in, append([]any{store}, ids...)...); err != nil {
		return 0, fmt.Errorf("sqlstore: delete groups of store %d: %w", store, err)
	}
	return int64(len(ids)), nil
}

func findGroupByID(ctx context.Context, tx *Tx, store customersd.StoreID, id int64) (*customersd.Group, error) {
	gs, err := findGroups(ctx, tx, store, customersd.GroupFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return nil, customersd.NotFound("Customer group", id)
	}
	return gs[0], nil
}

func findGroups(ctx context.Context, tx *Tx, store customersd.StoreID, f customersd.GroupFilter) ([]*customersd.Group, error) {
	where, args := groupWhere(tx.dialect, store, f)
	q := `SELECT ` + groups.readList + ` FROM customer_groups WHERE ` + where + ` ORDER BY id` + pageClause(f.Page)
	var r groupRow
	gs, err := findAll(ctx, tx, groups.read, func(g *customersd.Group) *groupRow { r.Group = g; return &r }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find groups of store %d: %w", store, err)
	}
	return gs, nil
}

// groupWhere starts with the store, so no query reaches another store's rows.
func groupWhere(d *dialect, store customersd.StoreID, f customersd.GroupFilter) (string, []any) {
	w := whereBuilder{}
	w.add("store_id = ?", store)
	w.addIf(f.ID != nil, "id = ?", deref(f.ID))
	w.addIf(f.Name != nil, colName+" = ?", deref(f.Name))
	if f.NameLike != nil {
		// Lower-cased on both sides, by the database: SQLite's LIKE folds
		// ASCII only and PostgreSQL's not at all, and the dialect's lower
		// folds every letter (BEHAVIOR.md, "Collections": É like é). The
		// client's % and _ are literal.
		w.add(d.lower+`(`+colName+`) LIKE `+d.lower+`(?) ESCAPE '\'`, "%"+likeEscaper.Replace(*f.NameLike)+"%")
	}
	w.addIf(f.IsDefault != nil, colIsDefault+" = ?", deref(f.IsDefault))
	w.addIf(f.IsGroupForGuests != nil, colIsGroupForGuests+" = ?", deref(f.IsGroupForGuests))
	w.addTime(colDateCreated+" >= ?", f.MinDateCreated)
	w.addTime(colDateCreated+" <= ?", f.MaxDateCreated)
	w.addTime(colDateModified+" >= ?", f.MinDateModified)
	w.addTime(colDateModified+" <= ?", f.MaxDateModified)
	w.addTime(colDateModified+" > ?", f.ModifiedSince)
	return w.String(), w.args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
