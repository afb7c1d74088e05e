package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Memory is the in-process Backend: counts live in this process only, so
// with several nodes each one enforces the whole quota on its own.
//
// The zero Memory is ready to use and reads time.Now.
type Memory struct {
	// Now is the clock; nil means time.Now. Tests pin it to step through
	// windows without sleeping.
	Now func() time.Time

	mu        sync.Mutex
	windows   map[string]memWindow
	sweepAt   int       // sweep when the map holds this many keys
	nextSweep time.Time // or when the clock passes this
}

type memWindow struct {
	count int64
	end   time.Time
}

// Expired windows are deleted in sweeps rather than with timers: a sweep
// whenever the map doubles keeps the cost O(1) per Incr and memory within
// twice the live keys, and a sweep every minute lets memory fall back after
// a burst of keys that never return.
const (
	minSweepSize  = 1024
	sweepInterval = time.Minute
)

// NewMemory returns a Memory reading the clock now (nil means time.Now).
func NewMemory(now func() time.Time) *Memory {
	return &Memory{Now: now}
}

var _ Backend = (*Memory)(nil)

// Incr implements Backend. It fails only for a window that is not positive.
func (m *Memory) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	if window <= 0 {
		return 0, 0, fmt.Errorf("ratelimit: window %v for key %q is not positive", window, key)
	}
	now := m.now()

	m.mu.Lock()
	defer m.mu.Unlock()
	m.maybeSweep(now)
	w, ok := m.windows[key]
	if !ok || !now.Before(w.end) {
		w = memWindow{end: now.Add(window)}
	}
	w.count++
	m.windows[key] = w
	return w.count, w.end.Sub(now), nil
}

// Peek implements Backend. It never fails.
func (m *Memory) Peek(ctx context.Context, key string) (int64, time.Duration, error) {
	now := m.now()

	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.windows[key]
	if !ok || !now.Before(w.end) {
		return 0, 0, nil
	}
	return w.count, w.end.Sub(now), nil
}

// Decr implements Backend. It never fails.
func (m *Memory) Decr(ctx context.Context, key string) error {
	now := m.now()

	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.windows[key]
	switch {
	case !ok:
	case !now.Before(w.end) || w.count <= 1:
		delete(m.windows, key)
	default:
		w.count--
		m.windows[key] = w
	}
	return nil
}

func (m *Memory) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// maybeSweep deletes expired windows when a sweep is due. m.mu must be held.
func (m *Memory) maybeSweep(now time.Time) {
	if m.windows == nil {
		m.windows = make(map[string]memWindow)
		m.sweepAt, m.nextSweep = minSweepSize, now.Add(sweepInterval)
		return
	}
	if len(m.windows) < m.sweepAt && now.Before(m.nextSweep) {
		return
	}
	for k, w := range m.windows {
		if !now.Before(w.end) {
			delete(m.windows, k)
		}
	}
	m.sweepAt, m.nextSweep = max(minSweepSize, 2*len(m.windows)), now.Add(sweepInterval)
}
