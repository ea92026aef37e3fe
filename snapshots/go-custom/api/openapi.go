// Package api holds the service's API contract: the OpenAPI document every Visiobook backend
// serves and tests itself against (docs/contract.md of the service template).
package api

import _ "embed"

// OpenAPI is api/openapi.json, served at /api/docs/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
