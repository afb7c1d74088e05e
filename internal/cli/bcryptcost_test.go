package cli

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestServe_ErrBcryptCost: a cost above password.MaxCost would make hashes
// that Verify refuses to check, so serve refuses it at start.
func TestServe_ErrBcryptCost(t *testing.T) {
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), []string{"serve", "--bcrypt-cost", "15", "--database", t.TempDir() + "/c.db"})
	if err == nil || !strings.Contains(err.Error(), "--bcrypt-cost must be between 4 and 14") {
		t.Fatalf("serve --bcrypt-cost 15: %v, want the range error", err)
	}
}
