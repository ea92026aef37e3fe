package handlers

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
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
	return models.Item{ID: someID, CreatedAt: created, UpdatedAt: created, Version: 1}
}

// itemBody is a valid body of POST and PUT with every field, and what it decodes to.
func itemBody() (string, models.ItemInput) {
	body := `{"name": "sample 1", "description": "sample 1"}`
	return body, models.ItemInput{
		Name:        "sample 1",
		Description: new("sample 1"),
	}
}

// itemBodyWith is itemBody with one member's value replaced.
func itemBodyWith(member, value string) string {
	body, _ := itemBody()
	var members map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &members); err != nil {
		panic(err)
	}
	members[member] = json.RawMessage(value)
	encoded, err := json.Marshal(members)
	if err != nil {
		panic(err)
	}
	return string(encoded)
}

func TestItemHasTheDocumentedFields(t *testing.T) {
	document := loadDocument(t)
	schemas := document.Components.Schemas
	encoded, err := json.Marshal(sampleItem())
	require.NoError(t, err)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(encoded, &fields))
	// Read: the fields, and the rows `include` may embed.
	assert.ElementsMatch(t, slices.Collect(maps.Keys(schemas["Item"].Properties)), append(slices.Collect(maps.Keys(fields)), models.ItemList.Include...))

	documentedInput := slices.Collect(maps.Keys(schemas["ItemInput"].Properties))
	assert.ElementsMatch(t, documentedInput, slices.Collect(maps.Keys(jsonFields(&models.ItemInput{}))))
	documentedPatch := slices.Collect(maps.Keys(schemas["ItemPatch"].Properties))
	assert.ElementsMatch(t, documentedPatch, slices.Collect(maps.Keys(jsonFields(&models.ItemPatch{}))))

	sorts := []string{}
	for field := range models.ItemList.Sort {
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
	assert.Equal(t, someID, page.Data[0]["id"])
	assert.Equal(t, "2026-01-02T03:04:05.000Z", page.Data[0]["createdAt"])
	assert.Equal(t, map[string]int{"page": 1, "limit": 10, "total": 1, "totalPages": 1}, page.Pagination)
}

func TestItemListReadsPageAndSort(t *testing.T) {
	f := newFixture(t, probe{})
	expected := models.ListQuery{Page: 2, Limit: 5, SortColumn: "name", Direction: models.Ascending}
	f.itemStore.On("List", mockAny, expected).Return([]models.Item{}, 6, nil)
	recorder := f.serve(http.MethodGet, itemsPath+"?page=2&limit=5&sort=name&unknown=1", bearer(t), "")
	assert.Equal(t, http.StatusOK, recorder.Code, recorder.Body.String())
	assert.Contains(t, recorder.Body.String(), `"data":[]`)

	descending := models.ListQuery{Page: 1, Limit: 10, SortColumn: "updated_at", Direction: models.Descending}
	f.itemStore.On("List", mockAny, descending).Return([]models.Item{}, 0, nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, itemsPath+"?sort=updatedAt:desc", bearer(t), "").Code)
}

