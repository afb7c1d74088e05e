package sqlstore_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"golang.org/x/crypto/bcrypt"
)

func newAddressInput() *customersd.AddressInput {
	return &customersd.AddressInput{
		FirstName: ptr("Ann"), LastName: ptr("Lee"), Street1: ptr("2 High St"), City: ptr("Auckland"),
		State: ptr("Auckland"), Zip: ptr("1010"), Country: ptr("New Zealand"), Phone: ptr("555-0199"),
	}
}

// outboxFixture is a store with an account and the services that write.
type outboxFixture struct {
	db        *sqlstore.DB
	customers *sqlstore.CustomerService
	addresses *sqlstore.AddressService
	store     customersd.StoreID
	client    string
}

func newOutboxFixture(tb testing.TB, db *sqlstore.DB, hash string) *outboxFixture {
	store := mustCreateStore(tb, db, hash)
	return &outboxFixture{db: db, customers: sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost}),
		addresses: sqlstore.NewAddressService(db), store: store, client: mustCreateAccount(tb, db, store)}
}

// wantPayload is the body WEBHOOKS.md specifies, with its hash computed here.
func wantPayload(hash string, store customersd.StoreID, at time.Time, scope, data string) string {
	rest := fmt.Sprintf(`"created_at":%d,"store_id":"%d","scope":"%s","data":%s}`, at.Unix(), store, scope, data)
	sum := sha1.Sum([]byte(`{"producer":"stores/` + hash + `",` + rest))
	return `{"producer":"stores/` + hash + `","hash":"` + hex.EncodeToString(sum[:]) + `",` + rest
}

func customerData(id int64) string {
	return fmt.Sprintf(`{"type":"customer","id":%d,"origin_channel_id":1,"channel_ids":[1]}`, id)
}

func addressData(id, customerID int64) string {
	return fmt.Sprintf(`{"type":"customer","id":%d,"address":{"customer_id":%d}}`, id, customerID)
}

// TestOutbox_EventTypes: each of the six writes stores its event with the
// exact payload bytes, queued for the hook of store/customer/*.
func TestOutbox_EventTypes(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := newOutboxFixture(t, db, "abc123")
		h := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerAll, "http://x/all")

		type want struct{ scope, data string }
		var wants []want
		step := func(what string, err error, ws ...want) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			wants = append(wants, ws...)
			now = now.Add(time.Second)
		}
		c, err := f.customers.CreateCustomer(ctx, f.store, newInput("jane@example.com"))
		step("create customer", err, want{customersd.HookCustomerCreated, customerData(1)})
		_, err = f.customers.UpdateCustomer(ctx, f.store, c.ID, &customersd.CustomerInput{Phone: ptr("555")})
		step("update customer", err, want{customersd.HookCustomerUpdated, customerData(1)})
		a, err := f.addresses.CreateAddress(ctx, f.store, c.ID, newAddressInput())
		step("create address", err, want{customersd.HookAddressCreated, addressData(1, 1)})
		_, err = f.addresses.UpdateAddress(ctx, f.store, c.ID, a.ID, &customersd.AddressInput{City: ptr("Wellington")})
		step("update address", err, want{customersd.HookAddressUpdated, addressData(1, 1)})
		err = f.addresses.DeleteAddress(ctx, f.store, c.ID, a.ID)
		step("delete address", err, want{customersd.HookAddressDeleted, addressData(1, 1)})
		_, err = f.addresses.CreateAddress(ctx, f.store, c.ID, newAddressInput())
		step("create address 2", err, want{customersd.HookAddressCreated, addressData(2, 1)})
		_, err = f.addresses.CreateAddress(ctx, f.store, c.ID, newAddressInput())
		step("create address 3", err, want{customersd.HookAddressCreated, addressData(3, 1)})
		err = f.customers.DeleteCustomer(ctx, f.store, c.ID)
		step("delete customer", err,
			want{customersd.HookAddressDeleted, addressData(2, 1)},
			want{customersd.HookAddressDeleted, addressData(3, 1)},
			want{customersd.HookCustomerDeleted, customerData(1)})

		got := sqlstore.OutboxOf(t, db, f.store)
		if len(got) != len(wants) {
			t.Fatalf("%d events, want %d", len(got), len(wants))
		}
		for i, w := range wants {
			e := got[i]
			// One write a second; the three events of the customer's delete share its time.
			at := time.Date(2024, 5, 6, 7, 34, 10+min(i, 7), 0, time.UTC)
			if p := wantPayload("abc123", f.store, at, w.scope, w.data); string(e.Payload) != p {
				t.Errorf("event %d payload\n got %s\nwant %s", i, e.Payload, p)
			}
			if e.Scope != w.scope || !strings.Contains(string(e.Payload), `"hash":"`+e.Hash+`"`) || len(e.Hash) != 40 {
				t.Errorf("event %d: scope %q hash %q", i, e.Scope, e.Hash)
			}
			if !slices.Equal(e.Hooks, []int64{h.ID}) {
				t.Errorf("event %d queued for hooks %v, want [%d]", i, e.Hooks, h.ID)
			}
		}
	})
}

