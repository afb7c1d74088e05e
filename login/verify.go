package login

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// Window is how far a login token's iat may be from the server's clock,
// either way: the token is "only valid for 30 seconds" (LOGIN.md). A token
// whose iat is 31 s old, or 31 s ahead, is refused.
const Window = 30 * time.Second

// JTIKeep is how long a used jti is remembered after the token's iat: the
// window after it, plus a minute for nodes whose clocks differ, since a
// token is checked against the clock of whichever node serves it. A token
// is never valid longer (iat is at most Window ahead, and the node that
// records the jti has checked that).
const JTIKeep = Window + time.Minute

// MaxClaimsBytes bounds the claims an attempt keeps: real tokens carry a
// few hundred bytes; a larger payload is noted, not stored.
const MaxClaimsBytes = 4 << 10

// The defaults of the optional claims.
const (
	DefaultRedirect = "/account.php"
	DefaultChannel  = 1
)

// Check is one rule applied to a token, as the explain call answers it.
// Reason is the code of its failure ("bad_signature"), "" when OK.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Reason string `json:"-"`
}

// Result is a token checked: every check in order, and what a sign-in needs.
type Result struct {
	Checks []Check
	// Claims is the decoded payload's JSON, "{}" when unreadable.
	Claims     string
	ClientID   string
	CustomerID int64
	RedirectTo string
	Account    *customersd.APIAccount
}

// Valid reports whether every check passed.
func (r *Result) Valid() bool { return r.Failed() == nil }

// Failed returns the first check that failed, nil when none did: the
// reason a sign-in gives.
func (r *Result) Failed() *Check {
	for i := range r.Checks {
		if !r.Checks[i].OK {
			return &r.Checks[i]
		}
	}
	return nil
}

// Attempt is the record of r, from the browser at ip.
func (r *Result) Attempt(ip string) *customersd.LoginAttempt {
	a := &customersd.LoginAttempt{OK: true, ClientID: r.ClientID, CustomerID: r.CustomerID, IP: ip, Claims: r.Claims}
	if c := r.Failed(); c != nil {
		a.OK, a.Check, a.Reason, a.Detail = false, c.Name, c.Reason, c.Detail
	}
	return a
}

// Verifier checks login tokens against a store's accounts, customers and
// used jtis.
type Verifier struct {
	Tenants   customersd.TenantService
	Customers customersd.CustomerService
	Logins    customersd.LoginService
	// Now is the clock of the iat window; nil means time.Now.
	Now func() time.Time
}

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// Explain runs every check of token for st without using its jti: a token
// explained can still sign in. ip, when set, is compared with request_ip.
// The error is a backend failure; a refused token is a Result.
func (v *Verifier) Explain(ctx context.Context, st *customersd.Store, token, ip string) (*Result, error) {
	return v.check(ctx, st, token, ip, false)
}

// Login runs every check of token for st, the browser being at ip, and
// uses its jti when every other check passed: of two sign-ins with one
// token, on any nodes, one passes the jti check.
func (v *Verifier) Login(ctx context.Context, st *customersd.Store, token, ip string) (*Result, error) {
	return v.check(ctx, st, token, ip, true)
}

// checker accumulates the checks of one token.
type checker struct {
	v      *Verifier
	ctx    context.Context
	st     *customersd.Store
	t      *token
	res    *Result
	now    time.Time
	err    error // a backend failure: the result is void
	iat    int64
	hasIAT bool
}

func (c *checker) pass(name, detail string) {
	c.res.Checks = append(c.res.Checks, Check{Name: name, OK: true, Detail: detail})
}

func (c *checker) fail(name, reason, detail string) {
	c.res.Checks = append(c.res.Checks, Check{Name: name, Reason: reason, Detail: detail})
}

// checkNames are the checks in the order they are run and listed.
var checkNames = []string{"token", "alg", "iss", "signature", "scope", "operation", "store_hash", "iat", "exp",
	"channel_id", "customer_id", "request_ip", "redirect_to", "jti"}

