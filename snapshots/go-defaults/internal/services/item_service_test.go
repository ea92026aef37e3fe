package services

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/mocks"
	"github.com/visiobook/media-service/internal/models"
	"github.com/visiobook/media-service/internal/utils"
	"github.com/visiobook/media-service/pkg/metrics"
)

const id = "0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11"

func newService(t *testing.T) (*ItemService, *mocks.ItemStore, *metrics.Metrics) {
	t.Helper()
	store := &mocks.ItemStore{}
	t.Cleanup(func() { store.AssertExpectations(t) })
	m := metrics.New()
	return NewItemService(store, m), store, m
}

func operations(m *metrics.Metrics, name, status string) float64 {
	return testutil.ToFloat64(m.BusinessOperations.WithLabelValues(name, status))
}

func TestListPaginatesAndNeverReturnsANullPage(t *testing.T) {
	service, store, _ := newService(t)
	query := models.ListQuery{Page: 3, Limit: 10, SortColumn: "name", Direction: models.Ascending}
	store.On("List", mock.Anything, query).Return(nil, 21, nil)

	page, err := service.List(context.Background(), query)
	require.NoError(t, err)
	assert.NotNil(t, page.Data)
	assert.Empty(t, page.Data)
	assert.Equal(t, utils.Pagination{Page: 3, Limit: 10, Total: 21, TotalPages: 3}, page.Pagination)
}

func TestListPassesStoreFailuresOn(t *testing.T) {
	service, store, _ := newService(t)
	failure := errors.New("connection reset")
	store.On("List", mock.Anything, mock.Anything).Return(nil, 0, failure)
	_, err := service.List(context.Background(), models.ListQuery{Page: 1, Limit: 20})
	assert.ErrorIs(t, err, failure)
}

func TestGetOfAnAbsentIDIsA404(t *testing.T) {
	service, store, _ := newService(t)
	store.On("Get", mock.Anything, id).Return(models.Item{}, models.ErrNotFound)

	_, err := service.Get(context.Background(), id)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Contains(t, apiErr.Message, id)
}

func TestCreateCountsSuccessesAndConflicts(t *testing.T) {
	service, store, m := newService(t)
	input := models.ItemInput{Name: "first"}
	store.On("Create", mock.Anything, input).Return(models.Item{ID: id, Name: "first", Version: 1}, nil).Once()
	store.On("Create", mock.Anything, input).Return(models.Item{}, models.ErrNameTaken).Once()

	created, err := service.Create(context.Background(), input)
	require.NoError(t, err)
	assert.Equal(t, "first", created.Name)

	_, err = service.Create(context.Background(), input)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.Status)
	assert.Contains(t, apiErr.Message, "'first'")

	assert.Equal(t, 1.0, operations(m, "item_create", "success"))
	assert.Equal(t, 1.0, operations(m, "item_create", "error"))
}

func TestReplaceAndUpdateAreCountedApart(t *testing.T) {
	service, store, m := newService(t)
	input := models.ItemInput{Name: "renamed"}
	patch := models.ItemPatch{Description: models.Some[*string](nil)}
	store.On("Replace", mock.Anything, id, input).Return(models.Item{ID: id, Name: "renamed", Version: 2}, nil)
	store.On("Update", mock.Anything, id, patch).Return(models.Item{}, models.ErrNotFound)

	replaced, err := service.Replace(context.Background(), id, input)
	require.NoError(t, err)
	assert.Equal(t, 2, replaced.Version)
	_, err = service.Update(context.Background(), id, patch)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)

	assert.Equal(t, 1.0, operations(m, "item_replace", "success"))
	assert.Equal(t, 0.0, operations(m, "item_update", "success"))
	assert.Equal(t, 1.0, operations(m, "item_update", "error"))
}

func TestDeleteMapsAbsentRowsTo404(t *testing.T) {
	service, store, m := newService(t)
	store.On("Delete", mock.Anything, id).Return(nil).Once()
	store.On("Delete", mock.Anything, id).Return(models.ErrNotFound).Once()

	require.NoError(t, service.Delete(context.Background(), id))
	var apiErr *utils.APIError
	require.ErrorAs(t, service.Delete(context.Background(), id), &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Equal(t, 1.0, operations(m, "item_delete", "success"))
}