// TestOutbox_Matching: exact scopes and both wildcards receive what they
// cover; inactive hooks and other stores' hooks get nothing; a store with
// no matching hook stores no event.
func TestOutbox_Matching(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newOutboxFixture(t, db, "a")
		other := newOutboxFixture(t, db, "b")
		all := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerAll, "http://x/all")
		addrAll := mustCreateHook(t, db, f.store, f.client, customersd.HookAddressAll, "http://x/addr")
		created := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/created")
		addrCreated := mustCreateHook(t, db, f.store, mustCreateAccount(t, db, f.store), customersd.HookAddressCreated, "http://x/ac")
		off := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerUpdated, "http://x/off")
		if _, err := sqlstore.NewHookService(db).UpdateHook(ctx, f.store, f.client, off.ID, &customersd.HookInput{IsActive: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		mustCreateHook(t, db, other.store, other.client, customersd.HookCustomerAll, "http://x/other")

		c, err := f.customers.CreateCustomer(ctx, f.store, newInput("a@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.customers.UpdateCustomer(ctx, f.store, c.ID, &customersd.CustomerInput{Phone: ptr("1")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.addresses.CreateAddress(ctx, f.store, c.ID, newAddressInput()); err != nil {
			t.Fatal(err)
		}
		got := sqlstore.OutboxOf(t, db, f.store)
		wants := []struct {
			scope string
			hooks []int64
		}{
			{customersd.HookCustomerCreated, []int64{all.ID, created.ID}},
			{customersd.HookCustomerUpdated, []int64{all.ID}},
			{customersd.HookAddressCreated, []int64{all.ID, addrAll.ID, addrCreated.ID}},
		}
		if len(got) != len(wants) {
			t.Fatalf("%d events, want %d", len(got), len(wants))
		}
		for i, w := range wants {
			if got[i].Scope != w.scope || !slices.Equal(got[i].Hooks, w.hooks) {
				t.Errorf("event %d: %s for hooks %v, want %s for %v", i, got[i].Scope, got[i].Hooks, w.scope, w.hooks)
			}
		}
		if evs := sqlstore.OutboxOf(t, db, other.store); len(evs) != 0 {
			t.Errorf("other store has %d events, want none", len(evs))
		}

		// Only an inactive hook matches: no event is stored.
		lone := newOutboxFixture(t, db, "c")
		h := mustCreateHook(t, db, lone.store, lone.client, customersd.HookCustomerAll, "http://x/lone")
		if _, err := sqlstore.NewHookService(db).UpdateHook(ctx, lone.store, lone.client, h.ID, &customersd.HookInput{IsActive: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := lone.customers.CreateCustomer(ctx, lone.store, newInput("l@example.com")); err != nil {
			t.Fatal(err)
		}
		if evs := sqlstore.OutboxOf(t, db, lone.store); len(evs) != 0 {
			t.Errorf("store with an inactive hook has %d events, want none", len(evs))
		}
	})
}

// TestOutbox_FailedWrite: a write that fails emits nothing.
func TestOutbox_FailedWrite(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newOutboxFixture(t, db, "a")
		mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerAll, "http://x/all")
		if _, err := f.customers.CreateCustomer(ctx, f.store, newInput("a@example.com")); err != nil {
			t.Fatal(err)
		}
		before := len(sqlstore.OutboxOf(t, db, f.store))
		fails := map[string]error{}
		_, fails["duplicate email"] = f.customers.CreateCustomer(ctx, f.store, newInput("A@example.com"))
		_, fails["update of a missing customer"] = f.customers.UpdateCustomer(ctx, f.store, 99, &customersd.CustomerInput{Phone: ptr("1")})
		fails["delete of a missing customer"] = f.customers.DeleteCustomer(ctx, f.store, 99)
		_, fails["address of a missing customer"] = f.addresses.CreateAddress(ctx, f.store, 99, newAddressInput())
		_, fails["update of a missing address"] = f.addresses.UpdateAddress(ctx, f.store, 1, 99, &customersd.AddressInput{City: ptr("X")})
		fails["delete of a missing address"] = f.addresses.DeleteAddress(ctx, f.store, 1, 99)
		fails["addresses of a missing customer"] = f.addresses.DeleteAddresses(ctx, f.store, 99)
		for what, err := range fails {
			if err == nil {
				t.Errorf("%s succeeded", what)
			}
		}
		if n := len(sqlstore.OutboxOf(t, db, f.store)); n != before {
			t.Errorf("%d events after failed writes, want %d", n, before)
		}
	})
}

