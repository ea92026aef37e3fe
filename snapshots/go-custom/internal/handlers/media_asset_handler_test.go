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

	"github.com/visiobook/asset-library/internal/models"
)

const mediaAssetsPath = "/api/v1/media-assets"

func sampleMediaAsset() models.MediaAsset {
	created := models.Timestamp{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return models.MediaAsset{ID: someID, CreatedAt: created, UpdatedAt: created, Version: 1}
}

// mediaAssetBody is a valid body of POST and PUT with every field, and what it decodes to.
func mediaAssetBody() (string, models.MediaAssetInput) {
	body := `{"name": "sample 1", "description": "sample 1"}`
	return body, models.MediaAssetInput{
		Name:        "sample 1",
		Description: new("sample 1"),
	}
}

// mediaAssetBodyWith is mediaAssetBody with one member's value replaced.
func mediaAssetBodyWith(member, value string) string {
	body, _ := mediaAssetBody()
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

func TestMediaAssetHasTheDocumentedFields(t *testing.T) {
	document := loadDocument(t)
	schemas := document.Components.Schemas
	encoded, err := json.Marshal(sampleMediaAsset())
	require.NoError(t, err)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(encoded, &fields))
	// Read: the fields, and the rows `include` may embed.
	assert.ElementsMatch(t, slices.Collect(maps.Keys(schemas["MediaAsset"].Properties)), append(slices.Collect(maps.Keys(fields)), models.MediaAssetList.Include...))

	documentedInput := slices.Collect(maps.Keys(schemas["MediaAssetInput"].Properties))
	assert.ElementsMatch(t, documentedInput, slices.Collect(maps.Keys(jsonFields(&models.MediaAssetInput{}))))
	documentedPatch := slices.Collect(maps.Keys(schemas["MediaAssetPatch"].Properties))
	assert.ElementsMatch(t, documentedPatch, slices.Collect(maps.Keys(jsonFields(&models.MediaAssetPatch{}))))

	sorts := []string{}
	for field := range models.MediaAssetList.Sort {
		sorts = append(sorts, field, field+":asc", field+":desc")
	}
	assert.ElementsMatch(t, sortOrders(t, document, mediaAssetsPath), sorts)
}

func TestMediaAssetListUsesTheContractDefaults(t *testing.T) {
	f := newFixture(t, probe{})
	expected := models.ListQuery{Page: 1, Limit: 10, SortColumn: "created_at", Direction: models.Descending}
	f.mediaAssetStore.On("List", mockAny, expected).Return([]models.MediaAsset{sampleMediaAsset()}, 1, nil)

	recorder := f.serve(http.MethodGet, mediaAssetsPath, bearer(t), "")
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

func TestMediaAssetListReadsPageAndSort(t *testing.T) {
	f := newFixture(t, probe{})
	expected := models.ListQuery{Page: 2, Limit: 5, SortColumn: "name", Direction: models.Ascending}
	f.mediaAssetStore.On("List", mockAny, expected).Return([]models.MediaAsset{}, 6, nil)
	recorder := f.serve(http.MethodGet, mediaAssetsPath+"?page=2&limit=5&sort=name&unknown=1", bearer(t), "")
	assert.Equal(t, http.StatusOK, recorder.Code, recorder.Body.String())
	assert.Contains(t, recorder.Body.String(), `"data":[]`)

	descending := models.ListQuery{Page: 1, Limit: 10, SortColumn: "updated_at", Direction: models.Descending}
	f.mediaAssetStore.On("List", mockAny, descending).Return([]models.MediaAsset{}, 0, nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, mediaAssetsPath+"?sort=updatedAt:desc", bearer(t), "").Code)
}

func TestMediaAssetListReadsEachFilterAsItsFieldsType(t *testing.T) {
	f := newFixture(t, probe{})
	for _, filter := range []models.Filter{
		{Field: "name", Column: "name", Value: "100%_", Contains: true},
	} {
		expected := models.ListQuery{Page: 1, Limit: 10, SortColumn: "created_at", Direction: models.Descending, Filters: []models.Filter{filter}}
		f.mediaAssetStore.On("List", mockAny, expected).Return([]models.MediaAsset{}, 0, nil).Once()
	}
	for query, problem := range map[string]string{
		"filter[name]=100%25_": "",
		"filter[name]=":        "query.filter[name]",
	} {
		recorder := f.serve(http.MethodGet, mediaAssetsPath+"?"+query, bearer(t), "")
		if problem == "" {
			assert.Equal(t, http.StatusOK, recorder.Code, query)
		} else {
			assert.Equal(t, []string{problem}, problemFields(t, recorder), query)
		}
	}
}

func TestMediaAssetGetReturnsOneAnd404sForAnAbsentID(t *testing.T) {
	f := newFixture(t, probe{})
	f.mediaAssetStore.On("Get", mockAny, someID).Return(sampleMediaAsset(), nil)
	absent := "11111111-2222-3333-4444-555555555555"
	f.mediaAssetStore.On("Get", mockAny, absent).Return(models.MediaAsset{}, models.ErrNotFound)

	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, mediaAssetsPath+"/"+someID, bearer(t), "").Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, mediaAssetsPath+"/"+strings.ToUpper(someID), bearer(t), "").Code, "any case")
	recorder := f.serve(http.MethodGet, mediaAssetsPath+"/"+absent, bearer(t), "")
	assert.Equal(t, http.StatusNotFound, recorder.Code)
	body := decodeError(t, recorder)
	assert.Equal(t, "NOT_FOUND", body.Error.Code)
	assert.Equal(t, "media-asset '"+absent+"' not found", body.Error.Message)
}

