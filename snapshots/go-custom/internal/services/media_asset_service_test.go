package services

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/cache"
	"github.com/visiobook/asset-library/internal/mocks"
	"github.com/visiobook/asset-library/internal/models"
	"github.com/visiobook/asset-library/internal/utils"
	"github.com/visiobook/asset-library/pkg/metrics"
)

const id = "0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11"

func newService(t *testing.T) (*MediaAssetService, *mocks.MediaAssetStore, *metrics.Metrics) {
	t.Helper()
	store := &mocks.MediaAssetStore{}
	t.Cleanup(func() { store.AssertExpectations(t) })
	m := metrics.New()
	return NewMediaAssetService(store, refusingCache(t, m), m), store, m
}

// refusingCache is a cache whose Redis refuses every connection, as when Redis is down: the
// service reads the store every time. Reads from the cache are tested against a real Redis
// (tests/integration).
func refusingCache(t *testing.T, m *metrics.Metrics) *cache.Cache {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := listener.Addr().String()
	require.NoError(t, listener.Close())
	reads, err := cache.New(cache.Settings{URL: "redis://" + address, Prefix: "svc:media-assets:", TTL: time.Minute}, m.Registry, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = reads.Close() })
	return reads
}

func cacheOperations(m *metrics.Metrics, operation, result string) float64 {
	family, err := m.Registry.Gather()
	if err != nil {
		return -1
	}
	for _, metric := range family {
		if metric.GetName() != "cache_operations_total" {
			continue
		}
		for _, sample := range metric.GetMetric() {
			labels := map[string]string{}
			for _, label := range sample.GetLabel() {
				labels[label.GetName()] = label.GetValue()
			}
			if labels["operation"] == operation && labels["result"] == result {
				return sample.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestThePageQueryIsTheValidatedParametersInOrder(t *testing.T) {
	assert.Equal(t, "page=1&limit=10&sort=createdAt:desc",
		pageQuery(models.ListQuery{Page: 1, Limit: 10, SortColumn: "created_at", Direction: models.Descending}))
	assert.Equal(t, "page=3&limit=50&sort=name:asc&filter[name]=100% cat&dog",
		pageQuery(models.ListQuery{Page: 3, Limit: 50, SortColumn: "name", Direction: models.Ascending, NameFilter: "100% cat&dog"}))
	assert.Equal(t, "page=2&limit=5&sort=updatedAt:asc",
		pageQuery(models.ListQuery{Page: 2, Limit: 5, SortColumn: "updated_at", Direction: models.Ascending}))
}

func TestWithRedisDownReadsComeFromTheStoreAndWritesSucceed(t *testing.T) {
	service, store, m := newService(t)
	row := models.MediaAsset{ID: id, Name: "kept"}
	store.On("Get", mock.Anything, id).Return(row, nil).Twice()
	for range 2 {
		found, err := service.Get(context.Background(), id)
		require.NoError(t, err)
		assert.Equal(t, row, found)
	}
	assert.Equal(t, 2.0, cacheOperations(m, "get", "error"))
	assert.Equal(t, 2.0, cacheOperations(m, "set", "error"))

	query := models.ListQuery{Page: 1, Limit: 10, SortColumn: "name", Direction: models.Ascending}
	store.On("List", mock.Anything, query).Return([]models.MediaAsset{row}, 1, nil)
	page, err := service.List(context.Background(), query)
	require.NoError(t, err)
	assert.Equal(t, []models.MediaAsset{row}, page.Data)
	assert.Equal(t, 3.0, cacheOperations(m, "get", "error"))
	assert.Equal(t, 2.0, cacheOperations(m, "set", "error"), "no generation read, no page stored")

	store.On("Delete", mock.Anything, id).Return(nil)
	require.NoError(t, service.Delete(context.Background(), id))
	assert.Equal(t, 1.0, cacheOperations(m, "invalidate", "error"))
}

func TestAFailedWriteInvalidatesNothing(t *testing.T) {
	service, store, m := newService(t)
	store.On("Delete", mock.Anything, id).Return(models.ErrNotFound)
	require.Error(t, service.Delete(context.Background(), id))
	store.On("Create", mock.Anything, mock.Anything).Return(models.MediaAsset{}, models.ErrNameTaken)
	_, err := service.Create(context.Background(), models.MediaAssetInput{Name: "taken"})
	require.Error(t, err)
	assert.Equal(t, 0.0, cacheOperations(m, "invalidate", "error"))
	assert.Equal(t, 0.0, cacheOperations(m, "invalidate", "ok"))
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
	store.On("Get", mock.Anything, id).Return(models.MediaAsset{}, models.ErrNotFound)

	_, err := service.Get(context.Background(), id)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Contains(t, apiErr.Message, id)
}

func TestCreateCountsSuccessesAndConflicts(t *testing.T) {
	service, store, m := newService(t)
	input := models.MediaAssetInput{Name: "first"}
	store.On("Create", mock.Anything, input).Return(models.MediaAsset{ID: id, Name: "first", Version: 1}, nil).Once()
	store.On("Create", mock.Anything, input).Return(models.MediaAsset{}, models.ErrNameTaken).Once()

	created, err := service.Create(context.Background(), input)
	require.NoError(t, err)
	assert.Equal(t, "first", created.Name)

	_, err = service.Create(context.Background(), input)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.Status)
	assert.Contains(t, apiErr.Message, "'first'")

	assert.Equal(t, 1.0, operations(m, "media_asset_create", "success"))
	assert.Equal(t, 1.0, operations(m, "media_asset_create", "error"))
}

func TestReplaceAndUpdateAreCountedApart(t *testing.T) {
	service, store, m := newService(t)
	input := models.MediaAssetInput{Name: "renamed"}
	patch := models.MediaAssetPatch{Description: models.Some[*string](nil)}
	store.On("Replace", mock.Anything, id, input).Return(models.MediaAsset{ID: id, Name: "renamed", Version: 2}, nil)
	store.On("Update", mock.Anything, id, patch).Return(models.MediaAsset{}, models.ErrNotFound)

	replaced, err := service.Replace(context.Background(), id, input)
	require.NoError(t, err)
	assert.Equal(t, 2, replaced.Version)
	_, err = service.Update(context.Background(), id, patch)
	var apiErr *utils.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)

	assert.Equal(t, 1.0, operations(m, "media_asset_replace", "success"))
	assert.Equal(t, 0.0, operations(m, "media_asset_update", "success"))
	assert.Equal(t, 1.0, operations(m, "media_asset_update", "error"))
}

func TestDeleteMapsAbsentRowsTo404(t *testing.T) {
	service, store, m := newService(t)
	store.On("Delete", mock.Anything, id).Return(nil).Once()
	store.On("Delete", mock.Anything, id).Return(models.ErrNotFound).Once()

	require.NoError(t, service.Delete(context.Background(), id))
	var apiErr *utils.APIError
	require.ErrorAs(t, service.Delete(context.Background(), id), &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Equal(t, 1.0, operations(m, "media_asset_delete", "success"))
}
