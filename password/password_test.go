package password

import (
	"errors"
	"testing"
)

// cost4 is a bcrypt hash of "secret123" at the minimum cost.
const cost4 = "$2a$04$6.Tbr5rJT8I9dtwoLdlREuF7oxzQ9Lpkun/5JrEzjkN5qD.qlbb52"

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		hash    string
		want    bool
		wantErr error
	}{
		{"OK", cost4, true, nil},
		{"NoHash", "", false, nil},
		// Before the bound, cost 16 ran 2^16 rounds (seconds) and cost 31 a
		// day's worth, on every validate call of that customer.
		{"ErrCost16", cost4[:4] + "16" + cost4[6:], false, ErrCost},
		{"ErrCost31", cost4[:4] + "31" + cost4[6:], false, ErrCost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Verify(tt.hash, "secret123")
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify=%v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestHasher_Hash_ErrCost(t *testing.T) {
	for _, cost := range []int{MinCost - 1, MaxCost + 1} {
		if _, err := (Hasher{Cost: cost}).Hash("secret123"); !errors.Is(err, ErrCost) {
			t.Errorf("Hash at cost %d: %v, want ErrCost", cost, err)
		}
	}
}
