package exampleapp_test

import (
	"context"
	"testing"

	"github.com/customersd/customersd/customersdtest"
	"github.com/customersd/customersd/customersdtest/internal/exampleapp"
)

// TestClient is how an app's suite uses customersdtest: one server for the
// test, a reset store per subtest, the app's client pointed at it over
// HTTPS as in production.
func TestClient(t *testing.T) {
	srv := customersdtest.New(t, customersdtest.WithTLS())
	app := &exampleapp.Client{BaseURL: srv.TLSURL, StoreHash: srv.StoreHash, ClientID: srv.ClientID, Token: srv.Token, HTTP: srv.Client()}
	ctx := context.Background()

	t.Run("CreateCustomer", func(t *testing.T) {
		srv.Reset(t)
		c, err := app.CreateCustomer(ctx, exampleapp.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != 1 {
			t.Fatalf("ID=%d, want 1", c.ID)
		}
		if n, err := app.CountCustomers(ctx); err != nil || n != 1 {
			t.Fatalf("count %d, %v; want 1", n, err)
		}
	})
	t.Run("EmailTaken", func(t *testing.T) {
		srv.Reset(t)
		jane := exampleapp.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"}
		if _, err := app.CreateCustomer(ctx, jane); err != nil {
			t.Fatal(err)
		}
		if _, err := app.CreateCustomer(ctx, jane); err == nil {
			t.Fatal("a second customer with the same email was created")
		}
		if n, err := app.CountCustomers(ctx); err != nil || n != 1 {
			t.Fatalf("count %d, %v; want 1", n, err)
		}
	})
	t.Run("ReadOnly", func(t *testing.T) {
		ro := *app
		ro.ClientID, ro.Token = srv.ReadOnlyClientID, srv.ReadOnlyToken
		if _, err := ro.CreateCustomer(ctx, exampleapp.Customer{FirstName: "J", LastName: "D", Email: "j@example.com"}); err == nil {
			t.Fatal("a read-only token created a customer")
		}
	})
}
