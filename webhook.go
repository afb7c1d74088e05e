package customersd

import (
	"context"
	"strings"
	"time"
)

// The webhook scopes of this API (spec/WEBHOOKS.md, "Events for this API").
// The two wildcards are hook scopes only: an event always has an exact scope.
const (
	HookCustomerCreated = "store/customer/created"
	HookCustomerUpdated = "store/customer/updated"
	HookCustomerDeleted = "store/customer/deleted"
	HookAddressCreated  = "store/customer/address/created"
	HookAddressUpdated  = "store/customer/address/updated"
	HookAddressDeleted  = "store/customer/address/deleted"
	HookCustomerAll     = "store/customer/*"
	HookAddressAll      = "store/customer/address/*"
)

var hookScopes = []string{
	HookCustomerCreated, HookCustomerUpdated, HookCustomerDeleted,
	HookAddressCreated, HookAddressUpdated, HookAddressDeleted,
	HookCustomerAll, HookAddressAll,
}

// ValidHookScope reports whether a hook may subscribe to s.
func ValidHookScope(s string) bool {
	for _, v := range hookScopes {
		if v == s {
			return true
		}
	}
	return false
}

// HookScopesFor returns the hook scopes that receive an event of scope
// eventScope: the scope itself and the wildcards that cover it. Storage
// matches hooks with it (scope IN (...)), so the wildcard rule lives here once.
func HookScopesFor(eventScope string) []string {
	out := []string{eventScope}
	if strings.HasPrefix(eventScope, "store/customer/address/") {
		out = append(out, HookAddressAll)
	}
	if strings.HasPrefix(eventScope, "store/customer/") {
		out = append(out, HookCustomerAll)
	}
	return out
}

// Hook limits (spec/WEBHOOKS.md, "Limits"): per store, API account and
// scope, at most MaxHooksPerScope hooks, and one per destination.
const MaxHooksPerScope = 10

