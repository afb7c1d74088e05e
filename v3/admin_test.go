package v3_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

func TestHooksAdmin(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.do("GET", "/hooks/admin", nil).wantBody(t, http.StatusOK, `{"data":{"emails":[],"hooks_list":[],"blocked_domains":[]},"meta":{}}`)

		ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/a"})
		ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/b", "is_active": false})
		ts.mustCreateHook(t, ts.token2, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/c"})

		res := ts.do("PUT", "/hooks/admin", map[string]any{"emails": []string{"ops@example.com", "dev@example.org"}})
		res.want(t, http.StatusNoContent)
		if len(res.Body) != 0 {
			t.Fatalf("204 with a body: %s", res.Body)
		}
		h1 := hookBody(1, ts.clientID, "store/customer/created", "http://localhost:9/a", true, "null", start, start)
		h2 := hookBody(2, ts.clientID, "store/customer/updated", "http://localhost:9/b", false, "null", start, start)
		withStatus := func(h, status string) string { return h[:len(h)-1] + `,"status":"` + status + `"}` }
		ts.do("GET", "/hooks/admin", nil).wantBody(t, http.StatusOK, `{"data":{"emails":["ops@example.com","dev@example.org"],"hooks_list":[`+
			withStatus(h1, "active")+`,`+withStatus(h2, "inactive")+`],"blocked_domains":[]},"meta":{}}`)
		ts.do("GET", "/hooks/admin?is_active=false", nil).wantBody(t, http.StatusOK, `{"data":{"emails":["ops@example.com","dev@example.org"],"hooks_list":[`+
			withStatus(h2, "inactive")+`],"blocked_domains":[]},"meta":{}}`)

		// The emails and hooks are the account's.
		var other struct {
			Data struct {
				Emails    []string `json:"emails"`
				HooksList []struct {
					ID int64 `json:"id"`
				} `json:"hooks_list"`
			} `json:"data"`
		}
		ts.doAs(ts.token2, "GET", "/stores/store1/v3/hooks/admin", nil).want(t, http.StatusOK).decode(t, &other)
		if len(other.Data.Emails) != 0 || len(other.Data.HooksList) != 1 || other.Data.HooksList[0].ID != 3 {
			t.Fatalf("other account's admin: %+v", other.Data)
		}

		bad := []struct {
			name  string
			body  any
			field string
			title string
		}{
			{"NoEmails", map[string]any{}, "emails", "The required field 'emails' was not supplied."},
			{"Null", map[string]any{"emails": nil}, "emails", "The field 'emails' must be an array of email addresses."},
			{"NotArray", map[string]any{"emails": "a@example.com"}, "emails", "The field 'emails' must be an array of email addresses."},
			{"BadEmail", map[string]any{"emails": []string{"a@example.com", "not an email"}}, "emails", `The email "not an email" is not a valid email address.`},
			{"DisplayName", map[string]any{"emails": []string{"Ops <ops@example.com>"}}, "emails", `The email "Ops <ops@example.com>" is not a valid email address.`},
			{"Unknown", map[string]any{"emails": []string{}, "hooks": []int{1}}, "hooks", "The field 'hooks' is not supported by this resource."},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				ts.do("PUT", "/hooks/admin", tt.body).wantError(t, http.StatusUnprocessableEntity, tt.title, `{"`+tt.field+`":`+quote(tt.title)+`}`)
			})
		}
		ts.do("GET", "/hooks/admin?active=1", nil).wantError(t, http.StatusUnprocessableEntity, "The query parameter 'active' is not supported by this resource.",
			`{"active":"The query parameter 'active' is not supported by this resource."}`)
		// The refused PUTs kept the emails; an empty list clears them.
		ts.do("PUT", "/hooks/admin", map[string]any{"emails": []string{}}).want(t, http.StatusNoContent)
		ts.do("GET", "/hooks/admin?is_active=true", nil).wantBody(t, http.StatusOK, `{"data":{"emails":[],"hooks_list":[`+
			withStatus(h1, "active")+`],"blocked_domains":[]},"meta":{}}`)
	})
}

// TestHooksAdmin_Status tells a hook deactivated by failed deliveries from
// one its app switched off, and a deactivated hook switched back on and off
// by its app is inactive.
func TestHooksAdmin_Status(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/a"})
		ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/b"})
		ts.doAs(ts.token, "POST", "/stores/store1/v2/customers", map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"}).want(t, http.StatusCreated)

		queue := sqlstore.NewWebhookQueue(ts.db)
		claimed, err := queue.ClaimDeliveries(ctx, ts.clock.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: %d, %v", len(claimed), err)
		}
		for _, d := range claimed {
			if d.Hook.ID != 1 {
				continue
			}
			// The schedule ran out: no next attempt.
			if err := queue.CompleteAttempt(ctx, d, &customersd.DeliveryAttempt{DeliveryID: d.ID, Number: 12, At: ts.clock.Now(), StatusCode: 503}, false); err != nil {
				t.Fatal(err)
			}
		}
		ts.do("PUT", "/hooks/2", map[string]any{"is_active": false}).want(t, http.StatusOK)
		wantStatuses(t, ts, "deactivated", "inactive")

		ts.clock.Advance(time.Hour)
		ts.do("PUT", "/hooks/1", map[string]any{"is_active": true}).want(t, http.StatusOK)
		wantStatuses(t, ts, "active", "inactive")
		ts.do("PUT", "/hooks/1", map[string]any{"is_active": false}).want(t, http.StatusOK)
		wantStatuses(t, ts, "inactive", "inactive")
	})
}

func wantStatuses(tb testing.TB, ts *testServer, want ...string) {
	tb.Helper()
	var out struct {
		Data struct {
			HooksList []struct {
				Status string `json:"status"`
			} `json:"hooks_list"`
		} `json:"data"`
	}
	ts.do("GET", "/hooks/admin", nil).want(tb, http.StatusOK).decode(tb, &out)
	var got []string
	for _, h := range out.Data.HooksList {
		got = append(got, h.Status)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		tb.Fatalf("statuses=%v, want %v", got, want)
	}
}
