package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/customersd/customersd"
)

// HookService implements customersd.HookService.
type HookService struct {
	db *DB
}

var _ customersd.HookService = (*HookService)(nil)

// NewHookService returns the webhook subscriptions of db.
func NewHookService(db *DB) *HookService { return &HookService{db: db} }

// resourceHook names the hooks' ID counter: hook IDs are per store, like
// every other ID of store data.
const resourceHook = "hook"

const hookColumns = `store_id, id, client_id, scope, destination, is_active, headers, created_at, updated_at`

func scanHook(rows *sql.Rows) (*customersd.Hook, error) {
	var h customersd.Hook
	var headers sql.NullString
	var created, updated int64
	if err := rows.Scan(&h.Store, &h.ID, &h.ClientID, &h.Scope, &h.Destination, &h.IsActive, &headers, &created, &updated); err != nil {
		return nil, err
	}
	if headers.Valid {
		var err error
		if h.Headers, err = parseHookHeaders(headers.String); err != nil {
			return nil, fmt.Errorf("sqlstore: headers of hook %d: %w", h.ID, err)
		}
	}
	h.CreatedAt, h.UpdatedAt = unixTime(created), unixTime(updated)
	return &h, nil
}

// hookHeaders is the stored form of a hook's headers: NULL for none.
func hookHeaders(h map[string]string) (sql.NullString, error) {
	if h == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(h)
	return sql.NullString{String: string(b), Valid: true}, err
}

// parseHookHeaders reads the stored form of hookHeaders.
func parseHookHeaders(s string) (map[string]string, error) {
	var h map[string]string
	err := json.Unmarshal([]byte(s), &h)
	return h, err
}

// hookWhere starts with the store, so no query reaches another store's
// hooks; an empty ClientID matches every account (for the admin API).
func hookWhere(store customersd.StoreID, f customersd.HookFilter) (string, []any) {
	w := whereBuilder{}
	w.add("store_id = ?", store)
	w.addIf(f.ClientID != "", "client_id = ?", f.ClientID)
	w.addIf(f.IsActive != nil, "is_active = ?", deref(f.IsActive))
	w.addIf(f.Scope != "", "scope = ?", f.Scope)
	w.addIf(f.Destination != "", "destination = ?", f.Destination)
	return w.String(), w.args
}

// FindHooks implements customersd.HookService.
func (s *HookService) FindHooks(ctx context.Context, store customersd.StoreID, f customersd.HookFilter) ([]*customersd.Hook, error) {
	where, args := hookWhere(store, f)
	q := `SELECT ` + hookColumns + ` FROM hooks WHERE ` + where + ` ORDER BY id`
	if f.Limit > 0 {
		q += pageClause(customersd.Page{Limit: f.Limit, Offset: int64(max(f.Page, 1)-1) * int64(f.Limit)})
	}
	hs, err := queryAll(ctx, s.db.storeReader(store), scanHook, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find hooks of store %d: %w", store, err)
	}
	return hs, nil
}

