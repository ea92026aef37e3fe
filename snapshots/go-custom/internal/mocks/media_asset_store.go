// Package mocks holds testify mocks of the interfaces services depend on, for unit tests.
package mocks

import (
	"context"

	"github.com/stretchr/testify/mock"

	"github.com/visiobook/asset-library/internal/models"
)

// MediaAssetStore is a mock of services.MediaAssetStore.
type MediaAssetStore struct {
	mock.Mock
}

func (s *MediaAssetStore) List(ctx context.Context, query models.ListQuery) ([]models.MediaAsset, int, error) {
	args := s.Called(ctx, query)
	rows, _ := args.Get(0).([]models.MediaAsset)
	return rows, args.Int(1), args.Error(2)
}

func (s *MediaAssetStore) Get(ctx context.Context, id string) (models.MediaAsset, error) {
	args := s.Called(ctx, id)
	return args.Get(0).(models.MediaAsset), args.Error(1)
}

func (s *MediaAssetStore) Create(ctx context.Context, input models.MediaAssetInput) (models.MediaAsset, error) {
	args := s.Called(ctx, input)
	return args.Get(0).(models.MediaAsset), args.Error(1)
}

func (s *MediaAssetStore) Replace(ctx context.Context, id string, input models.MediaAssetInput) (models.MediaAsset, error) {
	args := s.Called(ctx, id, input)
	return args.Get(0).(models.MediaAsset), args.Error(1)
}

func (s *MediaAssetStore) Update(ctx context.Context, id string, patch models.MediaAssetPatch) (models.MediaAsset, error) {
	args := s.Called(ctx, id, patch)
	return args.Get(0).(models.MediaAsset), args.Error(1)
}

func (s *MediaAssetStore) Delete(ctx context.Context, id string) error {
	return s.Called(ctx, id).Error(0)
}
