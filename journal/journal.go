// Package journal keeps the recent requests of each store in memory, with
// every password, token and secret removed, so that a test can ask what
// an app did ("exactly one GET /customers/{customer_id} after the
// webhook"). Each node keeps its own: the admin API says which node
// answered.
package journal

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/customersd/customersd"
)

// Defaults of Config.
const (
	DefaultMaxEntries = 1000
	DefaultMaxBytes   = 4 << 20
	DefaultMaxBody    = 16 << 10
)

// entryOverhead is what an entry costs beyond its strings, for MaxBytes.
const entryOverhead = 256

// Config bounds a store's journal.
type Config struct {
	// MaxEntries and MaxBytes bound each store's entries; the oldest go
	// first. Zero means the default.
	MaxEntries int
	MaxBytes   int64
	// MaxBody is the most bytes of a request or response body kept; the
	// rest is cut and the entry says so.
	MaxBody int
}

// RateLimit is the store's quota as the response's X-Rate-Limit-* headers
// told the client.
type RateLimit struct {
	RequestsLeft  int   `json:"requests_left"`
	RequestsQuota int   `json:"requests_quota"`
	TimeResetMS   int64 `json:"time_reset_ms"`
	TimeWindowMS  int64 `json:"time_window_ms"`
}

// Entry is one request. Its JSON is the admin API's wire format.
type Entry struct {
	// Seq numbers the node's entries in the order they were recorded.
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Query  string    `json:"query"`
	// Route is the route pattern relative to the version root, "" when no
	// route served the request.
	Route   string `json:"route"`
	Surface string `json:"surface"`
	// Status is 0 when the connection was reset before any answer.
	Status     int        `json:"status"`
	DurationMS float64    `json:"duration_ms"`
	ClientID   string     `json:"client_id"`
	RequestID  string     `json:"request_id"`
	RateLimit  *RateLimit `json:"rate_limit"`
	// Fault is the ID of the rule that fired on the request, if any.
	Fault                 *string `json:"fault"`
	RequestBody           string  `json:"request_body"`
	RequestBodyTruncated  bool    `json:"request_body_truncated"`
	ResponseBody          string  `json:"response_body"`
	ResponseBodyTruncated bool    `json:"response_body_truncated"`
}

func (e *Entry) size() int64 {
	return int64(entryOverhead + len(e.Path) + len(e.Query) + len(e.Route) + len(e.ClientID) + len(e.RequestBody) + len(e.ResponseBody))
}

// Filter selects entries; zero fields do not constrain.
type Filter struct {
	Method, Route, ClientID string
	// Path is an exact path as the entry records it.
	Path string
	// Status is an exact status; StatusClass a class (5 for 5xx).
	Status, StatusClass int
	// Since keeps entries recorded at or after it.
	Since time.Time
	// Limit caps Find's answer, newest first; 0: all.
	Limit int
}

func (f *Filter) match(e *Entry) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, e.Method)) &&
		(f.Route == "" || f.Route == e.Route) &&
		(f.Path == "" || f.Path == e.Path) &&
		(f.ClientID == "" || f.ClientID == e.ClientID) &&
		(f.Status == 0 || f.Status == e.Status) &&
		(f.StatusClass == 0 || e.Status/100 == f.StatusClass) &&
		(f.Since.IsZero() || !e.Time.Before(f.Since))
}

// Journal is the journal of every store on this node.
type Journal struct {
	cfg    Config
	mu     sync.RWMutex
	stores map[customersd.StoreID]*storeLog
	seq    atomic.Int64
}

type storeLog struct {
	mu      sync.Mutex
	entries []*Entry // oldest first
	bytes   int64
}

// New returns an empty journal bounded by cfg.
func New(cfg Config) *Journal {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	return &Journal{cfg: cfg, stores: make(map[customersd.StoreID]*storeLog)}
}

// Config returns the journal's bounds, defaults filled in.
func (j *Journal) Config() Config { return j.cfg }

// MaxBody is the most bytes of a body an entry keeps.
func (j *Journal) MaxBody() int { return j.cfg.MaxBody }

func (j *Journal) log(store customersd.StoreID, create bool) *storeLog {
	j.mu.RLock()
	l := j.stores[store]
	j.mu.RUnlock()
	if l != nil || !create {
		return l
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if l = j.stores[store]; l == nil {
		l = &storeLog{}
		j.stores[store] = l
	}
	return l
}

// Add records e, already redacted, for the store, dropping its oldest
// entries past the bounds. It sets e.Seq.
func (j *Journal) Add(store customersd.StoreID, e *Entry) {
	l := j.log(store, true)
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Seq = j.seq.Add(1) // under l.mu: a store's entries are in seq order
	l.entries = append(l.entries, e)
	l.bytes += e.size()
	drop := 0
	for len(l.entries)-drop > j.cfg.MaxEntries || (l.bytes > j.cfg.MaxBytes && len(l.entries)-drop > 1) {
		l.bytes -= l.entries[drop].size()
		drop++
	}
	if drop > 0 {
		clear(l.entries[:drop]) // let the dropped entries go
		l.entries = l.entries[drop:]
	}
}

// Find returns the store's entries that match f, newest first.
func (j *Journal) Find(store customersd.StoreID, f Filter) []*Entry {
	out := []*Entry{}
	l := j.log(store, false)
	if l == nil {
		return out
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range slices.Backward(l.entries) {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		if f.match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Count counts the store's entries that match f (Limit ignored).
func (j *Journal) Count(store customersd.StoreID, f Filter) int {
	l := j.log(store, false)
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.entries {
		if f.match(e) {
			n++
		}
	}
	return n
}

// Clear forgets the store's entries.
func (j *Journal) Clear(store customersd.StoreID) {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.stores, store)
}