// CountHooks implements customersd.HookService.
func (s *HookService) CountHooks(ctx context.Context, store customersd.StoreID, f customersd.HookFilter) (int64, error) {
	where, args := hookWhere(store, f)
	var n int64
	if err := s.db.storeReader(store).queryRow(ctx, `SELECT COUNT(*) FROM hooks WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count hooks of store %d: %w", store, err)
	}
	return n, nil
}

// FindHookByID implements customersd.HookService. An empty clientID finds
// the hook of any account (the admin API's view).
func (s *HookService) FindHookByID(ctx context.Context, store customersd.StoreID, clientID string, id int64) (*customersd.Hook, error) {
	return hookByID(ctx, s.db.storeReader(store), store, clientID, id, "")
}

func hookByID(ctx context.Context, tx *Tx, store customersd.StoreID, clientID string, id int64, lock string) (*customersd.Hook, error) {
	where, args := hookWhere(store, customersd.HookFilter{ClientID: clientID})
	hs, err := queryAll(ctx, tx, scanHook, `SELECT `+hookColumns+` FROM hooks WHERE `+where+` AND id = ?`+lock, append(args, id)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find hook %d of store %d: %w", id, store, err)
	}
	if len(hs) == 0 {
		return nil, hookNotFound(id)
	}
	return hs[0], nil
}

// hookNotFound is the message of V3's 404 (WEBHOOKS.md, "Two paths").
func hookNotFound(id int64) error {
	return customersd.Errorf(customersd.ENOTFOUND, "Webhook with id [%d] not found", id)
}

// validateHook checks the fields of in that are set; create also needs
// scope and destination.
func validateHook(in *customersd.HookInput, create bool) error {
	if create && (in.Scope == nil || *in.Scope == "") {
		return customersd.Required("scope")
	}
	if create && (in.Destination == nil || *in.Destination == "") {
		return customersd.Required("destination")
	}
	if !create && in.Scope == nil && in.Destination == nil && in.IsActive == nil && !in.HeadersSet {
		return customersd.Errorf(customersd.EINVALID, "At least one of scope, destination, is_active and headers is required.")
	}
	if in.Scope != nil && !customersd.ValidHookScope(*in.Scope) {
		return customersd.Invalid("scope")
	}
	if in.Destination != nil {
		u, err := url.Parse(*in.Destination)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return customersd.Invalid("destination")
		}
	}
	for k := range in.Headers {
		if k == "" {
			return customersd.Invalid("headers")
		}
	}
	return nil
}

// Limit errors name the limit (WEBHOOKS.md, "Limits").
func errHookLimit() error {
	return &customersd.Error{Code: customersd.EINVALID, Field: "scope", Message: "Hook limit reached: at most " +
		strconv.Itoa(customersd.MaxHooksPerScope) + " hooks per store, client and scope."}
}

func errHookDuplicate() error {
	return &customersd.Error{Code: customersd.EINVALID, Field: "destination", Message: "Hook limit reached: one hook per store, client, scope and destination, and this one exists."}
}

// CreateHook implements customersd.HookService. The ID counter's lock
// serialises the hook writes of a store (on every node), so the count of
// the limit cannot change between its check and the insert.
func (s *HookService) CreateHook(ctx context.Context, store customersd.StoreID, clientID string, in *customersd.HookInput) (*customersd.Hook, error) {
	if err := validateHook(in, true); err != nil {
		return nil, err
	}
	h := &customersd.Hook{Store: store, ClientID: clientID, Scope: *in.Scope, Destination: *in.Destination,
		IsActive: in.IsActive == nil || *in.IsActive, Headers: in.Headers}
	headers, err := hookHeaders(h.Headers)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create hook: %w", err)
	}
	err = s.db.withTx(ctx, func(tx *Tx) error {
		if err := holdStore(ctx, tx, store); err != nil {
			return err
		}
		if err := checkAccount(ctx, tx, store, clientID); err != nil {
			return err
		}
		id, err := nextID(ctx, tx, store, resourceHook)
		if err != nil {
			return err
		}
		if err := checkHookLimit(ctx, tx, store, clientID, h.Scope, 0); err != nil {
			return err
		}
		h.ID, h.CreatedAt, h.UpdatedAt = id, tx.now, tx.now
		_, err = tx.exec(ctx, `INSERT INTO hooks (`+hookColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			store, id, clientID, h.Scope, h.Destination, h.IsActive, headers, tx.now.Unix(), tx.now.Unix())
		return hookWriteError(err, store, id)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// checkAccount returns ENOTFOUND when clientID is no API account of the
// store. On PostgreSQL the row is held (FOR KEY SHARE) until the hook is
// written, so a revoke waits and then deletes the hook with the account.
func checkAccount(ctx context.Context, tx *Tx, store customersd.StoreID, clientID string) error {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM api_accounts WHERE store_id = ? AND client_id = ?`+tx.dialect.forKeyShare, store, clientID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return customersd.Errorf(customersd.ENOTFOUND, "API account %q not found.", clientID)
	} else if err != nil {
		return fmt.Errorf("sqlstore: find api account %q of store %d: %w", clientID, store, err)
	}
	return nil
}

// checkHookLimit returns EINVALID when the account has MaxHooksPerScope
// hooks on scope already, not counting the hook except.
func checkHookLimit(ctx context.Context, tx *Tx, store customersd.StoreID, clientID, scope string, except int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM hooks WHERE store_id = ? AND client_id = ? AND scope = ? AND id <> ?`,
		store, clientID, scope, except).Scan(&n); err != nil {
		return fmt.Errorf("sqlstore: count hooks of store %d: %w", store, err)
	}
	if n >= customersd.MaxHooksPerScope {
		return errHookLimit()
	}
	return nil
}

func hookWriteError(err error, store customersd.StoreID, id int64) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return errHookDuplicate()
	default:
		return fmt.Errorf("sqlstore: write hook %d of store %d: %w", id, store, err)
	}
}

// UpdateHook implements customersd.HookService. Reactivating a hook wakes
// the delivery workers (OnDeliveries): its pending deliveries are due.
func (s *HookService) UpdateHook(ctx context.Context, store customersd.StoreID, clientID string, id int64, in *customersd.HookInput) (*customersd.Hook, error) {
	if err := validateHook(in, false); err != nil {
		return nil, err
	}
	var h *customersd.Hook
	err := s.db.withTx(ctx, func(tx *Tx) error {
		// The counter, as CreateHook takes it, when the limit is at stake.
		if in.Scope != nil {
			if err := lockCounter(ctx, tx, store, resourceHook); err != nil {
				return err
			}
		}
		var err error
		if h, err = hookByID(ctx, tx, store, clientID, id, tx.dialect.forUpdate); err != nil {
			return err
		}
		wasActive := h.IsActive
		if in.Scope != nil && *in.Scope != h.Scope {
			if err := checkHookLimit(ctx, tx, store, h.ClientID, *in.Scope, id); err != nil {
				return err
			}
			h.Scope = *in.Scope
		}
		if in.Destination != nil {
			h.Destination = *in.Destination
		}
		if in.IsActive != nil {
			h.IsActive = *in.IsActive
		}
		if in.HeadersSet {
			h.Headers = in.Headers
		}
		h.UpdatedAt = tx.now
		headers, err := hookHeaders(h.Headers)
		if err != nil {
			return fmt.Errorf("sqlstore: update hook %d: %w", id, err)
		}
		_, err = tx.exec(ctx, `UPDATE hooks SET scope = ?, destination = ?, is_active = ?, headers = ?, updated_at = ?
			WHERE store_id = ? AND id = ?`, h.Scope, h.Destination, h.IsActive, headers, tx.now.Unix(), store, id)
		if err := hookWriteError(err, store, id); err != nil {
			return err
		}
		tx.deliveries = tx.deliveries || (h.IsActive && !wasActive)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// lockCounter takes the lock of one ID counter of the store, as nextID
// would, without handing out an ID.
func lockCounter(ctx context.Context, tx *Tx, store customersd.StoreID, resource string) error {
	if _, err := tx.exec(ctx, `UPDATE id_counters SET last_id = last_id WHERE store_id = ? AND resource = ?`, store, resource); err != nil {
		return fmt.Errorf("sqlstore: lock %s counter of store %d: %w", resource, store, err)
	}
	return nil
}

// DeleteHook implements customersd.HookService. The hook goes first, then
// its deliveries (and their attempts, by cascade): the lock order (db.go).
func (s *HookService) DeleteHook(ctx context.Context, store customersd.StoreID, clientID string, id int64) (*customersd.Hook, error) {
	var h *customersd.Hook
	err := s.db.withTx(ctx, func(tx *Tx) error {
		var err error
		if h, err = hookByID(ctx, tx, store, clientID, id, tx.dialect.forUpdate); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM hooks WHERE store_id = ? AND id = ?`, store, id); err != nil {
			return fmt.Errorf("sqlstore: delete hook %d of store %d: %w", id, store, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE store_id = ? AND hook_id = ?`, store, id); err != nil {
			return fmt.Errorf("sqlstore: delete deliveries of hook %d of store %d: %w", id, store, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// HookEmails implements customersd.HookService: nil when none were set.
func (s *HookService) HookEmails(ctx context.Context, store customersd.StoreID, clientID string) ([]string, error) {
	var raw string
	err := s.db.storeReader(store).queryRow(ctx, `SELECT emails FROM hook_emails WHERE store_id = ? AND client_id = ?`, store, clientID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: find hook emails of %q in store %d: %w", clientID, store, err)
	}
	var emails []string
	if err := json.Unmarshal([]byte(raw), &emails); err != nil {
		return nil, fmt.Errorf("sqlstore: hook emails of %q in store %d: %w", clientID, store, err)
	}
	return emails, nil
}

// SetHookEmails implements customersd.HookService; it replaces the list.
func (s *HookService) SetHookEmails(ctx context.Context, store customersd.StoreID, clientID string, emails []string) error {
	if emails == nil {
		emails = []string{}
	}
	raw, err := json.Marshal(emails)
	if err != nil {
		return fmt.Errorf("sqlstore: set hook emails: %w", err)
	}
	return s.db.withTx(ctx, func(tx *Tx) error {
		if err := checkAccount(ctx, tx, store, clientID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO hook_emails (store_id, client_id, emails) VALUES (?, ?, ?)
			ON CONFLICT (store_id, client_id) DO UPDATE SET emails = excluded.emails`, store, clientID, string(raw))
		if err != nil {
			return fmt.Errorf("sqlstore: set hook emails of %q in store %d: %w", clientID, store, err)
		}
		return nil
	})
}
