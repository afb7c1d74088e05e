package ratelimit

import "testing"

func TestInflight_ForgetsIdleKeys(t *testing.T) {
	in := NewInflight(2)
	r1, _ := in.Acquire("store:1")
	r2, _ := in.Acquire("store:1")
	r1()
	r2()
	if got := len(in.n); got != 0 {
		t.Fatalf("keys kept after every release: %d, want 0", got)
	}
}
