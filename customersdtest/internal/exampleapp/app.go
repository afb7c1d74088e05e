// Package exampleapp is the kind of code customersdtest is for: an app's
// own small client of BigCommerce's Customers V2 API, which its tests point
// at customersd instead of a real store.
package exampleapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Client calls one store's Customers V2 API.
type Client struct {
	BaseURL   string // https://api.bigcommerce.com in production
	StoreHash string
	ClientID  string
	Token     string
	HTTP      *http.Client
}

// Customer is the part of a V2 customer the app uses.
type Customer struct {
	ID        int    `json:"id,omitempty"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// CreateCustomer adds c and returns it with its ID.
func (c *Client) CreateCustomer(ctx context.Context, in Customer) (*Customer, error) {
	var out Customer
	if err := c.do(ctx, http.MethodPost, "/customers", in, http.StatusCreated, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CountCustomers returns how many customers the store has.
func (c *Client) CountCustomers(ctx context.Context) (int, error) {
	var out struct{ Count int }
	err := c.do(ctx, http.MethodGet, "/customers/count", nil, http.StatusOK, &out)
	return out.Count, err
}

func (c *Client) do(ctx context.Context, method, path string, in any, want int, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+"/stores/"+c.StoreHash+"/v2"+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Client", c.ClientID)
	req.Header.Set("X-Auth-Token", c.Token)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}
