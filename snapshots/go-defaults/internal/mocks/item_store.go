// Package mocks holds testify mocks of the interfaces services depend on, for unit tests.
package mocks

import (
	"context"

	"github.com/stretchr/testify/mock"

	"github.com/visiobook/media-service/internal/models"
)

// ItemStore is a mock of services.ItemStore.
type ItemStore struct {
	mock.Mock
}

func (s *ItemStore) List(ctx context.Context, query models.ListQuery) ([]models.Item, int, error) {
	args := s.Called(ctx, query)
	rows, _ := args.Get(0).([]models.Item)
	return rows, args.Int(1), args.Error(2)
}

func (s *ItemStore) Get(ctx context.Context, id string) (models.Item, error) {
	args := s.Called(ctx, id)
	return args.Get(0).(models.Item), args.Error(1)
}

func (s *ItemStore) Create(ctx context.Context, input models.ItemInput) (models.Item, error) {
	args := s.Called(ctx, input)
	return args.Get(0).(models.Item), args.Error(1)
}

func (s *ItemStore) Replace(ctx context.Context, id string, input models.ItemInput) (models.Item, error) {
	args := s.Called(ctx, id, input)
	return args.Get(0).(models.Item), args.Error(1)
}

func (s *ItemStore) Update(ctx context.Context, id string, patch models.ItemPatch) (models.Item, error) {
	args := s.Called(ctx, id, patch)
	return args.Get(0).(models.Item), args.Error(1)
}

func (s *ItemStore) Delete(ctx context.Context, id string) error {
	return s.Called(ctx, id).Error(0)
}