func (v *Verifier) check(ctx context.Context, st *customersd.Store, raw, ip string, consume bool) (*Result, error) {
	c := &checker{v: v, ctx: ctx, st: st, res: &Result{Claims: "{}"}, now: v.now()}
	t, err := parse(raw)
	if err != nil {
		c.fail("token", "malformed_token", "The token cannot be read: "+err.Error()+".")
		for _, name := range checkNames[1:] {
			c.fail(name, "malformed_token", "Not checked: the token cannot be read.")
		}
		return c.res, nil
	}
	c.t = t
	c.res.Claims = string(t.raw)
	if len(t.raw) > MaxClaimsBytes {
		c.res.Claims = fmt.Sprintf(`{"customersd_truncated":"the claims were %d bytes; attempts keep %d at most"}`, len(t.raw), MaxClaimsBytes)
	}
	c.pass("token", "Three base64url parts: a JSON header and a JSON object of claims.")
	c.checkAlg()
	c.checkIssuer()
	c.checkScope()
	c.checkEqual("operation", "customer_login", "wrong_operation")
	c.checkEqual("store_hash", st.Hash, "wrong_store_hash")
	c.checkIAT()
	c.checkExp()
	c.checkChannel()
	c.checkCustomer()
	c.checkIP(ip)
	c.checkRedirect()
	c.checkJTI(consume)
	return c.res, c.err
}

func (c *checker) checkAlg() {
	if c.t.header.Alg != "HS256" {
		c.fail("alg", "unsupported_alg", fmt.Sprintf("The header's alg is %s; login tokens are signed with HS256.", quote(c.t.header.Alg)))
		return
	}
	c.pass("alg", "HS256.")
}

// checkIssuer finds the API account named by iss in the store, then checks
// the signature with its client secret.
func (c *checker) checkIssuer() {
	iss, ok := c.t.claims["iss"].(string)
	c.res.ClientID = iss
	switch {
	case !ok || iss == "":
		c.fail("iss", "unknown_iss", "The iss claim is missing or not a string; it must be the API account's client id.")
	default:
		a, err := c.v.Tenants.FindAPIAccountByClientID(c.ctx, c.st.ID, iss)
		switch customersd.ErrorCode(err) {
		case "":
			c.res.Account = a
			c.pass("iss", fmt.Sprintf("The client id %s is an API account of store %s.", quote(iss), c.st.Hash))
		case customersd.ENOTFOUND:
			c.failIssuer(iss)
		default:
			c.err = err
			c.fail("iss", "internal", "Not checked: the accounts could not be read.")
		}
	}
	a := c.res.Account
	switch {
	case a == nil:
		c.fail("signature", "bad_signature", "Not checked: no API account of this store to take the client secret from.")
	case !c.t.verify(a.ClientSecret):
		c.fail("signature", "bad_signature", fmt.Sprintf("The signature is not HMAC-SHA256 of the token with the client secret of %q.", a.ClientID))
	default:
		c.pass("signature", fmt.Sprintf("HMAC-SHA256 with the client secret of %q.", a.ClientID))
	}
}

// failIssuer tells an account of another store from an unknown one: the
// first is the usual mistake of an app installed on several stores.
func (c *checker) failIssuer(iss string) {
	hash, err := c.v.Logins.StoreOfClientID(c.ctx, iss)
	switch customersd.ErrorCode(err) {
	case "":
		c.fail("iss", "account_of_another_store", fmt.Sprintf("The client id %s is an API account of another store (%s), not of %s.", quote(iss), hash, c.st.Hash))
	case customersd.ENOTFOUND:
		c.fail("iss", "unknown_iss", fmt.Sprintf("No API account has the client id %s.", quote(iss)))
	default:
		c.err = err
		c.fail("iss", "internal", "Not checked: the accounts could not be read.")
	}
}

func (c *checker) checkScope() {
	a := c.res.Account
	switch {
	case a == nil:
		c.fail("scope", "missing_scope", "Not checked: no API account of this store.")
	case !slices.Contains(a.Scopes, customersd.ScopeCustomersLogin):
		c.fail("scope", "missing_scope", fmt.Sprintf("The API account %q lacks the scope %s.", a.ClientID, customersd.ScopeCustomersLogin))
	default:
		c.pass("scope", string(customersd.ScopeCustomersLogin)+".")
	}
}

