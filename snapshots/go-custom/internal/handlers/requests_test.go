package handlers

// How every resource reads its requests (requests.go), shown on the example resource, which
// every service has: bodies, ids and list parameters.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/asset-library/internal/models"
	"github.com/visiobook/asset-library/internal/utils"
)

func TestListRefusesBadParametersNamingEachOne(t *testing.T) {
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
		assert.ElementsMatch(t, expected, problemFields(t, f.serve(http.MethodGet, mediaAssetsPath+query, bearer(t), "")), query)
	}
	// Characters, not bytes: 200 of them is the most a filter may have.
	f.mediaAssetStore.On("List", mockAny, mockAny).Return([]models.MediaAsset{}, 0, nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, mediaAssetsPath+"?filter[name]="+strings.Repeat("é", 200), bearer(t), "").Code)
}

func TestMalformedIDsAre400WhateverTheMethod(t *testing.T) {
	f := newFixture(t, probe{})
	for _, id := range []string{"missing", "{" + someID + "}", "urn:uuid:" + someID, strings.ReplaceAll(someID, "-", ""), someID + "0"} {
		for _, method := range []string{http.MethodGet, http.MethodDelete} {
			assert.Equal(t, []string{"path.id"}, problemFields(t, f.serve(method, mediaAssetsPath+"/"+id, bearer(t), "")), method+" "+id)
		}
		for _, method := range []string{http.MethodPut, http.MethodPatch} {
			fields := problemFields(t, f.serve(method, mediaAssetsPath+"/"+id, bearer(t), `{"name": "ok"}`))
			assert.Equal(t, []string{"path.id"}, fields, method+" "+id)
		}
	}
}

func TestBodiesAreCheckedInTheContractOrder(t *testing.T) {
	f := newFixture(t, probe{})
	send := func(contentType, encoding string, body string, length int64) *httptest.ResponseRecorder {
		request := httptest.NewRequest(http.MethodPost, mediaAssetsPath, strings.NewReader(body))
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

	request := httptest.NewRequest(http.MethodPost, mediaAssetsPath, failingBody{})
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
	f.mediaAssetStore.On("Create", mockAny, models.MediaAssetInput{Name: "n"}).Return(sampleMediaAsset(), nil)
	for _, contentType := range []string{"application/json", "Application/JSON; charset=UTF-8", `application/json; charset="utf-8"`} {
		assert.Equal(t, http.StatusCreated, send(contentType, "identity", `{"name": "n"}`, -1).Code, contentType)
	}
}

func TestBodiesWithInvalidMembersAre400NamingEachOne(t *testing.T) {
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
		`{"Name": "ok"}`:                          {"body.Name", "body.name"},
		`{"name": "ok", "description": 7}`:        {"body.description"},
		`{"name": "ok", "description": "\u0000"}`: {"body.description"},
		`{"name": "` + strings.Repeat("é", 201) + `"}`:                        {"body.name"},
		`{"name": "ok", "description": "` + strings.Repeat("d", 10001) + `"}`: {"body.description"},
	} {
		assert.ElementsMatch(t, expected, problemFields(t, f.serve(http.MethodPost, mediaAssetsPath, bearer(t), body)), body)
	}
}

func TestTextIsStoredAsSent(t *testing.T) {
	f := newFixture(t, probe{})
	for body, name := range map[string]string{
		`{"name": "\u00a0"}`:                           "\u00a0",
		`{"name": " padded "}`:                         " padded ",
		`{"name": "\ud83d\ude00 \\ud800"}`:             "😀 \\ud800",
		`{"name": "` + strings.Repeat("é", 200) + `"}`: strings.Repeat("é", 200),
	} {
		f.mediaAssetStore.On("Create", mockAny, models.MediaAssetInput{Name: name}).Return(sampleMediaAsset(), nil).Once()
		assert.Equal(t, http.StatusCreated, f.serve(http.MethodPost, mediaAssetsPath, bearer(t), body).Code, body)
	}
}

func TestPatchTellsAbsentFieldsFromNulls(t *testing.T) {
	f := newFixture(t, probe{})
	clearDescription := models.MediaAssetPatch{Description: models.Some[*string](nil)}
	f.mediaAssetStore.On("Update", mockAny, someID, clearDescription).Return(sampleMediaAsset(), nil)
	f.mediaAssetStore.On("Update", mockAny, someID, models.MediaAssetPatch{}).Return(sampleMediaAsset(), nil)

	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, bearer(t), `{"description": null}`).Code)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, bearer(t), `{}`).Code)

	for body, field := range map[string]string{
		`{"name": null}`: "body.name",
		`{"name": ""}`:   "body.name",
		`{"name": 42}`:   "body.name",
		`{"description": "` + strings.Repeat("d", 10001) + `"}`: "body.description",
		`{"description": ["x"]}`:                                "body.description",
	} {
		assert.Equal(t, []string{field}, problemFields(t, f.serve(http.MethodPatch, mediaAssetsPath+"/"+someID, bearer(t), body)), body)
	}
}

