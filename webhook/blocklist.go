package webhook

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// BigCommerce's blocklisting (spec/WEBHOOKS.md, "Delivery"): over a 2-minute
// sliding window, once 100 requests were sent to a destination domain, a
// success ratio under 90 % blocks that domain for 3 minutes, per client.
// The windows are multiplied by the time scale.
const (
	BlockWindow   = 2 * time.Minute
	BlockDuration = 3 * time.Minute
	BlockMinSent  = 100
	BlockMinRatio = 0.9
	// blockBuckets splits the window: the sliding window moves in steps
	// of BlockWindow/blockBuckets (5 s), so a busy domain costs a fixed
	// few counters instead of one entry per request.
	blockBuckets = 24
)

// Blocklist tracks the outcomes of requests per client and destination
// domain and blocks the domains that fail too often. It lives in memory on
// each node: a block is a protection of the receiver, not a fact other
// nodes must agree on, and a restart forgets it as BigCommerce's 3-minute
// window would soon anyway.
type Blocklist struct {
	window, block time.Duration
	step          time.Duration

	mu      sync.Mutex
	domains map[BlockKey]*domainStats
}

// BlockKey is what a block covers: one API account's requests to one
// destination domain. The store is part of it because an account belongs to
// one store.
type BlockKey struct {
	Store    customersd.StoreID
	ClientID string
	Domain   string
}

type domainStats struct {
	buckets [blockBuckets]struct {
		start    time.Time
		sent, ok int
	}
	until time.Time // blocked until; zero when not blocked
	// failures counts the failures by description since the last block
	// began; reasons is that count frozen when a block begins, so the admin
	// view says why the domain is blocked.
	failures map[string]*BlockReason
	reasons  []BlockReason
}

// BlockReason is one kind of failure that led to a block.
type BlockReason struct {
	Description string
	Count       int
	Last        time.Time
}

// maxReasons bounds the kinds of failure kept per domain: error texts vary
// (addresses, ports), and the admin view needs the main ones only.
const maxReasons = 8

// NewBlocklist returns a blocklist with the windows scaled by f.
func NewBlocklist(f float64) *Blocklist {
	w := Scale(BlockWindow, f)
	step := w / blockBuckets
	if step <= 0 {
		step = 1
	}
	return &Blocklist{window: w, block: Scale(BlockDuration, f), step: step, domains: make(map[BlockKey]*domainStats)}
}

// Domain is the destination's host name, lower case, without the port: a
// block covers every port and path of a domain.
func Domain(destination string) string {
	u, err := url.Parse(destination)
	if err != nil {
		return destination
	}
	return strings.ToLower(u.Hostname())
}

// Blocked reports whether k is blocked at now, and until when.
func (b *Blocklist) Blocked(k BlockKey, now time.Time) (until time.Time, blocked bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.domains[k]
	if s == nil || !now.Before(s.until) {
		return time.Time{}, false
	}
	return s.until, true
}

// Record counts one request of k sent at now, failed with the description
// failure ("" when it succeeded), and blocks k when the window's ratio falls
// under BlockMinRatio. It returns true when this request started a block.
func (b *Blocklist) Record(k BlockKey, now time.Time, failure string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ok := failure == ""
	s := b.domains[k]
	if s == nil {
		s = &domainStats{}
		b.domains[k] = s
	}
	start := now.Truncate(b.step)
	bk := &s.buckets[int(start.UnixNano()/int64(b.step))%blockBuckets]
	if !bk.start.Equal(start) {
		bk.start, bk.sent, bk.ok = start, 0, 0
	}
	bk.sent++
	if ok {
		bk.ok++
	} else {
		s.countFailure(failure, now)
	}
	sent, good := s.count(now, b.window)
	if sent < BlockMinSent || float64(good) >= BlockMinRatio*float64(sent) {
		return false
	}
	s.until = now.Add(b.block)
	s.reasons = s.reasons[:0]
	for _, r := range s.failures {
		s.reasons = append(s.reasons, *r)
	}
	slices.SortFunc(s.reasons, func(a, b BlockReason) int {
		return cmp.Or(b.Count-a.Count, strings.Compare(a.Description, b.Description))
	})
	s.failures = nil
	// A block starts a fresh window: the failures that caused it must not
	// block the domain again the moment it ends.
	for i := range s.buckets {
		s.buckets[i].sent, s.buckets[i].ok = 0, 0
	}
	return true
}

func (s *domainStats) countFailure(desc string, now time.Time) {
	if s.failures == nil {
		s.failures = make(map[string]*BlockReason)
	}
	r := s.failures[desc]
	if r == nil {
		if len(s.failures) == maxReasons {
			desc = "other"
			r = s.failures[desc]
		}
		if r == nil {
			r = &BlockReason{Description: desc}
			s.failures[desc] = r
		}
	}
	r.Count++
	r.Last = now
}

// count sums the buckets that started within window before now.
func (s *domainStats) count(now time.Time, window time.Duration) (sent, ok int) {
	for _, bk := range s.buckets {
		if bk.sent > 0 && now.Sub(bk.start) < window {
			sent += bk.sent
			ok += bk.ok
		}
	}
	return sent, ok
}

// BlockedDomain is one blocked domain, for the admin view.
type BlockedDomain struct {
	Domain  string
	Until   time.Time
	Reasons []BlockReason
}

// BlockedDomains lists the domains of one account blocked at now.
func (b *Blocklist) BlockedDomains(store customersd.StoreID, clientID string, now time.Time) []BlockedDomain {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []BlockedDomain
	for k, s := range b.domains {
		if k.Store == store && k.ClientID == clientID && now.Before(s.until) {
			out = append(out, BlockedDomain{Domain: k.Domain, Until: s.until, Reasons: slices.Clone(s.reasons)})
		}
		if s.until.Before(now) && s.idle(now, b.window) {
			delete(b.domains, k) // forget domains that went quiet
		}
	}
	return out
}

func (s *domainStats) idle(now time.Time, window time.Duration) bool {
	n, _ := s.count(now, window)
	return n == 0
}