func (c *checker) checkEqual(name, want, reason string) {
	got, ok := c.t.claims[name].(string)
	switch {
	case !ok:
		c.fail(name, reason, fmt.Sprintf("The %s claim is missing or not a string; it must be %q.", name, want))
	case got != want:
		c.fail(name, reason, fmt.Sprintf("The %s claim is %s; it must be %q.", name, quote(got), want))
	default:
		c.pass(name, strconv.Quote(want)+".")
	}
}

// number reads a numeric claim as a whole number; a fraction is dropped
// (clients send integers; a float from a JavaScript clock is still a time).
func number(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(math.Floor(f)), true
}

func (c *checker) checkIAT() {
	iat, ok := number(c.t.claims["iat"])
	if !ok {
		c.fail("iat", "iat_missing", "The iat claim is missing or not a number of Unix seconds.")
		return
	}
	c.iat, c.hasIAT = iat, true
	now := c.now.Unix()
	window := int64(Window / time.Second)
	switch age := now - iat; {
	case age > window:
		c.fail("iat", "iat_too_old", fmt.Sprintf("The iat is %d s before the server's time (%d); a token is valid for %d s. "+
			"Sign it just before use, with the store's clock (GET /v2/time).", age, now, window))
	case -age > window:
		c.fail("iat", "iat_in_future", fmt.Sprintf("The iat is %d s after the server's time (%d); at most %d s is tolerated. "+
			"The signing clock is ahead: use the store's clock (GET /v2/time).", -age, now, window))
	default:
		c.pass("iat", fmt.Sprintf("%d, %d s from the server's time (%d); within %d s.", iat, now-iat, now, window))
	}
}

// checkExp honours an exp claim when there is one (node-bigcommerce adds
// one, 24 h after iat); LOGIN.md's rules do not need it.
func (c *checker) checkExp() {
	v, present := c.t.claims["exp"]
	if !present || v == nil {
		c.pass("exp", "Absent (optional): the iat window applies.")
		return
	}
	exp, ok := number(v)
	switch {
	case !ok:
		c.fail("exp", "expired", "The exp claim is not a number of Unix seconds.")
	case exp <= c.now.Unix():
		c.fail("exp", "expired", fmt.Sprintf("The token expired at %d; the server's time is %d.", exp, c.now.Unix()))
	default:
		c.pass("exp", fmt.Sprintf("%d, after the server's time.", exp))
	}
}

// checkChannel: customersd models one storefront per store, channel 1.
func (c *checker) checkChannel() {
	v, present := c.t.claims["channel_id"]
	if !present || v == nil {
		c.pass("channel_id", "Absent: channel 1, the store's storefront.")
		return
	}
	if ch, ok := number(v); !ok || ch != DefaultChannel {
		c.fail("channel_id", "unknown_channel", fmt.Sprintf("The channel_id is %s; this store has one storefront, channel 1.", show(v)))
		return
	}
	c.pass("channel_id", "1, the store's storefront.")
}

func (c *checker) checkCustomer() {
	n, _ := c.t.claims["customer_id"].(json.Number)
	id, err := n.Int64()
	if err != nil {
		c.fail("customer_id", "unknown_customer", "The customer_id claim is missing or not a whole number.")
		return
	}
	c.res.CustomerID = id
	_, err = c.v.Customers.FindCustomerByID(c.ctx, c.st.ID, id)
	switch customersd.ErrorCode(err) {
	case "":
		c.pass("customer_id", fmt.Sprintf("Customer %d of store %s.", id, c.st.Hash))
	case customersd.ENOTFOUND:
		c.fail("customer_id", "unknown_customer", fmt.Sprintf("Store %s has no customer %d.", c.st.Hash, id))
	default:
		c.err = err
		c.fail("customer_id", "internal", "Not checked: the customer could not be read.")
	}
}

