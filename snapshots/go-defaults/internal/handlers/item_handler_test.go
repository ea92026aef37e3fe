package handlers

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/models"
)

const itemsPath = "/api/v1/items"

func sampleItem() models.Item {
	created := models.Timestamp{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return models.Item{ID: someID, Name: "first", CreatedAt: created, UpdatedAt: created, Version: 1}
}

func TestItemHasTheDocumentedFields(t *testing.T) {
	document := loadDocument(t)
	schemas := document.Components.Schemas
	encoded, err := json.Marshal(sampleItem())
	require.NoError(t, err)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(encoded, &fields))
	assert.ElementsMatch(t, slices.Collect(maps.Keys(schemas["Item"].Properties)), slices.Collect(maps.Keys(fields)))

	documentedInput := slices.Collect(maps.Keys(schemas["ItemInput"].Properties))
	assert.ElementsMatch(t, documentedInput, slices.Collect(maps.Keys(jsonFields(&models.ItemInput{}))))
	documentedPatch := slices.Collect(maps.Keys(schemas["ItemPatch"].Properties))
	assert.ElementsMatch(t, documentedPatch, slices.Collect(maps.Keys(jsonFields(&models.ItemPatch{}))))

	sorts := []string{}
	for field := range models.ItemSortFields {
		sorts = append(sorts, field, field+":asc", field+":desc")
	}
	assert.ElementsMatch(t, sortOrders(t, document, itemsPath), sorts)
}

func TestItemListUsesTheContractDefaults(t *testing.T) {
	f := newFixture(t, probe{})
	expected := models.ListQuery{Page: 1, Limit: 10, SortColumn: "created_at", Direction: models.Descending}
	f.itemStore.On("List", mockAny, expected).Return([]models.Item{sampleItem()}, 1, nil)

	recorder := f.serve(http.MethodGet, itemsPath, bearer(t), "")
	require.Equal(t, http.StatusOK, recorder.Code, recorder.Body.String())
	var page struct {
		Data       []map[string]any `json:"data"`
		Pagination map[string]int   `json:"pagination"`
	}
	require.NoError(t, json.Unmarshal(recorder.Body.Bytes(), &page))
	require.Len(t, page.Data, 1)
	assert.Equal(t, map[string]any{
		"id": someID, "name": "first", "description": nil,
		"createdAt": "2026-01-02T03:04:05.000Z", "updatedAt": "2026-01-02T03:04:05.000Z", "version": 1.0,
	}, page.Data[0])
	assert.Equal(t, map[string]int{"page": 1, "limit": 10, "total": 1, "totalPages": 1}, page.Pagination)
}

func TestItemListReadsPageSortAndFilter(t *testing.T) {
	f := newFixture(t, probe{})
	expected := models.ListQuery{Page: 2, Limit: 5, SortColumn: "name", Direction: models.Ascending, NameFilter: "100%_"}
	f.itemStore.On("List", mockAny, expected).Return([]models.Item{}, 6, nil)

	recorder := f.serve(http.MethodGet, itemsPath+"?page=2&limit=5&sort=name&filter[name]=100%25_&unknown=1", bearer(t), "")
	assert.Equal(t, http.StatusOK, recorder.Code, recorder.Body.String())
	assert.Contains(t, recorder.Body.String(), `"data":[]`)

	descending := models.ListQuery{Page: 1, Limit: 10, SortColumn: "updated_at", Direction: models.Descending}
	f.itemStore.On("List", mockAny, descending).Return([]models.Item{}, 0, nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, itemsPath+"?sort=updatedAt:desc", bearer(t), "").Code)
}

func TestItemListRefusesBadParametersNamingEachOne(t *testing.T) {
	f := newFixture(t, probe{})
	for query, expected := range map[string][]string{
		"?page=0&limit=101&sort=password:desc&filter[name]=" + strings.Repeat("x", 201): {"query.page", "query.limit", "query.sort", "query.filter[name]"},
		"?page=1.0&limit=+1":             {"query.page", "query.limit"},
		"?page=%201&limit=0x1":           {"query.page", "query.limit"},
		"?page=9223372036854775807":      {"query.page"},
		"?page=99999999999999999999999":  {"query.page"},
		"?page=1&page=2":                 {"query.page"},
		"?sort=name:sideways":            {"query.sort"},
		"?sort=name:":                    {"query.sort"},
		"?sort=created_at":               {"query.sort"},
		"?filter[name]=":                 {"query.filter[name]"},
		"?filter[name]=a%00b":            {"query.filter[name]"},
		"?filter[name]=%FF":              {"query.filter[name]"},
		"?filter[name]=a&filter[name]=b": {"query.filter[name]"},
	} {
		assert.ElementsMatch(t, expected, problemFields(t, f.serve(http.MethodGet, itemsPath+query, bearer(t), "")), query)
	}
	// Characters, not bytes: 200 of them is the most a filter may have.
	f.itemStore.On("List", mockAny, mockAny).Return([]models.Item{}, 0, nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, itemsPath+"?filter[name]="+strings.Repeat("é", 200), bearer(t), "").Code)
}

