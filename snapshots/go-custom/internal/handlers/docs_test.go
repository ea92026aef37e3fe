package handlers

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/asset-library/api"
	"github.com/visiobook/asset-library/internal/middleware"
)

type openAPI struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

func loadDocument(t *testing.T) openAPI {
	t.Helper()
	var document openAPI
	require.NoError(t, json.Unmarshal(api.OpenAPI, &document))
	return document
}

// sortOrders are the `sort` values the document lists for the collection at path.
func sortOrders(t *testing.T, document openAPI, path string) []string {
	t.Helper()
	var list struct {
		Parameters []struct {
			Name   string `json:"name"`
			Schema struct {
				Enum []string `json:"enum"`
			} `json:"schema"`
		} `json:"parameters"`
	}
	require.NoError(t, json.Unmarshal(document.Paths[path]["get"], &list))
	for _, parameter := range list.Parameters {
		if parameter.Name == "sort" {
			return parameter.Schema.Enum
		}
	}
	t.Fatalf("GET %s has no sort parameter", path)
	return nil
}

var httpMethods = []string{"get", "head", "post", "put", "patch", "delete", "options", "trace"}

// The router and api/openapi.json cannot drift apart: every documented operation is served,
// nothing else is (but the document's own pages), and every GET path answers HEAD.
func TestTheRouterServesExactlyTheDocumentedOperations(t *testing.T) {
	documented := []string{}
	for path, item := range loadDocument(t).Paths {
		for method := range item {
			if !slices.Contains(httpMethods, method) {
				continue // parameters, summary...
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if method == "get" {
				documented = append(documented, "HEAD "+path)
			}
		}
	}
	served := []string{}
	for _, route := range newFixture(t, probe{}).router.Routes() {
		if !strings.HasPrefix(route.Path, "/api/docs") {
			served = append(served, route.Method+" "+middleware.RouteTemplate(route.Path))
		}
	}
	assert.ElementsMatch(t, documented, served)
}

func TestDocsAreServed(t *testing.T) {
	f := newFixture(t, probe{})
	page := f.serve(http.MethodGet, "/api/docs", "", "")
	assert.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), `url: "/api/docs/openapi.json"`)

	document := f.serve(http.MethodGet, "/api/docs/openapi.json", "", "")
	assert.Equal(t, http.StatusOK, document.Code)
	assert.Equal(t, "application/json", document.Header().Get("Content-Type"))
	assert.Equal(t, api.OpenAPI, document.Body.Bytes(), "the document is served as it is written")
}
