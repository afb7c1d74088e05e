package customersd

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Hook field limits. BigCommerce documents none; these keep a hook a few
// kilobytes, which every delivery carries, and are named in the messages.
const (
	MaxHookDestinationLength = 2048
	MaxHookHeaders           = 20
	MaxHookHeaderNameLength  = 128
	MaxHookHeaderValueLength = 2048
	MaxHookEmails            = 20
)

// HookRules are the server's settings for hooks: RequireHTTPS enforces
// BigCommerce's rule (https on port 443, spec/WEBHOOKS.md); without it any
// absolute http(s) URL is taken, so tests can run receivers on localhost.
type HookRules struct {
	RequireHTTPS bool
}

// hookHeaderName is stricter than an RFC 9110 token: letters, digits, '-'
// and '_', starting with a letter. No real header needs more, and V2's XML
// writes each name as an element name.
var hookHeaderName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// reservedHookHeaders are set by the delivery itself (framing, the signing
// of Standard Webhooks, the JSON body): a hook may not replace them.
var reservedHookHeaders = []string{
	"connection", "content-length", "content-type", "expect", "host", "keep-alive", "proxy-connection",
	"te", "trailer", "transfer-encoding", "upgrade", "webhook-id", "webhook-signature", "webhook-timestamp",
}

// Validate checks a hook to create (create: scope and destination are
// required) or the fields of a PUT (at least one). Returns EINVALID with the
// offending Field and a message that names the rule.
func (p HookRules) Validate(in *HookInput, create bool) error {
	if create {
		if in.Scope == nil {
			return Required("scope")
		}
		if in.Destination == nil {
			return Required("destination")
		}
	} else if in.Scope == nil && in.Destination == nil && in.IsActive == nil && !in.HeadersSet {
		return &Error{Code: EINVALID, Message: "Send at least one of the fields scope, destination, is_active or headers."}
	}
	if in.Scope != nil && !ValidHookScope(*in.Scope) {
		return &Error{Code: EINVALID, Field: "scope", Message: fmt.Sprintf("The scope '%s' is not a webhook scope of this API; want one of %s.", *in.Scope, strings.Join(hookScopes, ", "))}
	}
	if in.Destination != nil {
		if err := p.validateDestination(*in.Destination); err != nil {
			return err
		}
	}
	if in.HeadersSet {
		return validateHookHeaders(in.Headers)
	}
	return nil
}

func invalidDestination(format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: "destination", Message: "The destination " + fmt.Sprintf(format, args...)}
}

// validateDestination admits an absolute http(s) URL with a host, without
// credentials (they would be logged with the URL: send them as headers)
// or a fragment (never sent).
func (p HookRules) validateDestination(d string) error {
	if d == "" {
		return invalidDestination("is empty; send an absolute http or https URL.")
	}
	if len(d) > MaxHookDestinationLength {
		return invalidDestination("is longer than %d bytes.", MaxHookDestinationLength)
	}
	if !utf8.ValidString(d) || strings.ContainsFunc(d, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return invalidDestination("has a space or a control character.")
	}
	u, err := url.Parse(d)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return invalidDestination("%q is not an absolute http or https URL.", d)
	}
	if u.User != nil {
		return invalidDestination("must not carry credentials; send them in the hook's headers.")
	}
	if u.Fragment != "" || strings.Contains(d, "#") {
		return invalidDestination("must not have a fragment.")
	}
	if u.Hostname() == "" {
		return invalidDestination("%q has no host.", d)
	}
	port := u.Port()
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return invalidDestination("has a bad port %q.", port)
		}
	}
	if strings.Contains(u.Hostname(), ":") && net.ParseIP(u.Hostname()) == nil {
		return invalidDestination("%q has a bad host.", d)
	}
	if p.RequireHTTPS && (u.Scheme != "https" || (port != "" && port != "443")) {
		return invalidDestination("must be an https URL on port 443, as BigCommerce requires (this server runs with --webhook-require-https).")
	}
	return nil
}

// validateHookHeaders checks the headers a hook sends with every delivery.
func validateHookHeaders(h map[string]string) error {
	if len(h) > MaxHookHeaders {
		return &Error{Code: EINVALID, Field: "headers", Message: fmt.Sprintf("A hook may have at most %d headers, not %d.", MaxHookHeaders, len(h))}
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names) // the same body always names the same header
	seen := make(map[string]string, len(h))
	for _, name := range names {
		value := h[name]
		bad := func(format string, args ...any) error {
			return &Error{Code: EINVALID, Field: "headers", Message: fmt.Sprintf("The header %q ", name) + fmt.Sprintf(format, args...)}
		}
		switch lower := strings.ToLower(name); {
		case len(name) > MaxHookHeaderNameLength:
			return bad("has a name longer than %d bytes.", MaxHookHeaderNameLength)
		case !hookHeaderName.MatchString(name):
			return bad("is not a valid header name: use letters, digits, '-' and '_', starting with a letter.")
		case slices.Contains(reservedHookHeaders, lower):
			return bad("is set by every delivery itself; a hook cannot send its own.")
		case seen[lower] != "":
			return bad("repeats %q: header names are case-insensitive.", seen[lower])
		case len(value) > MaxHookHeaderValueLength:
			return bad("has a value longer than %d bytes.", MaxHookHeaderValueLength)
		case !utf8.ValidString(value) || strings.ContainsFunc(value, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }):
			return bad("has a control character in its value.")
		default:
			seen[lower] = name
		}
	}
	return nil
}

// ValidateHookEmails checks the notification addresses of /v3/hooks/admin:
// bare addresses (no display name), at most MaxHookEmails.
func ValidateHookEmails(emails []string) error {
	if len(emails) > MaxHookEmails {
		return &Error{Code: EINVALID, Field: "emails", Message: fmt.Sprintf("Send at most %d emails, not %d.", MaxHookEmails, len(emails))}
	}
	for _, e := range emails {
		a, err := mail.ParseAddress(e)
		if err != nil || a.Address != e || a.Name != "" || len(e) > 254 {
			return &Error{Code: EINVALID, Field: "emails", Message: fmt.Sprintf("The email %q is not a valid email address.", e)}
		}
	}
	return nil
}

// HookScopeAllowed reports whether account a may hold a hook on scope: a
// store/customer/* hook needs a customers scope, read-only included
// (spec/WEBHOOKS.md, "Scope").
func HookScopeAllowed(a *APIAccount, scope string) bool {
	if strings.HasPrefix(scope, "store/customer/") {
		return a.CanRead()
	}
	return true
}

// CheckHookScope refuses, with EFORBIDDEN, an input that subscribes a to
// a scope HookScopeAllowed denies it; /v2/hooks and /v3/hooks share it.
func CheckHookScope(a *APIAccount, in *HookInput) error {
	if in.Scope != nil && !HookScopeAllowed(a, *in.Scope) {
		return Errorf(EFORBIDDEN, "A hook on %s needs a token with the store_v2_customers or store_v2_customers_read_only scope.", *in.Scope)
	}
	return nil
}