func TestItemGetReturnsOneAnd404sForAnAbsentID(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Get", mockAny, someID).Return(sampleItem(), nil)
	absent := "11111111-2222-3333-4444-555555555555"
	f.itemStore.On("Get", mockAny, absent).Return(models.Item{}, models.ErrNotFound)

	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, itemsPath+"/"+someID, bearer(t), "").Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, itemsPath+"/"+strings.ToUpper(someID), bearer(t), "").Code, "any case")
	recorder := f.serve(http.MethodGet, itemsPath+"/"+absent, bearer(t), "")
	assert.Equal(t, http.StatusNotFound, recorder.Code)
	body := decodeError(t, recorder)
	assert.Equal(t, "NOT_FOUND", body.Error.Code)
	assert.Equal(t, "item '"+absent+"' not found", body.Error.Message)
}

func TestItemMalformedIDsAre400WhateverTheMethod(t *testing.T) {
	f := newFixture(t, probe{})
	for _, id := range []string{"missing", "{" + someID + "}", "urn:uuid:" + someID, strings.ReplaceAll(someID, "-", ""), someID + "0"} {
		for _, method := range []string{http.MethodGet, http.MethodDelete} {
			assert.Equal(t, []string{"path.id"}, problemFields(t, f.serve(method, itemsPath+"/"+id, bearer(t), "")), method+" "+id)
		}
		for _, method := range []string{http.MethodPut, http.MethodPatch} {
			fields := problemFields(t, f.serve(method, itemsPath+"/"+id, bearer(t), `{"name": "ok"}`))
			assert.Equal(t, []string{"path.id"}, fields, method+" "+id)
		}
	}
}

func TestItemCreateReturns201WithLocation(t *testing.T) {
	f := newFixture(t, probe{})
	description := "a description"
	f.itemStore.On("Create", mockAny, models.ItemInput{Name: "first", Description: &description}).Return(sampleItem(), nil)

	recorder := f.serve(http.MethodPost, itemsPath, bearer(t), `{"name": "first", "description": "a description"}`)
	assert.Equal(t, http.StatusCreated, recorder.Code, recorder.Body.String())
	assert.Equal(t, itemsPath+"/"+someID, recorder.Header().Get("Location"))
}

func TestItemBodiesAreCheckedInTheContractOrder(t *testing.T) {
	f := newFixture(t, probe{})
	send := func(contentType, encoding string, body string, length int64) *httptest.ResponseRecorder {
		request := httptest.NewRequest(http.MethodPost, itemsPath, strings.NewReader(body))
		request.ContentLength = length
		request.Header.Set("Authorization", bearer(t))
		request.Header.Set("Content-Type", contentType)
		request.Header.Set("Content-Encoding", encoding)
		return f.send(request)
	}
	large := `{"name": "` + strings.Repeat("n", bodyLimit) + `"}`

	assert.Equal(t, []string{"body"}, problemFields(t, send("text/plain", "gzip", "", 0)), "no body comes first")
	for _, contentType := range []string{"", "text/plain", "application/json; charset=latin1", "application/jsonx", "application/merge-patch+json"} {
		recorder := send(contentType, "", large, int64(len(large)))
		assert.Equal(t, http.StatusUnsupportedMediaType, recorder.Code, contentType)
		assert.Equal(t, "request body must be application/json", decodeError(t, recorder).Error.Message)
	}
	assert.Equal(t, http.StatusUnsupportedMediaType, send("application/json", "gzip", large, int64(len(large))).Code)

	request := httptest.NewRequest(http.MethodPost, itemsPath, failingBody{})
	request.ContentLength = bodyLimit + 1
	request.Header.Set("Authorization", bearer(t))
	request.Header.Set("Content-Type", "application/json")
	recorder := f.send(request)
	assert.Equal(t, http.StatusRequestEntityTooLarge, recorder.Code, "refused from Content-Length, before reading")
	body := decodeError(t, recorder)
	assert.Equal(t, "CONTENT_TOO_LARGE", body.Error.Code)
	assert.Equal(t, "request body is larger than "+strconv.Itoa(bodyLimit)+" bytes", body.Error.Message)
	assert.Equal(t, http.StatusRequestEntityTooLarge, send("application/json", "", large, -1).Code, "chunked")

	assert.Equal(t, []string{"body"}, problemFields(t, send("application/json", "", `{"name": `, -1)), "then malformed JSON")
	f.itemStore.On("Create", mockAny, models.ItemInput{Name: "n"}).Return(sampleItem(), nil)
	for _, contentType := range []string{"application/json", "Application/JSON; charset=UTF-8", `application/json; charset="utf-8"`} {
		assert.Equal(t, http.StatusCreated, send(contentType, "identity", `{"name": "n"}`, -1).Code, contentType)
	}
}

