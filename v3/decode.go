package v3

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

// MaxBodyBytes caps a request body: a hook with every header at its
// longest is under 64 KB.
const MaxBodyBytes = 64 << 10

var (
	errMalformedJSON = &gateway.Error{Status: http.StatusBadRequest, Message: "The request body is not valid JSON."}
	errMediaType     = &gateway.Error{Status: http.StatusUnsupportedMediaType, Message: "Send the body as application/json."}
)

// decodeObject reads a body that must be one JSON object.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	if !gateway.IsJSON(r) {
		return nil, errMediaType
	}
	body, err := gateway.ReadBody(w, r, MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	m := map[string]json.RawMessage{}
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errMalformedJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMalformedJSON
	}
	return m, nil
}

// checkFields refuses a field that is neither writable nor ignored, naming
// the first in sorted order so one body always gets one answer.
func checkFields(m map[string]json.RawMessage, writable, ignored []string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(writable, k) && !slices.Contains(ignored, k) {
			return &customersd.Error{Code: customersd.EINVALID, Field: k, Message: "The field '" + k + "' is not supported by this resource."}
		}
	}
	return nil
}

func wrongType(field, want string) error {
	return &customersd.Error{Code: customersd.EINVALID, Field: field, Message: "The field '" + field + "' must be " + want + "."}
}

// The fields of a hook body. Read-only fields are ignored, since clients
// send back what they fetched; events_history_enabled is still sent by
// apps though BigCommerce dropped it (spec/WEBHOOKS.md), so it is taken
// (a boolean) and ignored.
var (
	hookWritable = []string{"scope", "destination", "is_active", "headers"}
	hookIgnored  = []string{"id", "client_id", "store_hash", "created_at", "updated_at", "events_history_enabled"}
)

// decodeHook reads a hook body into the domain's input; null counts as not
// sent, except for headers, where it clears them.
func decodeHook(w http.ResponseWriter, r *http.Request) (*customersd.HookInput, error) {
	m, err := decodeObject(w, r)
	if err != nil {
		return nil, err
	}
	if err := checkFields(m, hookWritable, hookIgnored); err != nil {
		return nil, err
	}
	in := &customersd.HookInput{}
	for _, name := range []string{"scope", "destination"} {
		raw, ok := m[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, wrongType(name, "a string")
		}
		if name == "scope" {
			in.Scope = &s
		} else {
			in.Destination = &s
		}
	}
	for _, name := range []string{"is_active", "events_history_enabled"} {
		raw, ok := m[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, wrongType(name, "true or false")
		}
		if name == "is_active" {
			in.IsActive = &b
		}
	}
	if raw, ok := m["headers"]; ok {
		in.HeadersSet = true
		if string(raw) != "null" {
			if json.Unmarshal(raw, &in.Headers) != nil {
				return nil, wrongType("headers", "an object of strings or null")
			}
			if len(in.Headers) == 0 {
				in.Headers = nil // {} and null both mean none
			}
		}
	}
	return in, nil
}
