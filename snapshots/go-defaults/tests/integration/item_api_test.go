package integration

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const itemsPath = "/api/v1/items"

// itemRows lists items with the query's parameters.
func (c client) itemRows(query url.Values) []map[string]any {
	c.t.Helper()
	var page struct {
		Data []map[string]any `json:"data"`
	}
	require.Equal(c.t, http.StatusOK, c.call(http.MethodGet, itemsPath+"?"+query.Encode(), "", &page))
	return page.Data
}

func (c client) itemIDs(query url.Values) []any {
	c.t.Helper()
	ids := []any{}
	for _, row := range c.itemRows(query) {
		ids = append(ids, row["id"])
	}
	return ids
}

func TestLifecycleOfAItem(t *testing.T) {
	api := startService(t)
	sent := api.sampleBody("items")
	var created map[string]any
	require.Equal(t, http.StatusCreated, api.send(http.MethodPost, itemsPath, sent, &created))
	assert.Equal(t, sent, fieldsOf(created, sent), "read back as written")
	assert.ElementsMatch(t, []string{"id", "name", "description", "createdAt", "updatedAt", "version"}, slices.Collect(maps.Keys(created)))
	id := created["id"].(string)
	assert.Equal(t, uuid.MustParse(id).String(), id, "made by PostgreSQL, in lower case")
	assert.Regexp(t, timestampPattern, created["createdAt"])
	assert.Equal(t, created["createdAt"], created["updatedAt"])
	assert.Equal(t, 1.0, created["version"])

	var fetched map[string]any
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"/"+id, "", &fetched))
	assert.Equal(t, created, fetched)

	replacement := api.sampleBody("items")
	var replaced map[string]any
	require.Equal(t, http.StatusOK, api.send(http.MethodPut, itemsPath+"/"+id, replacement, &replaced))
	assert.Equal(t, replacement, fieldsOf(replaced, replacement))
	assert.Equal(t, 2.0, replaced["version"])

	change := map[string]any{"name": api.sampleBody("items")["name"]}
	var patched map[string]any
	require.Equal(t, http.StatusOK, api.send(http.MethodPatch, itemsPath+"/"+id, change, &patched))
	assert.Equal(t, change["name"], patched["name"])
	for field, value := range replaced {
		if field != "name" && field != "version" && field != "updatedAt" {
			assert.Equal(t, value, patched[field], "fields left out of a PATCH keep their value: %s", field)
		}
	}
	assert.Equal(t, 3.0, patched["version"])
	assert.Greater(t, patched["updatedAt"], created["updatedAt"])

	assert.Equal(t, http.StatusNoContent, api.call(http.MethodDelete, itemsPath+"/"+id, "", nil))
	assert.Equal(t, http.StatusNotFound, api.call(http.MethodGet, itemsPath+"/"+id, "", nil))
}

func TestItemTheCallersRolesDecideWhoWrites(t *testing.T) {
	api := startService(t)
	path := itemsPath + "/" + api.posted("items", nil)["id"].(string)
	reader, editor := api.as(), api.as("editor")
	var refused struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	assert.Equal(t, http.StatusOK, reader.call(http.MethodGet, path, "", nil))
	assert.Equal(t, http.StatusForbidden, reader.send(http.MethodPost, itemsPath, api.sampleBody("items"), &refused))
	assert.Equal(t, "FORBIDDEN", refused.Error.Code)
	assert.Equal(t, "requires the role editor or admin", refused.Error.Message)
	assert.Equal(t, http.StatusForbidden, reader.send(http.MethodPut, path, api.sampleBody("items"), nil))
	assert.Equal(t, http.StatusForbidden, reader.call(http.MethodPatch, path, `{}`, nil))
	assert.Equal(t, http.StatusForbidden, reader.call(http.MethodPost, itemsPath, `{"`, nil), "before the body is read")
	assert.Equal(t, http.StatusForbidden, reader.call(http.MethodDelete, path, "", &refused))
	assert.Equal(t, "requires the role admin", refused.Error.Message)
	var kept map[string]any
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, path, "", &kept))
	assert.Equal(t, 1.0, kept["version"], "a 403 changes nothing")

	assert.Equal(t, http.StatusCreated, editor.send(http.MethodPost, itemsPath, api.sampleBody("items"), nil))
	assert.Equal(t, http.StatusOK, editor.send(http.MethodPut, path, api.sampleBody("items"), nil))
	assert.Equal(t, http.StatusOK, editor.call(http.MethodPatch, path, `{}`, nil))
	assert.Equal(t, http.StatusForbidden, editor.call(http.MethodDelete, path, "", nil))
	assert.Equal(t, http.StatusNoContent, api.as("admin").call(http.MethodDelete, path, "", nil))
}