func TestItemCreateRefusesInvalidBodies(t *testing.T) {
	f := newFixture(t, probe{})
	for body, expected := range map[string][]string{
		`{"name": "ok"} {"name": "again"}`:        {"body"},
		`[1, 2]`:                                  {"body"},
		`null`:                                    {"body"},
		`"name"`:                                  {"body"},
		"{\"name\": \"\xff\"}":                    {"body"},
		`{}`:                                      {"body.name"},
		`{"name": ""}`:                            {"body.name"},
		"{\"name\": \" \\t\\r\\n\"}":              {"body.name"},
		`{"name": 42}`:                            {"body.name"},
		`{"name": null}`:                          {"body.name"},
		`{"name": "a\u0000b"}`:                    {"body.name"},
		`{"name": "a\ud800b"}`:                    {"body.name"},
		`{"name": "a\udc00"}`:                     {"body.name"},
		`{"name": "a\ud800\u0041"}`:               {"body.name"},
		`{"name": "ok", "owner": "me"}`:           {"body.owner"},
		`{"Name": "ok"}`:                          {"body.Name"},
		`{"name": "ok", "description": 7}`:        {"body.description"},
		`{"name": "ok", "description": "\u0000"}`: {"body.description"},
		`{"name": "` + strings.Repeat("é", 201) + `"}`:                        {"body.name"},
		`{"name": "ok", "description": "` + strings.Repeat("d", 10001) + `"}`: {"body.description"},
	} {
		assert.ElementsMatch(t, expected, problemFields(t, f.serve(http.MethodPost, itemsPath, bearer(t), body)), body)
	}
}

func TestItemCreateStoresNamesAsSent(t *testing.T) {
	f := newFixture(t, probe{})
	for body, name := range map[string]string{
		`{"name": "\u00a0"}`:                           "\u00a0",
		`{"name": " padded "}`:                         " padded ",
		`{"name": "\ud83d\ude00 \\ud800"}`:             "😀 \\ud800",
		`{"name": "` + strings.Repeat("é", 200) + `"}`: strings.Repeat("é", 200),
	} {
		f.itemStore.On("Create", mockAny, models.ItemInput{Name: name}).Return(sampleItem(), nil).Once()
		assert.Equal(t, http.StatusCreated, f.serve(http.MethodPost, itemsPath, bearer(t), body).Code, body)
	}
}

func TestItemCreateOfATakenNameIs409(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Create", mockAny, mockAny).Return(models.Item{}, models.ErrNameTaken)
	recorder := f.serve(http.MethodPost, itemsPath, bearer(t), `{"name": "first"}`)
	assert.Equal(t, http.StatusConflict, recorder.Code)
	body := decodeError(t, recorder)
	assert.Equal(t, "CONFLICT", body.Error.Code)
	assert.Equal(t, "a item named 'first' already exists", body.Error.Message)
}

func TestItemPutReplacesEveryField(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Replace", mockAny, someID, models.ItemInput{Name: "renamed"}).Return(sampleItem(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPut, itemsPath+"/"+strings.ToUpper(someID), bearer(t), `{"name": "renamed"}`).Code)
	assert.Equal(t, []string{"body.name"}, problemFields(t, f.serve(http.MethodPut, itemsPath+"/"+someID, bearer(t), `{}`)))
	fields := problemFields(t, f.serve(http.MethodPut, itemsPath+"/bad", bearer(t), `{"name": " "}`))
	assert.Equal(t, []string{"path.id"}, fields, "a malformed id is reported alone")
}

func TestItemPatchTellsAbsentFieldsFromNulls(t *testing.T) {
	f := newFixture(t, probe{})
	clearDescription := models.ItemPatch{Description: models.Some[*string](nil)}
	f.itemStore.On("Update", mockAny, someID, clearDescription).Return(sampleItem(), nil)
	f.itemStore.On("Update", mockAny, someID, models.ItemPatch{}).Return(sampleItem(), nil)

	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, itemsPath+"/"+someID, bearer(t), `{"description": null}`).Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, itemsPath+"/"+someID, bearer(t), `{}`).Code)

	for body, field := range map[string]string{
		`{"name": null}`: "body.name",
		`{"name": ""}`:   "body.name",
		`{"name": 42}`:   "body.name",
		`{"description": "` + strings.Repeat("d", 10001) + `"}`: "body.description",
		`{"description": ["x"]}`:                                "body.description",
	} {
		assert.Equal(t, []string{field}, problemFields(t, f.serve(http.MethodPatch, itemsPath+"/"+someID, bearer(t), body)), body)
	}
}

func TestItemDeleteReturns204Then404(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Delete", mockAny, someID).Return(nil).Once()
	f.itemStore.On("Delete", mockAny, someID).Return(models.ErrNotFound).Once()
	assert.Equal(t, http.StatusNoContent, f.serve(http.MethodDelete, itemsPath+"/"+someID, bearer(t), "").Code)
	assert.Equal(t, http.StatusNotFound, f.serve(http.MethodDelete, itemsPath+"/"+someID, bearer(t), "").Code)
}
