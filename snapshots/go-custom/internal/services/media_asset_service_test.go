package services

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/asset-library/internal/mocks"
	"github.com/visiobook/asset-library/internal/models"
	"github.com/visiobook/asset-library/internal/utils"
	"github.com/visiobook/asset-library/pkg/metrics"
)

// mediaAssetInput is a valid body of POST and PUT with every field.
func mediaAssetInput() models.MediaAssetInput {
	return models.MediaAssetInput{
		Name:        "sample 1",
		Description: new("sample 1"),
	}
}

func mediaAssetServiceOverMock(t *testing.T) (*MediaAssetService, *mocks.MediaAssetStore, *metrics.Metrics) {
	t.Helper()
	store := &mocks.MediaAssetStore{}
	t.Cleanup(func() { store.AssertExpectations(t) })
	m := metrics.New()
	return NewMediaAssetService(store, refusingCache(t, m), m), store, m
}

func TestMediaAssetPageQueryIsTheValidatedParametersInOrder(t *testing.T) {
	assert.Equal(t, "page=1&limit=10&sort=createdAt:desc",
		mediaAssetPageQuery(models.ListQuery{Page: 1, Limit: 10, SortColumn: "created_at", Direction: models.Descending}))
	assert.Equal(t, "page=3&limit=50&sort=createdAt:asc&filter[name]=100%25%20cat%26dog%2B~&filter[count]=-12&filter[done]=false",
		mediaAssetPageQuery(models.ListQuery{Page: 3, Limit: 50, SortColumn: "created_at", Direction: models.Ascending, Filters: []models.Filter{
			{Field: "name", Column: "name", Value: "100% cat&dog+~", Contains: true},
			{Field: "count", Column: "count", Value: int32(-12)},
			{Field: "done", Column: "done", Value: false},
		}}))
	assert.Equal(t, "page=2&limit=5&sort=updatedAt:asc",
		mediaAssetPageQuery(models.ListQuery{Page: 2, Limit: 5, SortColumn: "updated_at", Direction: models.Ascending}))
}

func TestMediaAssetWithRedisDownReadsComeFromTheStoreAndWritesSucceed(t *testing.T) {
	service, store, m := mediaAssetServiceOverMock(t)
	row := models.MediaAsset{ID: someID, Version: 1}
	store.On("Get", mock.Anything, someID).Return(row, nil).Twice()
	for range 2 {
		found, err := service.Get(context.Background(), someID)
		require.NoError(t, err)
		assert.Equal(t, row, found)
	}
	assert.Equal(t, 2.0, cacheOperations(m, "get", "error"))
	assert.Equal(t, 2.0, cacheOperations(m, "set", "error"))

	query := models.ListQuery{Page: 1, Limit: 10, SortColumn: "created_at", Direction: models.Ascending}
	store.On("List", mock.Anything, query).Return([]models.MediaAsset{row}, 1, nil)
	page, err := service.List(context.Background(), query)
	require.NoError(t, err)
	assert.Equal(t, []models.MediaAsset{row}, page.Data)
	assert.Equal(t, 3.0, cacheOperations(m, "get", "error"))
	assert.Equal(t, 2.0, cacheOperations(m, "set", "error"), "no generation read, no page stored")

	store.On("Delete", mock.Anything, someID).Return(nil)
	require.NoError(t, service.Delete(context.Background(), someID))
	assert.Equal(t, 1.0, cacheOperations(m, "invalidate", "error"))
}

func TestMediaAssetAFailedWriteInvalidatesNothing(t *testing.T) {
	service, store, m := mediaAssetServiceOverMock(t)
	store.On("Delete", mock.Anything, someID).Return(models.ErrNotFound)
	require.Error(t, service.Delete(context.Background(), someID))
	store.On("Create", mock.Anything, mock.Anything).Return(models.MediaAsset{}, &models.TakenError{Field: "name"})
	_, err := service.Create(context.Background(), mediaAssetInput())
	require.Error(t, err)
	assert.Equal(t, 0.0, cacheOperations(m, "invalidate", "error"))
	assert.Equal(t, 0.0, cacheOperations(m, "invalidate", "ok"))
}

