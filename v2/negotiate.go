package v2

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/customersd/customersd/gateway"
)

// Format is a representation of V2 responses.
type Format string

const (
	// FormatXML is BigCommerce's default: a request that does not ask for
	// JSON gets XML (XML.md §2.1.4).
	FormatXML Format = "xml"
	// FormatJSON is what a request gets with Accept: application/json or
	// a .json suffix.
	FormatJSON Format = "json"
)

// ParseFormat reads a --default-format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatXML, FormatJSON:
		return f, nil
	}
	return "", fmt.Errorf("v2: unknown format %q: want xml or json", s)
}

func (f Format) contentType() string {
	if f == FormatJSON {
		return "application/json"
	}
	return "application/xml"
}

// errNotAcceptable refuses a request for a format V2 does not serve. XML.md
// §2.1.6 [INF]: BigCommerce's InvalidOutputType is a 406; its body is
// unknown, so it is the usual error array.
var errNotAcceptable = &gateway.Error{Status: http.StatusNotAcceptable, Message: "This resource can only be served as application/xml or application/json."}

// negotiate is the gateway's Negotiate hook: it picks the response format
// from the request as the client sent it (before normalizePath strips the
// suffix).
func (s *Server) negotiate(r *http.Request) (string, error) {
	f, err := negotiateFormat(r.Header.Values("Accept"), pathSuffix(r.URL.Path), s.defaultFormat())
	return string(f), err
}

func (s *Server) defaultFormat() Format {
	if s.DefaultFormat == "" {
		return FormatXML
	}
	return s.DefaultFormat
}

// formatOf is the format a response to r is written in: the negotiated
// one, or XML outside the gateway (a handler called directly in a test).
func formatOf(ctx context.Context) Format {
	if info := gateway.InfoOf(ctx); info != nil && info.Format != "" {
		return Format(info.Format)
	}
	return FormatXML
}

// pathSuffix is the extension of the last path segment ("json" for
// /customers/5.json or /customers.json/), "" for none. Only the last
// segment counts (XML.md §2.1.2). [INF] An extension is letters only:
// /customers/1.5 is a customer id that is not a number (404), not a
// request for format "5".
func pathSuffix(path string) string {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	last := path[strings.LastIndexByte(path, '/')+1:]
	i := strings.LastIndexByte(last, '.')
	if i < 0 || i == len(last)-1 {
		return ""
	}
	for _, c := range last[i+1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return ""
		}
	}
	return last[i+1:]
}

// negotiateFormat implements the negotiation table of XML.md §2.2: a
// full-priority Accept type, then the path suffix, then the q<1 Accept
// types (highest q first, the first listed among equals), then def. The
// request's Content-Type plays no part (rows 18, 19).
//
// Accept entries are sorted as BigCommerce's getDataTypeFromHeader does:
// application/json (or any +json type, as customersd always accepted) and
// application/xml are usable; */*, application/* and anything that is not an
// application type (text/html, text/xml, "foo") are no preference. Row 17
// (text/xml, text/html, a browser's Accept) is unknown; [INF] they are no
// preference, so a browser gets its suffix's format or XML rather than a
// 406. An unsupported application type (application/foo) is a 406 (row 15,
// [INF]) only when no entry is usable and none is a wildcard: a client
// that accepts XML or JSON among others is served. An unknown suffix
// (/customers.csv) is a 406 whatever the Accept (row 16, [INF]; the table
// recommends 406 over 404).
//
// A refused request still gets a format for its 406: XML.md §6.2 [INF],
// "the negotiated format if there is one, else the default": what the
// rest of the request asks for.
func negotiateFormat(accept []string, suffix string, def Format) (Format, error) {
	var fromSuffix Format
	var refused error
	switch suffix {
	case "":
	case "json":
		fromSuffix = FormatJSON
	case "xml":
		fromSuffix = FormatXML
	default:
		refused = errNotAcceptable
	}
	var (
		low       Format
		lowQ      float64
		wildcard  bool
		unusable  bool
		anyUsable bool
	)
	for _, v := range accept {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			mt = strings.ToLower(strings.TrimSpace(mt))
			q := acceptQ(params)
			if mt == "" || q <= 0 {
				continue
			}
			var f Format
			switch {
			case gateway.IsJSONMediaType(mt):
				f = FormatJSON
			case mt == "application/xml":
				f = FormatXML
			case mt == "*/*" || mt == "application/*":
				wildcard = true
				continue
			case strings.HasPrefix(mt, "application/"):
				unusable = true
				continue
			default:
				continue
			}
			anyUsable = true
			if q >= 1 {
				return f, refused
			}
			if q > lowQ {
				low, lowQ = f, q
			}
		}
	}
	if unusable && !anyUsable && !wildcard {
		refused = errNotAcceptable
	}
	if fromSuffix != "" {
		return fromSuffix, refused
	}
	if low != "" {
		return low, refused
	}
	return def, refused
}

// acceptQ is the q parameter of an Accept entry, 1 when absent or
// unreadable.
func acceptQ(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 1
			}
			return q
		}
	}
	return 1
}