func TestItemEveryPutAndPatchIsAWriteEvenWithoutChange(t *testing.T) {
	api := startService(t)
	sent := api.sampleBody("items")
	var created map[string]any
	require.Equal(t, http.StatusCreated, api.send(http.MethodPost, itemsPath, sent, &created))
	path := itemsPath + "/" + created["id"].(string)
	var empty map[string]any
	require.Equal(t, http.StatusOK, api.call(http.MethodPatch, path, `{}`, &empty))
	assert.Equal(t, 2.0, empty["version"])
	assert.GreaterOrEqual(t, empty["updatedAt"], created["updatedAt"])
	var same map[string]any
	require.Equal(t, http.StatusOK, api.send(http.MethodPut, path, sent, &same))
	assert.Equal(t, 3.0, same["version"])
}

func TestItemAUniqueValueTakenIs409(t *testing.T) {
	api := startService(t)
	for field, conflict := range map[string]string{
		"name": "a item named '%s' already exists",
	} {
		taken := api.posted("items", nil)[field]
		other := api.posted("items", nil)
		duplicate := api.sampleBody("items")
		duplicate[field] = taken
		var refused struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		assert.Equal(t, http.StatusConflict, api.send(http.MethodPost, itemsPath, duplicate, &refused))
		assert.Equal(t, "CONFLICT", refused.Error.Code)
		assert.Equal(t, fmt.Sprintf(conflict, asText(taken)), refused.Error.Message)
		path := itemsPath + "/" + other["id"].(string)
		assert.Equal(t, http.StatusConflict, api.send(http.MethodPatch, path, map[string]any{field: taken}, nil))
		var kept map[string]any
		require.Equal(t, http.StatusOK, api.call(http.MethodGet, path, "", &kept))
		assert.Equal(t, 1.0, kept["version"])
	}
}

func TestItemTextIsStoredAsSentUpToItsLengthInCodePoints(t *testing.T) {
	api := startService(t)
	for field, maxLength := range map[string]int{
		"name":        200,
		"description": 10_000,
	} {
		longest := strings.Repeat("😀", maxLength)
		assert.Equal(t, longest, api.posted("items", map[string]any{field: longest})[field])
		if maxLength >= 4 {
			padded := " é😀 "
			assert.Equal(t, padded, api.posted("items", map[string]any{field: padded})[field])
		}
		tooLong := api.sampleBody("items")
		tooLong[field] = longest + "x"
		assert.Equal(t, http.StatusBadRequest, api.send(http.MethodPost, itemsPath, tooLong, nil))
	}
}

func TestItemListPaginatesWithTotalPages(t *testing.T) {
	api := startService(t)
	made := []any{}
	for range 5 {
		made = append(made, api.posted("items", nil)["id"])
	}
	var first struct {
		Data       []map[string]any `json:"data"`
		Pagination map[string]int   `json:"pagination"`
	}
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?limit=2&sort=createdAt:asc", "", &first))
	assert.Equal(t, map[string]int{"page": 1, "limit": 2, "total": 5, "totalPages": 3}, first.Pagination)
	assert.Equal(t, made[:2], []any{first.Data[0]["id"], first.Data[1]["id"]})
	assert.Equal(t, made[4:], api.itemIDs(url.Values{"limit": {"2"}, "page": {"3"}, "sort": {"createdAt:asc"}}))
	var pastTheEnd struct {
		Data       []map[string]any `json:"data"`
		Pagination map[string]int   `json:"pagination"`
	}
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?page=9", "", &pastTheEnd))
	assert.Empty(t, pastTheEnd.Data)
	assert.Equal(t, map[string]int{"page": 9, "limit": 10, "total": 5, "totalPages": 1}, pastTheEnd.Pagination)
}

func TestItemListSortsNewestFirstByDefault(t *testing.T) {
	api := startService(t)
	made := []any{}
	for range 3 {
		made = append(made, api.posted("items", nil)["id"])
	}
	newestFirst := slices.Clone(made)
	slices.Reverse(newestFirst)
	assert.Equal(t, newestFirst, api.itemIDs(nil))
	assert.Equal(t, made, api.itemIDs(url.Values{"sort": {"createdAt"}}))
	assert.Equal(t, made, api.itemIDs(url.Values{"sort": {"updatedAt:asc"}}))
}

