package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/models"
	"github.com/visiobook/media-service/internal/utils"
)

const itemsPath = "/api/v1/items"

type itemPage = utils.Page[models.Item]

func TestLifecycleOfAItem(t *testing.T) {
	api := startService(t)

	var created models.Item
	require.Equal(t, http.StatusCreated, api.call(http.MethodPost, itemsPath, `{"name": "first", "description": "one"}`, &created))
	assert.Equal(t, "first", created.Name)
	assert.Equal(t, 1, created.Version)
	require.NotNil(t, created.Description)
	assert.Equal(t, "one", *created.Description)
	assert.Equal(t, time.UTC, created.CreatedAt.Location())
	assert.Equal(t, created.CreatedAt.Truncate(time.Millisecond), created.CreatedAt.Time, "stored to the millisecond")
	assert.WithinDuration(t, time.Now(), created.CreatedAt.Time, time.Minute)

	var fetched models.Item
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"/"+created.ID, "", &fetched))
	assert.Equal(t, created, fetched)

	var patched models.Item
	require.Equal(t, http.StatusOK, api.call(http.MethodPatch, itemsPath+"/"+created.ID, `{"description": null}`, &patched))
	assert.Equal(t, "first", patched.Name, "fields left out of a PATCH keep their value")
	assert.Nil(t, patched.Description)
	assert.Equal(t, 2, patched.Version, "every change bumps the version")
	assert.False(t, patched.UpdatedAt.Before(created.UpdatedAt.Time))
	assert.Equal(t, created.CreatedAt, patched.CreatedAt)

	var unchanged models.Item
	require.Equal(t, http.StatusOK, api.call(http.MethodPatch, itemsPath+"/"+created.ID, `{}`, &unchanged))
	assert.Equal(t, 3, unchanged.Version, "an empty PATCH is still a write")

	var replaced models.Item
	require.Equal(t, http.StatusOK, api.call(http.MethodPut, itemsPath+"/"+created.ID, `{"name": "renamed", "description": "two"}`, &replaced))
	require.Equal(t, http.StatusOK, api.call(http.MethodPut, itemsPath+"/"+created.ID, `{"name": "renamed"}`, &replaced))
	assert.Equal(t, "renamed", replaced.Name)
	assert.Nil(t, replaced.Description, "a field left out of a PUT goes back to its default")
	assert.Equal(t, 5, replaced.Version)

	assert.Equal(t, http.StatusNoContent, api.call(http.MethodDelete, itemsPath+"/"+created.ID, "", nil))
	assert.Equal(t, http.StatusNotFound, api.call(http.MethodGet, itemsPath+"/"+created.ID, "", nil))
	assert.Equal(t, http.StatusNotFound, api.call(http.MethodDelete, itemsPath+"/"+created.ID, "", nil))
}

func TestItemNamesAreUnique(t *testing.T) {
	api := startService(t)
	var first, second models.Item
	require.Equal(t, http.StatusCreated, api.call(http.MethodPost, itemsPath, `{"name": "first"}`, &first))
	require.Equal(t, http.StatusCreated, api.call(http.MethodPost, itemsPath, `{"name": "second"}`, &second))
	assert.Equal(t, http.StatusConflict, api.call(http.MethodPost, itemsPath, `{"name": "first"}`, nil))
	assert.Equal(t, http.StatusConflict, api.call(http.MethodPut, itemsPath+"/"+second.ID, `{"name": "first"}`, nil))
	assert.Equal(t, http.StatusConflict, api.call(http.MethodPatch, itemsPath+"/"+second.ID, `{"name": "first"}`, nil))
	assert.Equal(t, http.StatusCreated, api.call(http.MethodPost, itemsPath, `{"name": "First"}`, nil), "names are case-sensitive")
}

func TestItemAbsentIDsAre404AndMalformedOnes400(t *testing.T) {
	api := startService(t)
	for id, status := range map[string]int{
		"0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11": http.StatusNotFound,
		"0B6A3C8E-4A8F-4F53-9A59-3F0E2F3C1A11": http.StatusNotFound,
		"not-a-uuid":                           http.StatusBadRequest,
		"0b6a3c8e4a8f4f539a593f0e2f3c1a11":     http.StatusBadRequest,
	} {
		assert.Equal(t, status, api.call(http.MethodGet, itemsPath+"/"+id, "", nil), id)
		assert.Equal(t, status, api.call(http.MethodPut, itemsPath+"/"+id, `{"name": "x"}`, nil), id)
		assert.Equal(t, status, api.call(http.MethodPatch, itemsPath+"/"+id, `{"name": "x"}`, nil), id)
		assert.Equal(t, status, api.call(http.MethodDelete, itemsPath+"/"+id, "", nil), id)
	}
}

