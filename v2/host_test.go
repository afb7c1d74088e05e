package v2_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestHostInLinks: the addresses link of a customer is built from a
// well-formed Host; a hostile one (quotes, commas, escapes, nothing) never
// reaches the body, which falls back to the address the connection came in
// on; X-Forwarded-Proto is only ever http or https.
func TestHostInLinks(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	ts.do("POST", "/customers", map[string]any{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}).want(t, http.StatusCreated)
	listen := "http://" + ts.Listener.Addr().String() + "/stores/store1/v2/customers/1/addresses"
	withHost := func(h string) reqOption { return func(r *http.Request) { r.Host = h } }
	tests := []struct {
		host, proto, want string
	}{
		{"api.example.com", "https", "https://api.example.com/stores/store1/v2/customers/1/addresses"},
		{"api.example.com:8443", "", "http://api.example.com:8443/stores/store1/v2/customers/1/addresses"},
		{"[::1]:8080", "", "http://[::1]:8080/stores/store1/v2/customers/1/addresses"},
		{"evil.com'onload=alert(1)", "", listen},
		{"evil.com,x", "", listen},
		{"evil.com%2f@x", "", listen},
		{"evil.com:99999", "", listen},
		{"api.example.com", "javascript", "http://api.example.com/stores/store1/v2/customers/1/addresses"},
	}
	for _, tt := range tests {
		var c struct {
			Addresses struct{ URL string } `json:"addresses"`
		}
		ts.do("GET", "/customers/1", nil, withHost(tt.host), withHeader("X-Forwarded-Proto", tt.proto)).want(t, http.StatusOK).decode(t, &c)
		if c.Addresses.URL != tt.want {
			t.Errorf("Host %q, X-Forwarded-Proto %q: url %q, want %q", tt.host, tt.proto, c.Addresses.URL, tt.want)
		}
		if strings.ContainsAny(c.Addresses.URL, "',%@") {
			t.Errorf("Host %q reached the body: %q", tt.host, c.Addresses.URL)
		}
	}
}