func TestItemEqualSortValuesAreOrderedByID(t *testing.T) {
	api := startService(t)
	for range 3 {
		api.posted("items", nil)
	}
	_, err := api.Pool.Exec(t.Context(), `UPDATE items SET created_at = '2026-01-01T00:00:00Z', updated_at = '2026-01-01T00:00:00Z'`)
	require.NoError(t, err)
	for _, sort := range []string{"createdAt:desc", "updatedAt:asc"} {
		found := api.itemIDs(url.Values{"sort": {sort}})
		assert.True(t, slices.IsSortedFunc(found, func(a, b any) int { return strings.Compare(a.(string), b.(string)) }), sort)
	}
}

func TestItemTheListSortsOnEachSortableField(t *testing.T) {
	api := startService(t)
	for range 3 {
		api.posted("items", nil)
	}
	for field, kind := range map[string]string{
		"name": "text",
	} {
		ascending, descending := []any{}, []any{}
		for _, row := range api.itemRows(url.Values{"sort": {field}}) {
			ascending = append(ascending, row[field])
		}
		for _, row := range api.itemRows(url.Values{"sort": {field + ":desc"}}) {
			descending = append([]any{row[field]}, descending...)
		}
		assert.True(t, ordered(ascending, kind), "%s: %v", field, ascending)
		assert.True(t, ordered(descending, kind), "%s:desc: %v", field, descending)
	}
}

func TestItemEachFilterKeepsTheRowsItMatches(t *testing.T) {
	api := startService(t)
	rows := []map[string]any{}
	for range 3 {
		rows = append(rows, api.posted("items", nil))
	}
	for field, contains := range map[string]bool{
		"name": true,
	} {
		wanted := asText(rows[0][field])
		matched := []any{}
		for _, row := range rows {
			value := asText(row[field])
			// A string field's filter keeps the values that contain the text, ignoring case.
			if value == wanted || (contains && strings.Contains(strings.ToLower(value), strings.ToLower(wanted))) {
				matched = append(matched, row["id"])
			}
		}
		if contains {
			wanted = strings.ToUpper(wanted)
		}
		assert.ElementsMatch(t, matched, api.itemIDs(url.Values{"filter[" + field + "]": {wanted}}), field)
	}
}

func TestItemATextFilterTakesEveryCharacterLiterally(t *testing.T) {
	api := startService(t)
	field := "name"
	for _, value := range []string{"50% off", "500 off", "a_b", "axb", `back\slash`, "back"} {
		api.posted("items", map[string]any{field: value})
	}
	found := func(text string) []any {
		values := []any{}
		for _, row := range api.itemRows(url.Values{"filter[" + field + "]": {text}}) {
			values = append(values, row[field])
		}
		return values
	}
	assert.Equal(t, []any{"50% off"}, found("0%"))
	assert.Equal(t, []any{"a_b"}, found("_"))
	assert.Equal(t, []any{`back\slash`}, found(`\`))
	assert.Empty(t, found("nothing"))
}

func TestItemAbsentIDsAre404WithTheirIDAndMalformedOnes400(t *testing.T) {
	api := startService(t)
	missing := uuid.NewString()
	var absent struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	assert.Equal(t, http.StatusNotFound, api.call(http.MethodGet, itemsPath+"/"+strings.ToUpper(missing), "", &absent))
	assert.Equal(t, "NOT_FOUND", absent.Error.Code)
	assert.Equal(t, "item '"+missing+"' not found", absent.Error.Message)
	body := api.sampleBody("items")
	assert.Equal(t, http.StatusNotFound, api.send(http.MethodPut, itemsPath+"/"+missing, body, nil))
	assert.Equal(t, http.StatusNotFound, api.call(http.MethodPatch, itemsPath+"/"+missing, `{}`, nil))
	assert.Equal(t, http.StatusNotFound, api.call(http.MethodDelete, itemsPath+"/"+missing, "", nil))
	for _, id := range []string{"not-a-uuid", strings.ReplaceAll(missing, "-", "")} {
		assert.Equal(t, http.StatusBadRequest, api.call(http.MethodGet, itemsPath+"/"+id, "", nil), id)
		assert.Equal(t, http.StatusBadRequest, api.call(http.MethodDelete, itemsPath+"/"+id, "", nil), id)
	}
}
