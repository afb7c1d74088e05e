package customersdtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/customersd/customersd/customersdtest"
)

// call sends a request as an app does, with X-Auth-Client and X-Auth-Token,
// and returns the status and body.
func call(t *testing.T, client *http.Client, method, url, clientID, token, body string) (int, string) {
	t.Helper()
	var rdr io.Reader
	if body != "" {
		rdr = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rdr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Auth-Client", clientID)
	req.Header.Set("X-Auth-Token", token)
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func mustCall(t *testing.T, want int, client *http.Client, method, url, clientID, token, body string) string {
	t.Helper()
	status, b := call(t, client, method, url, clientID, token, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, url, status, want, b)
	}
	return b
}

const jane = `{"first_name":"Jane","last_name":"Doe","email":"jane@example.com"}`

func TestNew(t *testing.T) {
	srv := customersdtest.New(t)
	if srv.StoreHash == "" || srv.ClientID == "" || srv.ClientSecret == "" || srv.Token == "" || srv.ReadOnlyToken == "" {
		t.Fatalf("credentials missing: %+v", srv)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || srv.TLSURL != "" {
		t.Fatalf("URL %q, TLSURL %q: want http://127.0.0.1:PORT and no HTTPS", srv.URL, srv.TLSURL)
	}
	c := srv.Client()
	customers := srv.URL + "/stores/" + srv.StoreHash + "/v2/customers"
	mustCall(t, http.StatusNoContent, c, "GET", customers, srv.ClientID, srv.Token, "")
	var created struct {
		ID    int    `json:"id"`
		Email string `json:"email"`
	}
	if err := json.Unmarshal([]byte(mustCall(t, http.StatusCreated, c, "POST", customers, srv.ClientID, srv.Token, jane)), &created); err != nil {
		t.Fatal(err)
	}
	if created.ID != 1 || created.Email != "jane@example.com" {
		t.Fatalf("created %+v, want id 1", created)
	}

	t.Run("ReadOnlyToken", func(t *testing.T) {
		mustCall(t, http.StatusOK, c, "GET", customers+"/1", srv.ReadOnlyClientID, srv.ReadOnlyToken, "")
		mustCall(t, http.StatusForbidden, c, "POST", customers, srv.ReadOnlyClientID, srv.ReadOnlyToken, `{"first_name":"J","last_name":"D","email":"j@example.com"}`)
		mustCall(t, http.StatusForbidden, c, "DELETE", customers+"/1", srv.ReadOnlyClientID, srv.ReadOnlyToken, "")
	})
	t.Run("WrongToken", func(t *testing.T) {
		mustCall(t, http.StatusUnauthorized, c, "GET", customers, srv.ClientID, "not-the-token-0123456789", "")
	})
	t.Run("Probes", func(t *testing.T) {
		mustCall(t, http.StatusOK, c, "GET", srv.URL+"/readyz", "", "", "")
	})
}

// TestReset gives each subtest an empty store whose IDs start at 1.
func TestReset(t *testing.T) {
	srv := customersdtest.New(t, customersdtest.WithStoreHash("resetme"))
	if srv.StoreHash != "resetme" {
		t.Fatalf("StoreHash %q, want resetme", srv.StoreHash)
	}
	customers := srv.URL + "/stores/resetme/v2/customers"
	for _, name := range []string{"First", "Second"} {
		t.Run(name, func(t *testing.T) {
			srv.Reset(t)
			mustCall(t, http.StatusNoContent, srv.Client(), "GET", customers, srv.ClientID, srv.Token, "")
			b := mustCall(t, http.StatusCreated, srv.Client(), "POST", customers, srv.ClientID, srv.Token, jane)
			if !strings.HasPrefix(b, `{"id":1,`) {
				t.Fatalf("after Reset, the first customer is not id 1: %s", b)
			}
		})
	}
	// The accounts survive a reset.
	srv.Reset(t)
	mustCall(t, http.StatusNoContent, srv.Client(), "GET", customers, srv.ReadOnlyClientID, srv.ReadOnlyToken, "")
}

// TestWithTLS reaches the server over HTTPS with a client that trusts only
// the test's CA, and gets https links back.
func TestWithTLS(t *testing.T) {
	srv := customersdtest.New(t, customersdtest.WithTLS())
	if !strings.HasPrefix(srv.TLSURL, "https://localhost:") || srv.CAFile == "" {
		t.Fatalf("TLSURL %q, CAFile %q", srv.TLSURL, srv.CAFile)
	}
	customers := srv.TLSURL + "/stores/" + srv.StoreHash + "/v2/customers"
	b := mustCall(t, http.StatusCreated, srv.Client(), "POST", customers, srv.ClientID, srv.Token, jane)
	if !strings.Contains(b, `"url":"https:\/\/localhost:`) {
		t.Fatalf("want an https addresses link: %s", b)
	}
	// The plain client of the process does not trust the CA.
	if _, err := http.Get(srv.TLSURL + "/healthz"); err == nil {
		t.Fatal("a client without the CA connected")
	}
}

// TestWithFlags passes a serve flag through.
func TestWithFlags(t *testing.T) {
	srv := customersdtest.New(t, customersdtest.WithFlags("--default-format", "json"), customersdtest.WithAdminToken("admin-secret-token-0123"))
	req, _ := http.NewRequest("GET", srv.URL+"/stores/"+srv.StoreHash+"/v2/customers/count", nil)
	req.Header.Set("X-Auth-Client", srv.ClientID)
	req.Header.Set("X-Auth-Token", srv.Token)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d, Content-Type %q; want 200 JSON with --default-format json", res.StatusCode, ct)
	}

	req, _ = http.NewRequest("GET", srv.URL+"/admin/v1/stores/"+srv.StoreHash, nil)
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
	res, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("admin API: status %d, want 200", res.StatusCode)
	}
}

// TestWithDatabase runs on PostgreSQL; two servers share the database,
// each with its own store.
func TestWithDatabase(t *testing.T) {
	dsn := os.Getenv("CUSTOMERSD_TEST_POSTGRES_URL")
	if dsn == "" {
		t.Skip("set CUSTOMERSD_TEST_POSTGRES_URL to run against PostgreSQL")
	}
	a := customersdtest.New(t, customersdtest.WithDatabase(dsn))
	b := customersdtest.New(t, customersdtest.WithDatabase(dsn))
	if a.StoreHash == b.StoreHash {
		t.Fatalf("two servers got the same store %s", a.StoreHash)
	}
	mustCall(t, http.StatusCreated, a.Client(), "POST", a.URL+"/stores/"+a.StoreHash+"/v2/customers", a.ClientID, a.Token, jane)
	mustCall(t, http.StatusNoContent, b.Client(), "GET", b.URL+"/stores/"+b.StoreHash+"/v2/customers", b.ClientID, b.Token, "")
	a.Reset(t)
	mustCall(t, http.StatusNoContent, a.Client(), "GET", a.URL+"/stores/"+a.StoreHash+"/v2/customers", a.ClientID, a.Token, "")
}
