package webhook

import (
	"context"
	"log/slog"
	"sync"
)

// queueHealth logs the queue's failures once per outage, not once per poll:
// while the database is down the dispatcher keeps trying every poll, and
// the API already reports the outage (as one ERROR line, gateway). The
// first failure is a WARN line, the rest are DEBUG, and the first success
// after them says so with the count.
type queueHealth struct {
	mu      sync.Mutex
	failing int // failures since the last success
}

func (s *Deliverer) queueFailed(op string, err error) {
	s.health.mu.Lock()
	s.health.failing++
	first := s.health.failing == 1
	s.health.mu.Unlock()
	level := slog.LevelDebug
	if first {
		level = slog.LevelWarn
	}
	s.Logger.Log(context.Background(), level, "webhook: queue unavailable; deliveries wait", slog.String("op", op), slog.Any("err", err))
}

func (s *Deliverer) queueOK() {
	s.health.mu.Lock()
	n := s.health.failing
	s.health.failing = 0
	s.health.mu.Unlock()
	if n > 0 {
		s.Logger.Info("webhook: queue available again", slog.Int("failed_calls", n))
	}
}
