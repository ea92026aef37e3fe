package services

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/mocks"
	"github.com/visiobook/media-service/internal/models"
	"github.com/visiobook/media-service/internal/utils"
	"github.com/visiobook/media-service/pkg/metrics"
)

// itemInput is a valid body of POST and PUT with every field.
func itemInput() models.ItemInput {
	return models.ItemInput{
		Name:        "sample 1",
		Description: new("sample 1"),
	}
}

func itemServiceOverMock(t *testing.T) (*ItemService, *mocks.ItemStore, *metrics.Metrics) {
	t.Helper()
	store := &mocks.ItemStore{}
	t.Cleanup(func() { store.AssertExpectations(t) })
	m := metrics.New()
	return NewItemService(store, m), store, m
}

func TestItemListPaginatesAndNeverReturnsANullPage(t *testing.T) {
	service, store, _ := itemServiceOverMock(t)
	query := models.ListQuery{Page: 3, Limit: 10, SortColumn: "created_at", Direction: models.Ascending}
	store.On("List", mock.Anything, query).Return(nil, 21, nil)

	page, err := service.List(context.Background(), query)
	require.NoError(t, err)
	assert.NotNil(t, page.Data)
	assert.Empty(t, page.Data)
	assert.Equal(t, utils.Pagination{Page: 3, Limit: 10, Total: 21, TotalPages: 3}, page.Pagination)
}

func TestItemListPassesStoreFailuresOn(t *testing.T) {
	service, store, _ := itemServiceOverMock(t)
	failure := errors.New("connection reset")
	store.On("List", mock.Anything, mock.Anything).Return(nil, 0, failure)
	_, err := service.List(context.Background(), models.ListQuery{Page: 1, Limit: 20})
	assert.ErrorIs(t, err, failure)
}

func TestItemGetOfAnAbsentIDIsA404(t *testing.T) {
	service, store, _ := itemServiceOverMock(t)
	store.On("Get", mock.Anything, someID).Return(models.Item{}, models.ErrNotFound)

	_, err := service.Get(context.Background(), someID)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Contains(t, apiErr.Message, someID)
}

func TestItemCreateCountsSuccessesAndConflicts(t *testing.T) {
	service, store, m := itemServiceOverMock(t)
	input := itemInput()
	store.On("Create", mock.Anything, input).Return(models.Item{ID: someID, Version: 1}, nil).Once()
	store.On("Create", mock.Anything, input).Return(models.Item{}, &models.TakenError{Field: "name"}).Once()

	created, err := service.Create(context.Background(), input)
	require.NoError(t, err)
	assert.Equal(t, someID, created.ID)

	_, err = service.Create(context.Background(), input)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.Status)
	assert.Equal(t, "a item named 'sample 1' already exists", apiErr.Message)

	assert.Equal(t, 1.0, operations(m, "item_create", "success"))
	assert.Equal(t, 1.0, operations(m, "item_create", "error"))
}

func TestItemReplaceAndUpdateAreCountedApart(t *testing.T) {
	service, store, m := itemServiceOverMock(t)
	input := itemInput()
	patch := models.ItemPatch{}
	store.On("Replace", mock.Anything, someID, input).Return(models.Item{ID: someID, Version: 2}, nil)
	store.On("Update", mock.Anything, someID, patch).Return(models.Item{}, models.ErrNotFound)

	replaced, err := service.Replace(context.Background(), someID, input)
	require.NoError(t, err)
	assert.Equal(t, 2, replaced.Version)
	_, err = service.Update(context.Background(), someID, patch)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)

	assert.Equal(t, 1.0, operations(m, "item_replace", "success"))
	assert.Equal(t, 0.0, operations(m, "item_update", "success"))
	assert.Equal(t, 1.0, operations(m, "item_update", "error"))
}

func TestItemDeleteMapsAbsentRowsTo404(t *testing.T) {
	service, store, m := itemServiceOverMock(t)
	store.On("Delete", mock.Anything, someID).Return(nil).Once()
	store.On("Delete", mock.Anything, someID).Return(models.ErrNotFound).Once()

	require.NoError(t, service.Delete(context.Background(), someID))
	var apiErr *utils.APIError
	require.ErrorAs(t, service.Delete(context.Background(), someID), &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Equal(t, 1.0, operations(m, "item_delete", "success"))
}