func TestItemListPaginatesSortsAndFilters(t *testing.T) {
	api := startService(t)
	// One-word lowercase names sort the same under every collation.
	for _, name := range []string{"cat", "dog", "catalogue", "bird", "caterpillar"} {
		require.Equal(t, http.StatusCreated, api.call(http.MethodPost, itemsPath, fmt.Sprintf(`{"name": %q}`, name), nil))
		time.Sleep(2 * time.Millisecond) // timestamps keep milliseconds: no two rows share one
	}

	var all itemPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath, "", &all))
	assert.Equal(t, 5, all.Pagination.Total)
	assert.Equal(t, "caterpillar", all.Data[0].Name, "newest first by default")

	var byName itemPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?sort=name:desc&limit=2&page=2", "", &byName))
	assert.Equal(t, utils.Pagination{Page: 2, Limit: 2, Total: 5, TotalPages: 3}, byName.Pagination)
	assert.Equal(t, []string{"catalogue", "cat"}, itemNames(byName))

	var cats itemPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?filter[name]=CAT&sort=name", "", &cats))
	assert.Equal(t, 3, cats.Pagination.Total, "the filter ignores case")
	assert.Equal(t, []string{"cat", "catalogue", "caterpillar"}, itemNames(cats))

	var beyond itemPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?page=9", "", &beyond))
	assert.Empty(t, beyond.Data)
	assert.Equal(t, 5, beyond.Pagination.Total)
	// Past the end, the total is counted apart, under the same filter.
	var catsBeyond itemPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?filter[name]=cat&page=2&limit=3", "", &catsBeyond))
	assert.Empty(t, catsBeyond.Data)
	assert.Equal(t, 3, catsBeyond.Pagination.Total)
	var none itemPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?filter[name]=zebra", "", &none))
	assert.Empty(t, none.Data)
	assert.Equal(t, 0, none.Pagination.Total)
}

func TestItemNameFilterTakesEveryCharacterLiterally(t *testing.T) {
	api := startService(t)
	for _, name := range []string{"100% cotton", "1000 cotton", "snake_case", "snakeXcase", `back\slash`, "backslash"} {
		require.Equal(t, http.StatusCreated, api.call(http.MethodPost, itemsPath, fmt.Sprintf(`{"name": %q}`, name), nil))
	}
	for filter, expected := range map[string][]string{
		"0%":   {"100% cotton"},
		"e_c":  {"snake_case"},
		`k\s`:  {`back\slash`},
		"%":    {"100% cotton"},
		"_":    {"snake_case"},
		"COTT": {"1000 cotton", "100% cotton"},
	} {
		var found itemPage
		require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+"?sort=name&filter[name]="+url.QueryEscape(filter), "", &found))
		assert.ElementsMatch(t, expected, itemNames(found), filter)
	}
}

func TestItemEqualSortValuesAreOrderedByID(t *testing.T) {
	api := startService(t)
	// One statement: the rows share their created_at, so only the id can order them.
	_, err := api.Pool.Exec(t.Context(), `INSERT INTO items (name) SELECT 'row ' || n FROM generate_series(1, 6) AS n`)
	require.NoError(t, err)
	seen := []string{}
	for pageNumber := 1; pageNumber <= 3; pageNumber++ {
		var found itemPage
		require.Equal(t, http.StatusOK, api.call(http.MethodGet, itemsPath+fmt.Sprintf("?limit=2&page=%d", pageNumber), "", &found))
		for _, row := range found.Data {
			seen = append(seen, row.ID)
		}
	}
	require.Len(t, seen, 6)
	for i := 1; i < len(seen); i++ {
		assert.Less(t, seen[i-1], seen[i], "ties are broken by id, so pages never overlap")
	}
}

func itemNames(p itemPage) []string {
	found := []string{}
	for _, row := range p.Data {
		found = append(found, row.Name)
	}
	return found
}
