package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// QuotaCommand shows or sets a store's own request quota:
//
//	customersd stores quota --hash H                          show it
//	customersd stores quota --hash H --requests N [--window 30s]  set it
//	customersd stores quota --hash H --clear                  back to the plan's
//
// Running servers read the quota at each request's authentication, so a
// change applies at once; the count of the current window carries over when
// the window length stays the same.
type QuotaCommand struct {
	*Main
}

// Run implements "customersd stores quota".
func (c *QuotaCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.Main, "stores quota")
	var (
		dsn, hash string
		requests  int
		window    time.Duration
		clear     bool
	)
	c.databaseFlag(fs, &dsn)
	fs.StringVar(&hash, "hash", "", "store hash (required)")
	fs.IntVar(&requests, "requests", 0, "requests allowed per window")
	fs.DurationVar(&window, "window", 30*time.Second, "length of the window, in whole milliseconds")
	fs.BoolVar(&clear, "clear", false, "remove the store's own quota: its plan's default applies")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := requests != 0
	switch {
	case hash == "":
		return errors.New("stores quota: --hash is required")
	case set && clear:
		return errors.New("stores quota: --requests and --clear exclude each other")
	}
	var q *customersd.Quota
	if set {
		q = &customersd.Quota{Requests: requests, Window: window}
		if err := q.Validate(); err != nil {
			return fmt.Errorf("stores quota: want 1 to %d requests per 1ms to %v, in whole milliseconds",
				customersd.MaxRateLimitRequests, customersd.MaxRateLimitWindow)
		}
	}

	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	st, err := tenants.FindStoreByHash(ctx, hash)
	if err != nil {
		return fmt.Errorf("stores quota: %w", err)
	}
	if set || clear {
		if err := tenants.SetStoreRateLimit(ctx, st.ID, q); err != nil {
			return fmt.Errorf("stores quota: %w", err)
		}
		st.RateLimit = q
	}
	fmt.Fprintf(c.Stdout, "%s\t%s\n", st.Hash, describeQuota(st))
	return nil
}

// describeQuota says which quota applies to a store.
func describeQuota(st *customersd.Store) string {
	if st.RateLimit != nil {
		return st.RateLimit.String()
	}
	return "plan default (" + st.Plan + ")"
}