// everyType has a field of each type a resource's body may hold, with its rules.
type everyType struct {
	Count   int32                   `json:"count"`
	Maybe   *int32                  `json:"maybe"`
	Patched models.Optional[int32]  `json:"patched"`
	Cleared models.Optional[*int32] `json:"cleared"`
	Active  bool                    `json:"active"`
	Day     *models.Date            `json:"day" validate:"omitnil,date"`
	At      *models.Timestamp       `json:"at"`
	Price   string                  `json:"price" validate:"decimal=4 2"`
	Status  string                  `json:"status" validate:"oneof=draft in-review"`
	OwnerID string                  `json:"ownerId" validate:"id"`
}

func decoded(t *testing.T, body string) (everyType, map[string]string) {
	t.Helper()
	members, problem := jsonObject([]byte(body))
	require.Empty(t, problem, body)
	target := everyType{Price: "0", Status: "draft", OwnerID: someID}
	said := map[string]string{}
	for _, problem := range decodeMembers(members, &target) {
		said[problem.Field] = problem.Message
	}
	return target, said
}

func TestEveryTypeIsReadAsTheContractWritesIt(t *testing.T) {
	target, problems := decoded(t, `{"count": 12.0, "maybe": -1.2e1, "patched": 2147483647, "cleared": null, "active": true,
		"day": "2024-02-29", "at": "2024-02-29T10:00:00.5+02:00", "price": "-12.5", "status": "in-review",
		"ownerId": "0B6A3C8E-4A8F-4F53-9A59-3F0E2F3C1A11"}`)
	require.Empty(t, problems)
	assert.Equal(t, int32(12), target.Count, "JSON Schema's integer: 12.0 is 12")
	assert.Equal(t, int32(-12), *target.Maybe)
	assert.Equal(t, models.Some(int32(2147483647)), target.Patched)
	assert.Equal(t, models.Some[*int32](nil), target.Cleared)
	assert.True(t, target.Active)
	assert.Equal(t, models.Date("2024-02-29"), *target.Day)
	assert.Equal(t, "2024-02-29T08:00:00.500Z", target.At.UTC().Format(utils.TimeLayout))
	assert.Equal(t, "-12.5", target.Price)
}

func TestEachTypeSaysWhatIsWrongWithItsValue(t *testing.T) {
	whole := "must be a whole number from -2147483648 to 2147483647"
	for body, expected := range map[string]map[string]string{
		`{"count": 1.5, "maybe": "1", "patched": 2147483648, "cleared": 1e400}`: {
			"body.count": whole, "body.maybe": whole, "body.patched": whole, "body.cleared": whole,
		},
		`{"count": null, "patched": null, "active": null, "maybe": null}`: {
			"body.count": "must not be null", "body.patched": "must not be null", "body.active": "must not be null",
		},
		`{"active": "true", "at": "2024-02-29T10:00:00", "status": "drafts"}`: {
			"body.active": "must be a JSON boolean",
			"body.at":     "must be an RFC 3339 date-time with its offset, to the millisecond",
			"body.status": "must be one of: draft, in-review",
		},
		`{"at": "2024-02-30T10:00:00Z"}`:      {"body.at": "must be an RFC 3339 date-time with its offset, to the millisecond"},
		`{"at": "2024-02-29T10:00:00.1234Z"}`: {"body.at": "must be an RFC 3339 date-time with its offset, to the millisecond"},
		`{"day": "2023-02-29", "price": "123.5", "status": "Draft", "ownerId": "x"}`: {
			"body.day":     "must be a date: YYYY-MM-DD",
			"body.price":   "must be a decimal number as text: at most 2 digits before the point and 2 after",
			"body.status":  "must be one of: draft, in-review",
			"body.ownerId": "must be a UUID",
		},
		`{"price": "01", "day": "0999-01-01"}`: {
			"body.price": "must be a decimal number as text: at most 2 digits before the point and 2 after",
			"body.day":   "must be a date: YYYY-MM-DD",
		},
	} {
		_, problems := decoded(t, body)
		assert.Equal(t, expected, problems, body)
	}
}

func TestTheListReadsEachFilterAsItsFieldsType(t *testing.T) {
	for _, example := range []struct {
		read  func(string) (any, error)
		text  string
		value any
		wrong string
	}{
		{models.ContainedText(3), "é_%", "é_%", "abcd"},
		{models.IntegerText, "-2147483648", int32(-2147483648), "2147483648"},
		{models.IntegerText, "0", int32(0), "01"},
		{models.DecimalText(3, 0), "-999", "-999", "1.0"},
		{models.DecimalText(2, 2), "0.05", "0.05", "1.00"},
		{models.BooleanText, "true", true, "True"},
		{models.DateText, "2024-02-29", models.Date("2024-02-29"), "2024-2-29"},
		{models.OneOf("draft", "in-review"), "in-review", "in-review", "review"},
		{models.IDText, strings.ToUpper(someID), someID, someID + "0"},
	} {
		value, err := example.read(example.text)
		require.NoError(t, err, example.text)
		assert.Equal(t, example.value, value)
		_, err = example.read(example.wrong)
		var invalid models.InvalidValue
		assert.ErrorAs(t, err, &invalid, example.wrong)
	}
	_, err := models.ContainedText(9)("a\x00b")
	assert.EqualError(t, err, "must not contain NUL characters")
	encoded, err := json.Marshal(models.Optional[*int32]{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(encoded))
}