// TestOutbox_BulkDeletes: DeleteCustomers, chunk by chunk, and
// DeleteAddresses emit an event per row deleted, each customer's addresses
// before it.
func TestOutbox_BulkDeletes(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newOutboxFixture(t, db, "a")
		for i := 1; i <= 5; i++ {
			c, err := f.customers.CreateCustomer(ctx, f.store, newInput(fmt.Sprintf("c%d@example.com", i)))
			if err != nil {
				t.Fatal(err)
			}
			for range i % 3 { // customers 1, 2, 4, 5 have 1 or 2 addresses
				if _, err := f.addresses.CreateAddress(ctx, f.store, c.ID, newAddressInput()); err != nil {
					t.Fatal(err)
				}
			}
		}
		mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerAll, "http://x/all")
		if err := f.addresses.DeleteAddresses(ctx, f.store, 2); err != nil {
			t.Fatal(err)
		}
		var chunks int
		sqlstore.SetDeleteChunk(db, 2, func() { chunks++ })
		if err := f.customers.DeleteCustomers(ctx, f.store, customersd.CustomerFilter{}); err != nil {
			t.Fatal(err)
		}
		if chunks != 3 {
			t.Errorf("%d chunks, want 3", chunks)
		}
		var got []string
		for _, e := range sqlstore.OutboxOf(t, db, f.store) {
			got = append(got, e.Scope[len("store/customer/"):]+" "+string(e.Payload[strings.Index(string(e.Payload), `"data":`)+7:]))
		}
		want := []string{
			`address/deleted ` + addressData(2, 2) + `}`,
			`address/deleted ` + addressData(3, 2) + `}`,
			`address/deleted ` + addressData(1, 1) + `}`,
			`deleted ` + customerData(1) + `}`,
			`deleted ` + customerData(2) + `}`,
			`deleted ` + customerData(3) + `}`,
			`address/deleted ` + addressData(4, 4) + `}`,
			`deleted ` + customerData(4) + `}`,
			`address/deleted ` + addressData(5, 5) + `}`,
			`address/deleted ` + addressData(6, 5) + `}`,
			`deleted ` + customerData(5) + `}`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestOutbox_Wake: a commit that queued deliveries runs the OnDeliveries
// functions; one that queued none does not.
func TestOutbox_Wake(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newOutboxFixture(t, db, "a")
		woke := make(chan struct{}, 10)
		db.OnDeliveries(func() { woke <- struct{}{} })
		if _, err := f.customers.CreateCustomer(ctx, f.store, newInput("a@example.com")); err != nil {
			t.Fatal(err)
		}
		if len(woke) != 0 {
			t.Fatalf("woken by a write without hooks")
		}
		mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerCreated, "http://x/")
		if _, err := f.customers.CreateCustomer(ctx, f.store, newInput("b@example.com")); err != nil {
			t.Fatal(err)
		}
		if len(woke) != 1 {
			t.Fatalf("woken %d times by a write with a hook, want 1", len(woke))
		}
	})
}