func TestMediaAssetCreateDecodesEveryFieldAndAnswers201WithLocation(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := mediaAssetBody()
	f.mediaAssetStore.On("Create", mockAny, input).Return(sampleMediaAsset(), nil)

	recorder := f.serve(http.MethodPost, mediaAssetsPath, bearer(t), body)
	assert.Equal(t, http.StatusCreated, recorder.Code, recorder.Body.String())
	assert.Equal(t, mediaAssetsPath+"/"+someID, recorder.Header().Get("Location"))
}

func TestMediaAssetFieldsLeftOutGetTheirDefaults(t *testing.T) {
	f := newFixture(t, probe{})
	input := models.MediaAssetInput{
		Name: "sample 1",
	}
	f.mediaAssetStore.On("Create", mockAny, input).Return(sampleMediaAsset(), nil)
	body := `{"name": "sample 1"}`
	assert.Equal(t, http.StatusCreated, f.serve(http.MethodPost, mediaAssetsPath, bearer(t), body).Code)
}

func TestMediaAssetBodiesRefuseAnInvalidValueOfEachField(t *testing.T) {
	f := newFixture(t, probe{})
	for member, value := range map[string]string{
		"name":        `" \t"`,
		"description": `7`,
	} {
		body := mediaAssetBodyWith(member, value)
		assert.Equal(t, []string{"body." + member}, problemFields(t, f.serve(http.MethodPost, mediaAssetsPath, bearer(t), body)), body)
		assert.Equal(t, []string{"body." + member}, problemFields(t, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, bearer(t), `{"`+member+`": `+value+`}`)), member)
	}
	for _, member := range []string{"name"} {
		body := mediaAssetBodyWith(member, "null")
		assert.Equal(t, []string{"body." + member}, problemFields(t, f.serve(http.MethodPut, mediaAssetsPath+"/"+someID, bearer(t), body)), "required: not null")
	}
}

func TestMediaAssetANameAlreadyTakenIs409(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := mediaAssetBody()
	f.mediaAssetStore.On("Create", mockAny, input).Return(models.MediaAsset{}, &models.TakenError{Field: "name"})
	recorder := f.serve(http.MethodPost, mediaAssetsPath, bearer(t), body)
	assert.Equal(t, http.StatusConflict, recorder.Code)
	conflict := decodeError(t, recorder)
	assert.Equal(t, "CONFLICT", conflict.Error.Code)
	assert.Equal(t, "a media-asset named 'sample 1' already exists", conflict.Error.Message)
}

func TestMediaAssetPutReplacesEveryField(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := mediaAssetBody()
	f.mediaAssetStore.On("Replace", mockAny, someID, input).Return(sampleMediaAsset(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPut, mediaAssetsPath+"/"+strings.ToUpper(someID), bearer(t), body).Code)
	fields := problemFields(t, f.serve(http.MethodPut, mediaAssetsPath+"/bad", bearer(t), `{"name": null}`))
	assert.Equal(t, []string{"path.id"}, fields, "a malformed id is reported alone")
}

func TestMediaAssetPatchSetsOnlyTheFieldsPresent(t *testing.T) {
	f := newFixture(t, probe{})
	f.mediaAssetStore.On("Update", mockAny, someID, models.MediaAssetPatch{}).Return(sampleMediaAsset(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, bearer(t), `{}`).Code)
	changed := models.MediaAssetPatch{Name: models.Some("sample 1")}
	f.mediaAssetStore.On("Update", mockAny, someID, changed).Return(sampleMediaAsset(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, bearer(t), `{"name": "sample 1"}`).Code)
	cleared := models.MediaAssetPatch{Description: models.Some[*string](nil)}
	f.mediaAssetStore.On("Update", mockAny, someID, cleared).Return(sampleMediaAsset(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, bearer(t), `{"description": null}`).Code)
}

