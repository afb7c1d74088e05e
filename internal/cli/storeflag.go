package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// storeCommand is what the store and token subcommands share: --database,
// and the store named by --store or by the one positional argument.
type storeCommand struct {
	name       string
	dsn        string
	hash       string
	positional string
}

func (sc *storeCommand) flags(m *Main, fs *flag.FlagSet) {
	m.databaseFlag(fs, &sc.dsn)
	fs.StringVar(&sc.hash, "store", "", "store hash (or give it as the argument)")
}

// parse parses args. The store may come first, as in "stores delete HASH
// --database X": the flag package stops at the first argument that is not
// a flag, so a leading one is taken out before parsing.
func (sc *storeCommand) parse(fs *flag.FlagSet, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sc.positional, args = args[0], args[1:]
	}
	return fs.Parse(args)
}

// storeHash returns the store named on the command line, after parse.
func (sc *storeCommand) storeHash(fs *flag.FlagSet) (string, error) {
	args := fs.Args()
	if sc.positional != "" {
		args = append([]string{sc.positional}, args...)
	}
	switch {
	case len(args) > 1:
		return "", fmt.Errorf("%s: unexpected arguments %q", sc.name, args[1:])
	case sc.hash != "" && len(args) == 0:
		return sc.hash, nil
	case sc.hash == "" && len(args) == 1:
		return args[0], nil
	}
	return "", fmt.Errorf("%s: name one store: --store HASH, or HASH as the argument", sc.name)
}

// open opens the database and finds the named store. The caller closes db.
func (sc *storeCommand) open(ctx context.Context, fs *flag.FlagSet) (*sqlstore.DB, *customersd.Store, error) {
	hash, err := sc.storeHash(fs)
	if err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, sc.dsn)
	if err != nil {
		return nil, nil, err
	}
	st, err := sqlstore.NewTenantService(db).FindStoreByHash(ctx, hash)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("%s: %w", sc.name, err)
	}
	return db, st, nil
}

// runOnStore is the whole of a subcommand that acts on one store: it parses
// args (after addFlags, when set, registers the command's own flags), opens
// the database, finds the store and calls fn with the tenant service.
func (m *Main) runOnStore(ctx context.Context, name string, args []string, addFlags func(*flag.FlagSet),
	fn func(tenants *sqlstore.TenantService, st *customersd.Store) error) error {
	sc := &storeCommand{name: name}
	fs := newFlagSet(m, name)
	sc.flags(m, fs)
	if addFlags != nil {
		addFlags(fs)
	}
	if err := sc.parse(fs, args); err != nil {
		return err
	}
	db, st, err := sc.open(ctx, fs)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := fn(sqlstore.NewTenantService(db), st); err != nil {
		return fmt.Errorf("%s %s: %w", name, st.Hash, err)
	}
	return nil
}