// TestOutbox_TenantLifecycle: reset keeps hooks and drops the store's
// events and deliveries, emitting none; revoking an account deletes its
// hooks and their deliveries; deleting a store deletes all of it.
func TestOutbox_TenantLifecycle(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		tenants := sqlstore.NewTenantService(db)
		hooks := sqlstore.NewHookService(db)
		f := newOutboxFixture(t, db, "a")
		h := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerAll, "http://x/")
		if _, err := f.customers.CreateCustomer(ctx, f.store, newInput("a@example.com")); err != nil {
			t.Fatal(err)
		}
		if err := tenants.ResetStore(ctx, f.store); err != nil {
			t.Fatal(err)
		}
		if evs := sqlstore.OutboxOf(t, db, f.store); len(evs) != 0 {
			t.Errorf("after reset: %d events, want none", len(evs))
		}
		if _, err := hooks.FindHookByID(ctx, f.store, f.client, h.ID); err != nil {
			t.Errorf("after reset: hook: %v", err)
		}
		// The hook counter survives the reset: a new hook gets a new ID.
		if h2 := mustCreateHook(t, db, f.store, f.client, customersd.HookCustomerAll, "http://x/2"); h2.ID != h.ID+1 {
			t.Errorf("hook after reset has ID %d, want %d", h2.ID, h.ID+1)
		}
		if _, err := f.customers.CreateCustomer(ctx, f.store, newInput("b@example.com")); err != nil {
			t.Fatal(err)
		}
		if evs := sqlstore.OutboxOf(t, db, f.store); len(evs) != 1 || len(evs[0].Hooks) != 2 {
			t.Fatalf("after reset, a create: %+v, want 1 event for 2 hooks", evs)
		}
		// An import replaces the data and the account's row, emits nothing,
		// and keeps the account's hooks.
		doc := sqlstoretest.FixtureDocument("a", 3)
		doc.APIAccounts = []customersd.DocumentAPIAccount{{ClientID: f.client, ClientSecret: customersd.NewClientSecret(), AccessToken: "imported-token-0123456789",
			Scopes: []customersd.Scope{customersd.ScopeCustomers}}}
		if err := newExportFixture(db).exporter.Import(ctx, f.store, doc); err != nil {
			t.Fatal(err)
		}
		if n, err := hooks.CountHooks(ctx, f.store, customersd.HookFilter{ClientID: f.client}); err != nil || n != 2 {
			t.Errorf("after import: %d hooks, %v; want 2", n, err)
		}
		if evs := sqlstore.OutboxOf(t, db, f.store); len(evs) != 1 {
			t.Errorf("after import: %d events, want the 1 from before", len(evs))
		}
		if err := tenants.RevokeAPIAccount(ctx, f.store, f.client); err != nil {
			t.Fatal(err)
		}
		if n, err := hooks.CountHooks(ctx, f.store, customersd.HookFilter{}); err != nil || n != 0 {
			t.Errorf("after revoke: %d hooks, %v; want none", n, err)
		}
		if evs := sqlstore.OutboxOf(t, db, f.store); len(evs) != 1 || len(evs[0].Hooks) != 0 {
			t.Errorf("after revoke: %+v, want the event without deliveries", evs)
		}
		client := mustCreateAccount(t, db, f.store)
		mustCreateHook(t, db, f.store, client, customersd.HookCustomerAll, "http://x/")
		if err := tenants.DeleteStore(ctx, f.store); err != nil {
			t.Fatal(err)
		}
		if evs := sqlstore.OutboxOf(t, db, f.store); len(evs) != 0 {
			t.Errorf("after delete: %d events, want none", len(evs))
		}
		if n, err := hooks.CountHooks(ctx, f.store, customersd.HookFilter{}); err != nil || n != 0 {
			t.Errorf("after delete: %d hooks, %v; want none", n, err)
		}
	})
}
