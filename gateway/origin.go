package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// BaseURL is the absolute URL clients reach this server at, without a
// trailing slash, for the links in response bodies: the gateway's PublicURL
// when it has one. Otherwise it is built from the request, which the client
// controls: the Host header when it is a well-formed host[:port] (else the
// address the connection came in on, so a hostile Host never reaches a
// body), and the scheme from TLS or X-Forwarded-Proto (http or https only).
func BaseURL(r *http.Request) string {
	if info := InfoOf(r.Context()); info != nil && info.publicURL != "" {
		return info.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	host := r.Host
	if !ValidHost(host) {
		host = "localhost"
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			host = a.String()
		}
	}
	return scheme + "://" + host
}

// ValidHost reports whether h is a host name, an IPv4 address or a
// bracketed IPv6 address, with an optional port: nothing that could end a
// URL's authority or break out of a JSON or HTML string ('/', '@', '?', '#',
// quotes, '<', spaces, percent escapes).
func ValidHost(h string) bool {
	if h == "" || len(h) > 261 {
		return false
	}
	host, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		a, err := netip.ParseAddr(h[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
		host, port = "", h[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		host, port = h[:i], h[i+1:]
	}
	if port != "" || strings.HasSuffix(h, ":") {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || strings.TrimLeft(port, "0123456789") != "" {
			return false
		}
	}
	return strings.HasPrefix(h, "[") || validHostName(host)
}

// validHostName admits letters, digits, '-', '_' and dots between
// non-empty labels: DNS names and dotted IPv4 addresses.
func validHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if label == "" || label[0] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ParsePublicURL checks a configured public URL (--public-url):
// http or https, a valid host, an optional path prefix, nothing else.
// It returns it without a trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("the scheme must be http or https")
	case !ValidHost(u.Host):
		return "", fmt.Errorf("%q is not a host name or address with an optional port", u.Host)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", errors.New("only a scheme, a host and a path are allowed")
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}
