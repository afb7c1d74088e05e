package contracttest

import (
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// appErrorStatuses answer with the V2 error array. 409 and 422 are absent on
// purpose: V2 reports a duplicate email and a failed validation as 400
// (BEHAVIOR.md, Status codes), so either status is a bug.
var appErrorStatuses = []int{400, 404, 405, 406, 408, 413, 415, 500, 501, 503}

// gatewayErrorStatuses answer with the gateway's V3-style object.
var gatewayErrorStatuses = []int{401, 403, 429}

// appErrorSchema is the V2 application error body (BEHAVIOR.md, Error bodies):
//
//	[{"status":400,"message":"The required field 'email' was not supplied."}]
//
// with an optional "details" object. Nothing else: clients read [0].message.
var appErrorSchema = openapi3.NewArraySchema().
	WithMinItems(1).
	WithItems(closedObject(map[string]*openapi3.Schema{
		"status":  openapi3.NewIntegerSchema(),
		"message": openapi3.NewStringSchema().WithMinLength(1),
		"details": openapi3.NewObjectSchema(),
	}, "status", "message"))

// gatewayErrorSchema is the gateway's error body (BEHAVIOR.md, Error bodies):
//
//	{"status":403,"title":"...","type":"https://...","errors":{}}
var gatewayErrorSchema = closedObject(map[string]*openapi3.Schema{
	"status": openapi3.NewIntegerSchema(),
	"title":  openapi3.NewStringSchema().WithMinLength(1),
	"type":   openapi3.NewStringSchema(),
	"errors": openapi3.NewObjectSchema(),
}, "status", "title", "type", "errors")

// closedObject is an object schema with exactly props, of which required must
// be present: we are exact in what we send.
func closedObject(props map[string]*openapi3.Schema, required ...string) *openapi3.Schema {
	s := openapi3.NewObjectSchema().WithProperties(props).WithoutAdditionalProperties()
	s.Required = required
	return s
}

// checkErrorBody validates an error body against schema and checks that each
// error's status repeats the HTTP status, which a schema cannot say.
func checkErrorBody(schema *openapi3.Schema, status int, body []byte) error {
	if len(body) == 0 {
		return fmt.Errorf("status %d needs an error body, got none", status)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("error body is not JSON: %w", err)
	}
	if err := schema.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.DisableSchemaErrorDetails()); err != nil {
		return fmt.Errorf("error body doesn't match the %s: %w", shapeName(schema), err)
	}
	var errs []any
	switch v := v.(type) {
	case []any:
		errs = v
	case map[string]any:
		errs = []any{v}
	}
	for i, e := range errs {
		if got := e.(map[string]any)["status"].(float64); got != float64(status) {
			return fmt.Errorf("error %d has status %v, want the HTTP status %d", i, got, status)
		}
	}
	return nil
}

func shapeName(schema *openapi3.Schema) string {
	if schema == appErrorSchema {
		return "V2 error array [{status, message, details?}]"
	}
	return "gateway error object {status, title, type, errors}"
}
