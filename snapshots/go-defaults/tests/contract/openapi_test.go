// Package contract checks the real service's answers against its API contract, api/openapi.json
// (guidelines 4.3): a request sequence against the running service and its PostgreSQL database,
// every answer validated by JSON Schema 2020-12 against the document.
package contract

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/api"
)

// documentURL names api/openapi.json for the schema compiler, which resolves the document's
// $refs within it.
const documentURL = "file:///api/openapi.json"

// document is api/openapi.json, ready to check answers with.
type document struct {
	root     map[string]any
	compiler *jsonschema.Compiler
}

func loadDocument(t *testing.T) *document {
	t.Helper()
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI))
	require.NoError(t, err)
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020) // the dialect of OpenAPI 3.1
	compiler.AssertFormat()                     // uuid, date-time...
	require.NoError(t, compiler.AddResource(documentURL, root))
	return &document{root: root.(map[string]any), compiler: compiler}
}

// resolve follows obj's $ref, if any, and returns the object and its JSON pointer.
func (d *document) resolve(t *testing.T, obj map[string]any, pointer string) (map[string]any, string) {
	t.Helper()
	ref, isRef := obj["$ref"].(string)
	if !isRef {
		return obj, pointer
	}
	require.True(t, strings.HasPrefix(ref, "#/"), "only local $refs: %s", ref)
	var found any = d.root
	for _, token := range strings.Split(ref[2:], "/") {
		token = strings.NewReplacer("~1", "/", "~0", "~").Replace(token)
		found = found.(map[string]any)[token]
		require.NotNil(t, found, "%s resolves", ref)
	}
	return found.(map[string]any), ref[1:]
}

// validate checks value against the schema at pointer in the document.
func (d *document) validate(t *testing.T, pointer string, value any) {
	t.Helper()
	schema, err := d.compiler.Compile(documentURL + "#" + pointer)
	require.NoError(t, err)
	assert.NoError(t, schema.Validate(value), "against %s", pointer)
}

func escapePointer(token string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(token)
}

// checkOperation asserts that the answer is one the document promises for the operation method
// on the path template: a documented status, the documented required headers (each valid
// against its schema), and a body valid against the documented schema.
func (d *document) checkOperation(t *testing.T, method, template string, response *http.Response, body []byte) {
	t.Helper()
	operationMethod := strings.ToLower(method)
	if method == http.MethodHead {
		operationMethod = "get" // HEAD answers as GET, without the body
	}
	paths := d.root["paths"].(map[string]any)
	item, listed := paths[template].(map[string]any)
	require.True(t, listed, "%s is a path of the document", template)
	operation, listed := item[operationMethod].(map[string]any)
	require.True(t, listed, "%s %s is an operation of the document", method, template)
	status := strconv.Itoa(response.StatusCode)
	answer, documented := operation["responses"].(map[string]any)[status].(map[string]any)
	require.True(t, documented, "%s is a documented status of %s %s", status, method, template)
	pointer := "/paths/" + escapePointer(template) + "/" + operationMethod + "/responses/" + status
	answer, pointer = d.resolve(t, answer, pointer)

	headers, _ := answer["headers"].(map[string]any)
	for name, header := range headers {
		header, headerPointer := d.resolve(t, header.(map[string]any), pointer+"/headers/"+escapePointer(name))
		value := response.Header.Get(name)
		if header["required"] == true {
			assert.NotEmpty(t, value, "the %s header of %s %s", name, method, template)
		}
		if value != "" {
			d.validate(t, headerPointer+"/schema", value)
		}
	}

	content, _ := answer["content"].(map[string]any)
	if method == http.MethodHead || len(content) == 0 {
		assert.Empty(t, body, "%s %s has no body", method, template)
		return
	}
	mediaType := strings.TrimSpace(strings.Split(response.Header.Get("Content-Type"), ";")[0])
	require.Contains(t, content, mediaType, "%s %s answers a documented media type", method, template)
	if mediaType != "application/json" {
		return
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	require.NoError(t, err, "the body is JSON: %s", body)
	d.validate(t, pointer+"/content/"+escapePointer(mediaType)+"/schema", value)
}

// checkError asserts that the answer to a request no operation serves (an unknown path, a
// method the path does not list) is the document's Error envelope.
func (d *document) checkError(t *testing.T, response *http.Response, body []byte) {
	t.Helper()
	assert.Equal(t, "application/json", strings.Split(response.Header.Get("Content-Type"), ";")[0])
	d.validate(t, "/components/headers/CorrelationId/schema", response.Header.Get("x-correlation-id"))
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	require.NoError(t, err, "the body is JSON: %s", body)
	d.validate(t, "/components/schemas/Error", value)
}