func TestMediaAssetListPaginatesAndNeverReturnsANullPage(t *testing.T) {
	service, store, _ := mediaAssetServiceOverMock(t)
	query := models.ListQuery{Page: 3, Limit: 10, SortColumn: "created_at", Direction: models.Ascending}
	store.On("List", mock.Anything, query).Return(nil, 21, nil)

	page, err := service.List(context.Background(), query)
	require.NoError(t, err)
	assert.NotNil(t, page.Data)
	assert.Empty(t, page.Data)
	assert.Equal(t, utils.Pagination{Page: 3, Limit: 10, Total: 21, TotalPages: 3}, page.Pagination)
}

func TestMediaAssetListPassesStoreFailuresOn(t *testing.T) {
	service, store, _ := mediaAssetServiceOverMock(t)
	failure := errors.New("connection reset")
	store.On("List", mock.Anything, mock.Anything).Return(nil, 0, failure)
	_, err := service.List(context.Background(), models.ListQuery{Page: 1, Limit: 20})
	assert.ErrorIs(t, err, failure)
}

func TestMediaAssetGetOfAnAbsentIDIsA404(t *testing.T) {
	service, store, _ := mediaAssetServiceOverMock(t)
	store.On("Get", mock.Anything, someID).Return(models.MediaAsset{}, models.ErrNotFound)

	_, err := service.Get(context.Background(), someID)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Contains(t, apiErr.Message, someID)
}

func TestMediaAssetCreateCountsSuccessesAndConflicts(t *testing.T) {
	service, store, m := mediaAssetServiceOverMock(t)
	input := mediaAssetInput()
	store.On("Create", mock.Anything, input).Return(models.MediaAsset{ID: someID, Version: 1}, nil).Once()
	store.On("Create", mock.Anything, input).Return(models.MediaAsset{}, &models.TakenError{Field: "name"}).Once()

	created, err := service.Create(context.Background(), input)
	require.NoError(t, err)
	assert.Equal(t, someID, created.ID)

	_, err = service.Create(context.Background(), input)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.Status)
	assert.Equal(t, "a media-asset named 'sample 1' already exists", apiErr.Message)

	assert.Equal(t, 1.0, operations(m, "media_asset_create", "success"))
	assert.Equal(t, 1.0, operations(m, "media_asset_create", "error"))
}

func TestMediaAssetReplaceAndUpdateAreCountedApart(t *testing.T) {
	service, store, m := mediaAssetServiceOverMock(t)
	input := mediaAssetInput()
	patch := models.MediaAssetPatch{}
	store.On("Replace", mock.Anything, someID, input).Return(models.MediaAsset{ID: someID, Version: 2}, nil)
	store.On("Update", mock.Anything, someID, patch).Return(models.MediaAsset{}, models.ErrNotFound)

	replaced, err := service.Replace(context.Background(), someID, input)
	require.NoError(t, err)
	assert.Equal(t, 2, replaced.Version)
	_, err = service.Update(context.Background(), someID, patch)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)

	assert.Equal(t, 1.0, operations(m, "media_asset_replace", "success"))
	assert.Equal(t, 0.0, operations(m, "media_asset_update", "success"))
	assert.Equal(t, 1.0, operations(m, "media_asset_update", "error"))
}

func TestMediaAssetDeleteMapsAbsentRowsTo404(t *testing.T) {
	service, store, m := mediaAssetServiceOverMock(t)
	store.On("Delete", mock.Anything, someID).Return(nil).Once()
	store.On("Delete", mock.Anything, someID).Return(models.ErrNotFound).Once()

	require.NoError(t, service.Delete(context.Background(), someID))
	var apiErr *utils.APIError
	require.ErrorAs(t, service.Delete(context.Background(), someID), &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Equal(t, 1.0, operations(m, "media_asset_delete", "success"))
}