func TestMediaAssetDeleteReturns204Then404(t *testing.T) {
	f := newFixture(t, probe{})
	f.mediaAssetStore.On("Delete", mockAny, someID).Return(nil).Once()
	f.mediaAssetStore.On("Delete", mockAny, someID).Return(models.ErrNotFound).Once()
	f.mediaAssetStore.On("Delete", mockAny, someID).Return(&models.ReferredError{By: "other-rows"}).Once()
	assert.Equal(t, http.StatusNoContent, f.serve(http.MethodDelete, mediaAssetsPath+"/"+someID, bearer(t), "").Code)
	assert.Equal(t, http.StatusNotFound, f.serve(http.MethodDelete, mediaAssetsPath+"/"+someID, bearer(t), "").Code)
	recorder := f.serve(http.MethodDelete, mediaAssetsPath+"/"+someID, bearer(t), "")
	assert.Equal(t, http.StatusConflict, recorder.Code)
	assert.Equal(t, "media-asset '"+someID+"' is referred to by other-rows", decodeError(t, recorder).Error.Message)
}

func TestMediaAssetACallerWithoutRolesReadsButMayNotWrite(t *testing.T) {
	f := newFixture(t, probe{})
	f.mediaAssetStore.On("List", mockAny, mockAny).Return([]models.MediaAsset{}, 0, nil)
	f.mediaAssetStore.On("Get", mockAny, someID).Return(sampleMediaAsset(), nil)
	reader := bearerWith(t)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, mediaAssetsPath, reader, "").Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, mediaAssetsPath+"/"+someID, reader, "").Code)

	body, _ := mediaAssetBody()
	assertForbidden(t, f.serve(http.MethodPost, mediaAssetsPath, reader, body), "requires the role editor or admin")
	assertForbidden(t, f.serve(http.MethodPut, mediaAssetsPath+"/"+someID, reader, body), "requires the role editor or admin")
	assertForbidden(t, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, reader, `{}`), "requires the role editor or admin")
	assertForbidden(t, f.serve(http.MethodDelete, mediaAssetsPath+"/"+someID, reader, ""), "requires the role admin")
	other := bearerWith(t, "viewer", "Admin")
	assertForbidden(t, f.serve(http.MethodDelete, mediaAssetsPath+"/"+someID, other, ""), "requires the role admin")
}

func TestMediaAssetAnEditorWritesButOnlyAnAdminDeletes(t *testing.T) {
	f := newFixture(t, probe{})
	body, input := mediaAssetBody()
	f.mediaAssetStore.On("Create", mockAny, input).Return(sampleMediaAsset(), nil)
	f.mediaAssetStore.On("Replace", mockAny, someID, input).Return(sampleMediaAsset(), nil)
	f.mediaAssetStore.On("Update", mockAny, someID, models.MediaAssetPatch{}).Return(sampleMediaAsset(), nil)
	f.mediaAssetStore.On("Delete", mockAny, someID).Return(nil).Once()
	editor := bearerWith(t, "viewer", "editor")
	assert.Equal(t, http.StatusCreated, f.serve(http.MethodPost, mediaAssetsPath, editor, body).Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPut, mediaAssetsPath+"/"+someID, editor, body).Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, editor, `{}`).Code)
	assertForbidden(t, f.serve(http.MethodDelete, mediaAssetsPath+"/"+someID, editor, ""), "requires the role admin")
	assert.Equal(t, http.StatusNoContent, f.serve(http.MethodDelete, mediaAssetsPath+"/"+someID, bearerWith(t, "admin"), "").Code)
}

func TestMediaAssetTheRoleIsCheckedBeforeTheBodyOrTheID(t *testing.T) {
	f := newFixture(t, probe{}) // no call expected: a 403 reaches no store
	// A request of a caller without roles, its body sent as contentType.
	request := func(method, path, contentType, body string) *http.Request {
		request := httptest.NewRequest(method, path, strings.NewReader(body))
		request.Header.Set("Content-Type", contentType)
		request.Header.Set("Authorization", bearerWith(t))
		return request
	}
	tooLarge := request(http.MethodPost, mediaAssetsPath, "application/json", "")
	tooLarge.Body, tooLarge.ContentLength = io.NopCloser(failingBody{}), bodyLimit+1
	for name, sent := range map[string]*http.Request{
		"no body":                  request(http.MethodPost, mediaAssetsPath, "application/json", ""),
		"malformed JSON":           request(http.MethodPost, mediaAssetsPath, "application/json", `{"`),
		"not JSON":                 request(http.MethodPut, mediaAssetsPath+"/"+someID, "text/plain", "name"),
		"too large (and not read)": tooLarge,
		"a malformed id to change": request(http.MethodPatch, mediaAssetsPath+"/not-an-id", "application/json", `{}`),
		"a malformed id to delete": request(http.MethodDelete, mediaAssetsPath+"/not-an-id", "application/json", ""),
		"an absent item to delete": request(http.MethodDelete, mediaAssetsPath+"/"+someID, "application/json", ""),
	} {
		t.Run(name, func(t *testing.T) {
			recorder := f.send(sent)
			assert.Equal(t, http.StatusForbidden, recorder.Code, recorder.Body.String())
			assert.Equal(t, "FORBIDDEN", decodeError(t, recorder).Error.Code)
		})
	}
}