// checkIP compares request_ip, when the token has one, with the browser's
// address; an explain call without an address cannot compare.
func (c *checker) checkIP(ip string) {
	v, present := c.t.claims["request_ip"]
	claim, _ := v.(string)
	switch {
	case !present || v == nil || claim == "":
		c.pass("request_ip", "Absent (optional): any browser may use the token.")
		return
	case ip == "":
		c.pass("request_ip", fmt.Sprintf("%s: compared with the browser's address at sign-in; give \"ip\" to compare it here.", quote(claim)))
		return
	}
	want, err1 := netip.ParseAddr(claim)
	got, err2 := netip.ParseAddr(ip)
	if err1 != nil || err2 != nil || want.Unmap() != got.Unmap() {
		c.fail("request_ip", "ip_mismatch", fmt.Sprintf("The request_ip is %s; the browser's address is %s.", quote(claim), quote(ip)))
		return
	}
	c.pass("request_ip", fmt.Sprintf("%s, the browser's address.", quote(claim)))
}

// checkRedirect: redirect_to is a path on the store's storefront. Anything
// else (another host, "//host", a scheme) would make the storefront an open
// redirect, so it is refused.
func (c *checker) checkRedirect() {
	v, present := c.t.claims["redirect_to"]
	if !present || v == nil || v == "" {
		c.res.RedirectTo = DefaultRedirect
		c.pass("redirect_to", "Absent: "+DefaultRedirect+".")
		return
	}
	to, ok := v.(string)
	if !ok || !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") || strings.ContainsAny(to, "\\\r\n") {
		c.fail("redirect_to", "bad_redirect_to", fmt.Sprintf("The redirect_to is %s; it must be a path on the storefront, starting with one '/'.", show(v)))
		return
	}
	c.res.RedirectTo = to
	c.pass("redirect_to", quote(to)+", on the store's storefront.")
}

// checkJTI runs last: a sign-in uses the jti only when everything else
// passed, so a token refused for another reason can be fixed and sent
// again. Using it is the check, atomically (LoginService.UseJTI).
func (c *checker) checkJTI(consume bool) {
	jti, ok := c.t.claims["jti"].(string)
	if !ok || jti == "" {
		c.fail("jti", "jti_missing", "The jti claim is missing or not a string; each token needs a unique one.")
		return
	}
	if c.err != nil {
		c.fail("jti", "internal", "Not checked.")
		return
	}
	var used bool
	var err error
	if consume && c.res.Valid() && c.hasIAT {
		var fresh bool
		fresh, err = c.v.Logins.UseJTI(c.ctx, c.st.ID, jtiKey(jti), time.Unix(c.iat, 0).Add(JTIKeep))
		used = !fresh
	} else {
		used, err = c.v.Logins.JTIUsed(c.ctx, c.st.ID, jtiKey(jti))
	}
	switch {
	case err != nil:
		c.err = err
		c.fail("jti", "internal", "Not checked: the used jtis could not be read.")
	case used:
		c.fail("jti", "jti_reused", fmt.Sprintf("The jti %s has been used already; a token signs in once.", quote(jti)))
	case consume && c.res.Valid():
		c.pass("jti", fmt.Sprintf("%s, used now.", quote(jti)))
	default:
		c.pass("jti", fmt.Sprintf("%s, not used yet.", quote(jti)))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// maxShown bounds what a detail repeats of a claim: a token is at most a
// header's size, but a record of 200 attempts need not hold 200 of them.
const maxShown = 80

// quote is s quoted for a detail, cut to maxShown runes.
func quote(s string) string {
	if r := []rune(s); len(r) > maxShown {
		return strconv.Quote(string(r[:maxShown])) + "…"
	}
	return strconv.Quote(s)
}

// show is a claim of any type for a detail, as JSON, cut like quote.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	if r := []rune(string(b)); len(r) > maxShown {
		return string(r[:maxShown]) + "…"
	}
	return string(b)
}

// jtiKey is what the store of used jtis keeps: the SHA-256 of the jti, so
// a row has one size whatever the client sends, and equal jtis still meet.
func jtiKey(jti string) string {
	sum := sha256.Sum256([]byte(jti))
	return hex.EncodeToString(sum[:])
}