func TestItemListReadsEachFilterAsItsFieldsType(t *testing.T) {
	f := newFixture(t, probe{})
	for _, filter := range []models.Filter{
		{Field: "name", Column: "name", Value: "100%_", Contains: true},
	} {
		expected := models.ListQuery{Page: 1, Limit: 10, SortColumn: "created_at", Direction: models.Descending, Filters: []models.Filter{filter}}
		f.itemStore.On("List", mockAny, expected).Return([]models.Item{}, 0, nil).Once()
	}
	for query, problem := range map[string]string{
		"filter[name]=100%25_": "",
		"filter[name]=":        "query.filter[name]",
	} {
		recorder := f.serve(http.MethodGet, itemsPath+"?"+query, bearer(t), "")
		if problem == "" {
			assert.Equal(t, http.StatusOK, recorder.Code, query)
		} else {
			assert.Equal(t, []string{problem}, problemFields(t, recorder), query)
		}
	}
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

func TestItemCreateDecodesEveryFieldAndAnswers201WithLocation(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := itemBody()
	f.itemStore.On("Create", mockAny, input).Return(sampleItem(), nil)

	recorder := f.serve(http.MethodPost, itemsPath, bearer(t), body)
	assert.Equal(t, http.StatusCreated, recorder.Code, recorder.Body.String())
	assert.Equal(t, itemsPath+"/"+someID, recorder.Header().Get("Location"))
}

func TestItemFieldsLeftOutGetTheirDefaults(t *testing.T) {
	f := newFixture(t, probe{})
	input := models.ItemInput{
		Name: "sample 1",
	}
	f.itemStore.On("Create", mockAny, input).Return(sampleItem(), nil)
	body := `{"name": "sample 1"}`
	assert.Equal(t, http.StatusCreated, f.serve(http.MethodPost, itemsPath, bearer(t), body).Code)
}

func TestItemBodiesRefuseAnInvalidValueOfEachField(t *testing.T) {
	f := newFixture(t, probe{})
	for member, value := range map[string]string{
		"name":        `" \t"`,
		"description": `7`,
	} {
		body := itemBodyWith(member, value)
		assert.Equal(t, []string{"body." + member}, problemFields(t, f.serve(http.MethodPost, itemsPath, bearer(t), body)), body)
		assert.Equal(t, []string{"body." + member}, problemFields(t, f.serve(http.MethodPatch, itemsPath+"/"+someID, bearer(t), `{"`+member+`": `+value+`}`)), member)
	}
	for _, member := range []string{"name"} {
		body := itemBodyWith(member, "null")
		assert.Equal(t, []string{"body." + member}, problemFields(t, f.serve(http.MethodPut, itemsPath+"/"+someID, bearer(t), body)), "required: not null")
	}
}

func TestItemANameAlreadyTakenIs409(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := itemBody()
	f.itemStore.On("Create", mockAny, input).Return(models.Item{}, &models.TakenError{Field: "name"})
	recorder := f.serve(http.MethodPost, itemsPath, bearer(t), body)
	assert.Equal(t, http.StatusConflict, recorder.Code)
	conflict := decodeError(t, recorder)
	assert.Equal(t, "CONFLICT", conflict.Error.Code)
	assert.Equal(t, "a item named 'sample 1' already exists", conflict.Error.Message)
}

func TestItemPutReplacesEveryField(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := itemBody()
	f.itemStore.On("Replace", mockAny, someID, input).Return(sampleItem(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPut, itemsPath+"/"+strings.ToUpper(someID), bearer(t), body).Code)
	fields := problemFields(t, f.serve(http.MethodPut, itemsPath+"/bad", bearer(t), `{"name": null}`))
	assert.Equal(t, []string{"path.id"}, fields, "a malformed id is reported alone")
}

func TestItemPatchSetsOnlyTheFieldsPresent(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Update", mockAny, someID, models.ItemPatch{}).Return(sampleItem(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, itemsPath+"/"+someID, bearer(t), `{}`).Code)
	changed := models.ItemPatch{Name: models.Some("sample 1")}
	f.itemStore.On("Update", mockAny, someID, changed).Return(sampleItem(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, itemsPath+"/"+someID, bearer(t), `{"name": "sample 1"}`).Code)
	cleared := models.ItemPatch{Description: models.Some[*string](nil)}
	f.itemStore.On("Update", mockAny, someID, cleared).Return(sampleItem(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, itemsPath+"/"+someID, bearer(t), `{"description": null}`).Code)
}

func TestItemDeleteReturns204Then404(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Delete", mockAny, someID).Return(nil).Once()
	f.itemStore.On("Delete", mockAny, someID).Return(models.ErrNotFound).Once()
	f.itemStore.On("Delete", mockAny, someID).Return(&models.ReferredError{By: "other-rows"}).Once()
	assert.Equal(t, http.StatusNoContent, f.serve(http.MethodDelete, itemsPath+"/"+someID, bearer(t), "").Code)
	assert.Equal(t, http.StatusNotFound, f.serve(http.MethodDelete, itemsPath+"/"+someID, bearer(t), "").Code)
	recorder := f.serve(http.MethodDelete, itemsPath+"/"+someID, bearer(t), "")
	assert.Equal(t, http.StatusConflict, recorder.Code)
	assert.Equal(t, "item '"+someID+"' is referred to by other-rows", decodeError(t, recorder).Error.Message)
}

func TestItemACallerWithoutRolesReadsButMayNotWrite(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("List", mockAny, mockAny).Return([]models.Item{}, 0, nil)
	f.itemStore.On("Get", mockAny, someID).Return(sampleItem(), nil)
	reader := bearerWith(t)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, itemsPath, reader, "").Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, itemsPath+"/"+someID, reader, "").Code)

	body, _ := itemBody()
	assertForbidden(t, f.serve(http.MethodPost, itemsPath, reader, body), "requires the role editor or admin")
	assertForbidden(t, f.serve(http.MethodPut, itemsPath+"/"+someID, reader, body), "requires the role editor or admin")
	assertForbidden(t, f.serve(http.MethodPatch, itemsPath+"/"+someID, reader, `{}`), "requires the role editor or admin")
	assertForbidden(t, f.serve(http.MethodDelete, itemsPath+"/"+someID, reader, ""), "requires the role admin")
	other := bearerWith(t, "viewer", "Admin")
	assertForbidden(t, f.serve(http.MethodDelete, itemsPath+"/"+someID, other, ""), "requires the role admin")
}

