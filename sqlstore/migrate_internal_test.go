package sqlstore

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
)

// TestMigrations_InStep checks that every migration exists in both dialects,
// under the same name and in the same place, numbered 0001, 0002, ... with
// no gap: a change made for one database only fails here.
func TestMigrations_InStep(t *testing.T) {
	lite, err := migrationNames(sqliteDialect.name)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrationNames(postgresDialect.name)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 {
		t.Fatal("no migrations found")
	}
	if !slices.Equal(lite, pg) {
		t.Fatalf("migrations differ:\n  sqlite:   %q\n  postgres: %q", lite, pg)
	}
	name := regexp.MustCompile(`^[0-9]{4}_[a-z0-9_]+\.sql$`)
	for i, n := range lite {
		if !name.MatchString(n) {
			t.Errorf("migration %q: want NNNN_lower_case_name.sql", n)
		}
		if want := fmt.Sprintf("%04d_", i+1); n[:5] != want {
			t.Errorf("migration %q is number %d in order: want it to start with %q", n, i+1, want)
		}
	}
}
