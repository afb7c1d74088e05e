package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// TokensCommand manages API accounts: customersd tokens create|list|revoke.
// list and revoke have files and command types of their own.
type TokensCommand struct {
	*Main
}

// Run implements "customersd tokens".
func (c *TokensCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return (&TokensListCommand{Main: c.Main}).Run(ctx, args[1:])
		case "revoke":
			return (&TokensRevokeCommand{Main: c.Main}).Run(ctx, args[1:])
		}
	}
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("tokens: want a subcommand: create, list or revoke")
	}
	fs := newFlagSet(c.Main, "tokens create")
	var dsn, hash string
	var scopes scopesFlag
	var in customersd.APIAccountInput
	c.databaseFlag(fs, &dsn)
	fs.StringVar(&hash, "store", "", "store hash (required)")
	fs.Var(&scopes, "scope", "scope, repeated for several: store_v2_customers (the default), store_v2_customers_read_only or store_v2_customers_login")
	fs.StringVar(&in.ClientID, "client-id", "", "client id (random when empty): "+customersd.ClientIDRule)
	fs.StringVar(&in.ClientSecret, "client-secret", "", "client secret (random when empty): "+customersd.ClientSecretRule)
	fs.StringVar(&in.AccessToken, "token", "", "access token (random when empty): "+customersd.AccessTokenRule)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if hash == "" {
		return fmt.Errorf("tokens create: --store is required")
	}
	if err := checkCredentials(in, credentialSettings{"--client-id", "--client-secret", "--token"}); err != nil {
		return fmt.Errorf("tokens create: %w", err)
	}
	in.Scopes = scopes.orDefault()
	generatedSecret, generatedToken := in.ClientSecret == "", in.AccessToken == ""
	in.Complete()

	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	st, err := tenants.FindStoreByHash(ctx, hash)
	if err != nil {
		return err
	}
	a, err := tenants.CreateAPIAccountFrom(ctx, st.ID, &in)
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	// The lines of old stay as they were, for scripts that read them; a
	// value the caller gave is not printed back.
	fmt.Fprintf(c.Stdout, "client_id:    %s\nscope:        %s\n", a.ClientID, joinScopes(a.Scopes))
	if generatedSecret {
		fmt.Fprintf(c.Stdout, "client_secret: %s\n", a.ClientSecret)
	}
	if generatedToken {
		fmt.Fprintf(c.Stdout, "access_token: %s\n", in.AccessToken)
	}
	if generatedSecret || generatedToken {
		fmt.Fprintln(c.Stdout, "(shown only now: the token is stored as a hash, and the secret is never shown again)")
	}
	return nil
}

// scopesFlag collects --scope, which may be repeated.
type scopesFlag []customersd.Scope

func (f *scopesFlag) String() string { return joinScopes(*f) }

// Set adds a scope, refusing one customersd does not know.
func (f *scopesFlag) Set(s string) error {
	sc := customersd.Scope(s)
	if !sc.Valid() {
		return errors.New(customersd.UnknownScope(sc))
	}
	*f = append(*f, sc)
	return nil
}

// orDefault returns the scopes given, or full access when none was.
func (f scopesFlag) orDefault() []customersd.Scope {
	if len(f) == 0 {
		return []customersd.Scope{customersd.ScopeCustomers}
	}
	return f
}

func joinScopes(scopes []customersd.Scope) string {
	names := make([]string, len(scopes))
	for i, sc := range scopes {
		names[i] = string(sc)
	}
	return strings.Join(names, " ")
}

// credentialSettings name the flags or variables that gave an account's
// credentials, so a refusal names what the user typed.
type credentialSettings struct {
	clientID, clientSecret, accessToken string
}

// checkCredentials checks the credentials that are set against their
// rules, before anything is opened. The values are never echoed: two are
// secrets.
func checkCredentials(in customersd.APIAccountInput, names credentialSettings) error {
	switch {
	case in.ClientID != "" && !customersd.ValidClientID(in.ClientID):
		return fmt.Errorf("%s: %s", names.clientID, customersd.ClientIDRule)
	case in.ClientSecret != "" && !customersd.ValidClientSecret(in.ClientSecret):
		return fmt.Errorf("%s: %s", names.clientSecret, customersd.ClientSecretRule)
	case in.AccessToken != "" && !customersd.ValidAccessToken(in.AccessToken):
		return fmt.Errorf("%s: %s", names.accessToken, customersd.AccessTokenRule)
	}
	return nil
}
