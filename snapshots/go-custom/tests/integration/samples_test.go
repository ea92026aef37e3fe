package integration

// Valid request bodies of every resource, as clients write them: each body has new values
// (unique fields stay unique), and the rows it refers to are made first, through the API.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stretchr/testify/require"
)

var numbers atomic.Int64

// text is "sample <n>", or n alone where that does not fit.
func text(n, maxLength int) string {
	value := fmt.Sprintf("sample %d", n)
	if len(value) > maxLength {
		value = strconv.Itoa(n)
		value = value[max(0, len(value)-maxLength):]
	}
	return value
}

// samples gives each field of each resource its value from the number of the body.
var samples = map[string]map[string]func(n int) any{
	"media-assets": {
		"name":        func(n int) any { return text(n, 200) },
		"description": func(n int) any { return text(n, 10000) },
	},
}

// references gives the references of each resource: the field, and the resource whose row it
// names.
var references = map[string]map[string]string{}

// sampleBody is a new body of resource with every field, as JSON decodes it; the rows it
// refers to are made first.
func (c client) sampleBody(resource string) map[string]any {
	c.t.Helper()
	n := int(numbers.Add(1))
	values := map[string]any{}
	for field, sample := range samples[resource] {
		values[field] = sample(n)
	}
	for field, target := range references[resource] {
		values[field] = c.posted(target, nil)["id"]
	}
	return decodedJSON(c, values)
}

// posted is a row of resource made through the API: fields over a new body.
func (c client) posted(resource string, fields map[string]any) map[string]any {
	c.t.Helper()
	values := c.sampleBody(resource)
	for field, value := range fields {
		values[field] = value
	}
	var created map[string]any
	require.Equal(c.t, http.StatusCreated, c.send(http.MethodPost, "/api/v1/"+resource, values, &created), values)
	time.Sleep(2 * time.Millisecond) // timestamps keep milliseconds: no two rows share one
	return created
}

// send sends value as the JSON body of a request, as call does.
func (c client) send(method, path string, value, out any) int {
	c.t.Helper()
	body, err := json.Marshal(value)
	require.NoError(c.t, err)
	return c.call(method, path, string(body), out)
}

// decodedJSON is value as JSON gives it back: numbers are float64.
func decodedJSON(c client, value map[string]any) map[string]any {
	c.t.Helper()
	encoded, err := json.Marshal(value)
	require.NoError(c.t, err)
	var decoded map[string]any
	require.NoError(c.t, json.Unmarshal(encoded, &decoded))
	return decoded
}

// timestampPattern is an instant as the API writes it: UTC, to the millisecond.
var timestampPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// fieldsOf is the fields of row that sent has.
func fieldsOf(row, sent map[string]any) map[string]any {
	kept := map[string]any{}
	for field := range sent {
		kept[field] = row[field]
	}
	return kept
}

// asText is a JSON value as a query writes it.
func asText(value any) string {
	switch value := value.(type) {
	case float64:
		return strconv.FormatFloat(value, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(value)
	}
	return fmt.Sprint(value)
}

// ordered tells whether values (one field of each row of a page) are in ascending order, each
// compared as its kind: a number, a decimal as text, a boolean, or text.
func ordered(values []any, kind string) bool {
	for i := 1; i < len(values); i++ {
		if compare(values[i-1], values[i], kind) > 0 {
			return false
		}
	}
	return true
}

func compare(a, b any, kind string) int {
	switch kind {
	case "number":
		return cmp.Compare(a.(float64), b.(float64))
	case "decimal":
		x, _ := strconv.ParseFloat(a.(string), 64)
		y, _ := strconv.ParseFloat(b.(string), 64)
		return cmp.Compare(x, y)
	case "boolean":
		// false before true, as PostgreSQL orders them.
		return cmp.Compare(strconv.FormatBool(a.(bool)), strconv.FormatBool(b.(bool)))
	}
	return strings.Compare(a.(string), b.(string))
}