func TestItemAnEditorWritesButOnlyAnAdminDeletes(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := itemBody()
	f.itemStore.On("Create", mockAny, input).Return(sampleItem(), nil)
	f.itemStore.On("Replace", mockAny, someID, input).Return(sampleItem(), nil)
	f.itemStore.On("Update", mockAny, someID, models.ItemPatch{}).Return(sampleItem(), nil)
	f.itemStore.On("Delete", mockAny, someID).Return(nil).Once()
	editor := bearerWith(t, "viewer", "editor")
	assert.Equal(t, http.StatusCreated, f.serve(http.MethodPost, itemsPath, editor, body).Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPut, itemsPath+"/"+someID, editor, body).Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, itemsPath+"/"+someID, editor, `{}`).Code)
	assertForbidden(t, f.serve(http.MethodDelete, itemsPath+"/"+someID, editor, ""), "requires the role admin")
	assert.Equal(t, http.StatusNoContent, f.serve(http.MethodDelete, itemsPath+"/"+someID, bearerWith(t, "admin"), "").Code)
}

func TestItemTheRoleIsCheckedBeforeTheBodyOrTheID(t *testing.T) {
	f := newFixture(t, probe{}) // no call expected: a 403 reaches no store
	// A request of a caller without roles, its body sent as contentType.
	request := func(method, path, contentType, body string) *http.Request {
		request := httptest.NewRequest(method, path, strings.NewReader(body))
		request.Header.Set("Content-Type", contentType)
		request.Header.Set("Authorization", bearerWith(t))
		return request
	}
	tooLarge := request(http.MethodPost, itemsPath, "application/json", "")
	tooLarge.Body, tooLarge.ContentLength = io.NopCloser(failingBody{}), bodyLimit+1
	for name, sent := range map[string]*http.Request{
		"no body":                  request(http.MethodPost, itemsPath, "application/json", ""),
		"malformed JSON":           request(http.MethodPost, itemsPath, "application/json", `{"`),
		"not JSON":                 request(http.MethodPut, itemsPath+"/"+someID, "text/plain", "name"),
		"too large (and not read)": tooLarge,
		"a malformed id to change": request(http.MethodPatch, itemsPath+"/not-an-id", "application/json", `{}`),
		"a malformed id to delete": request(http.MethodDelete, itemsPath+"/not-an-id", "application/json", ""),
		"an absent item to delete": request(http.MethodDelete, itemsPath+"/"+someID, "application/json", ""),
	} {
		t.Run(name, func(t *testing.T) {
			recorder := f.send(sent)
			assert.Equal(t, http.StatusForbidden, recorder.Code, recorder.Body.String())
			assert.Equal(t, "FORBIDDEN", decodeError(t, recorder).Error.Code)
		})
	}
}