// Hook is a webhook subscription. It belongs to the API account that created
// it: other accounts of the store neither see nor change it.
type Hook struct {
	ID          int64
	Store       StoreID
	ClientID    string
	Scope       string
	Destination string
	IsActive    bool
	// Headers are sent with every delivery; nil when the hook has none.
	Headers   map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// HookInput is a hook to create, or the fields of a PUT; nil fields are not
// sent. HeadersSet with a nil Headers clears them.
type HookInput struct {
	Scope       *string
	Destination *string
	IsActive    *bool
	HeadersSet  bool
	Headers     map[string]string
}

// HookFilter selects the hooks of one API account; empty fields match all.
// Page starts at 1; Limit 0 means no limit.
type HookFilter struct {
	ClientID    string
	IsActive    *bool
	Scope       string
	Destination string
	Page, Limit int
}

// HookService manages webhook subscriptions. Every method takes the owning
// client id: another account's hook is ENOTFOUND.
type HookService interface {
	FindHooks(ctx context.Context, store StoreID, f HookFilter) ([]*Hook, error)
	CountHooks(ctx context.Context, store StoreID, f HookFilter) (int64, error)
	FindHookByID(ctx context.Context, store StoreID, clientID string, id int64) (*Hook, error)
	// CreateHook returns EINVALID for a missing or bad field and for a
	// broken limit (the message names it).
	CreateHook(ctx context.Context, store StoreID, clientID string, in *HookInput) (*Hook, error)
	// UpdateHook changes the fields sent (at least one: EINVALID otherwise).
	UpdateHook(ctx context.Context, store StoreID, clientID string, id int64, in *HookInput) (*Hook, error)
	// DeleteHook deletes a hook with its pending deliveries and returns it.
	DeleteHook(ctx context.Context, store StoreID, clientID string, id int64) (*Hook, error)
	// HookEmails and SetHookEmails hold the addresses of /v3/hooks/admin,
	// per store and account.
	HookEmails(ctx context.Context, store StoreID, clientID string) ([]string, error)
	SetHookEmails(ctx context.Context, store StoreID, clientID string, emails []string) error
}

// Event is a row of the outbox: written in the transaction of the change it
// reports, so a committed write always has its event and a rolled-back one
// never does. Payload is the exact body every delivery sends; it, Hash and
// CreatedAt are fixed at commit.
type Event struct {
	ID        int64
	Store     StoreID
	Scope     string
	Hash      string
	CreatedAt time.Time
	Payload   []byte
}

// DeliveryState is where one event's delivery to one hook stands.
type DeliveryState string

const (
	DeliveryPending   DeliveryState = "pending"   // waiting for its next attempt
	DeliveryDelivered DeliveryState = "delivered" // a 2xx acknowledged it
	DeliveryFailed    DeliveryState = "failed"    // the schedule ran out; the hook was deactivated
)

// Delivery is one event on its way to one hook, as a worker claims it.
type Delivery struct {
	ID    int64
	Event *Event
	Hook  *Hook
	// Secret is the client secret of the hook's account, which signs the
	// request. Secret: never logged.
	Secret string
	// Attempts is the number of attempts already made.
	Attempts int
	State    DeliveryState
	NextAt   time.Time
}

// DeliveryAttempt is one POST of a delivery.
type DeliveryAttempt struct {
	DeliveryID int64
	Number     int // 1 for the first attempt
	At         time.Time
	StatusCode int    // 0 when there was no answer
	Error      string // why it failed without a status (timeout, refused, blocked)
	Duration   time.Duration
	// NextAt is when the next attempt is due; zero when there is none.
	NextAt time.Time
}

// DeliveryResult is one attempt to record: CompleteAttempt's arguments.
type DeliveryResult struct {
	Delivery  *Delivery
	Attempt   *DeliveryAttempt
	Delivered bool
}

// DeliveryFilter selects a store's delivery log; empty fields match all.
type DeliveryFilter struct {
	HookID int64
	Scope  string
	State  DeliveryState
	Limit  int
}

// DeliveryRecord is a delivery with its attempts, newest delivery first, for
// the delivery log.
type DeliveryRecord struct {
	Delivery
	Log []DeliveryAttempt
}

// WebhookQueue is the delivery side of the outbox, shared by every node: a
// delivery is claimed with a lease, so two nodes don't send it at once in the
// normal case, and a node that dies mid-delivery only delays it until the
// lease runs out (at least once).
type WebhookQueue interface {
	// ClaimDeliveries leases up to limit pending deliveries due at or before
	// now whose hook is active, until now+lease.
	ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Delivery, error)
	// CompleteAttempt records a and ends d's lease: d is delivered when
	// delivered is true, pending until a.NextAt when that is set, and failed
	// otherwise, which also deactivates the hook.
	CompleteAttempt(ctx context.Context, d *Delivery, a *DeliveryAttempt, delivered bool) error
	// CompleteAttempts is CompleteAttempt for several deliveries, in as few
	// transactions as it can: busy workers then cost a commit per batch,
	// not one per delivery, which keeps them from crowding the API's
	// writes (on SQLite, one writer serves both).
	CompleteAttempts(ctx context.Context, rs []DeliveryResult) error
	// NextDue returns when the earliest pending delivery of an active hook is
	// due (its lease's end if leased); ok is false when none is pending.
	NextDue(ctx context.Context) (due time.Time, ok bool, err error)
	// DeliverNow makes a store's pending deliveries due now: one (id) or all
	// (id 0). Returns how many.
	DeliverNow(ctx context.Context, store StoreID, id int64) (int64, error)
	// FindDeliveries reads a store's delivery log.
	FindDeliveries(ctx context.Context, store StoreID, f DeliveryFilter) ([]*DeliveryRecord, error)
	// QueueStats counts pending deliveries and the creation time of the
	// oldest one's event (zero when none), for metrics.
	QueueStats(ctx context.Context) (pending int64, oldest time.Time, err error)
	// PruneDeliveries deletes finished deliveries, their attempts and the
	// events no delivery needs any more, older than before. Returns how many
	// deliveries it deleted.
	PruneDeliveries(ctx context.Context, before time.Time) (int64, error)
}

// HookView is a hook as every surface shows it (spec/WEBHOOKS.md): times
// in Unix seconds, headers a string map or null. /v2/hooks, /v3/hooks and
// the admin API share it, so a field is added once and the three can be
// compared by a test.
type HookView struct {
	ID          int64             `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   int64             `json:"created_at"`
	UpdatedAt   int64             `json:"updated_at"`
}

// View is h as the surfaces show it, in the store whose hash is storeHash.
func (h *Hook) View(storeHash string) HookView {
	headers := h.Headers
	if len(headers) == 0 {
		headers = nil
	}
	return HookView{
		ID: h.ID, ClientID: h.ClientID, StoreHash: storeHash, Scope: h.Scope, Destination: h.Destination,
		IsActive: h.IsActive, Headers: headers, CreatedAt: h.CreatedAt.Unix(), UpdatedAt: h.UpdatedAt.Unix(),
	}
}
