package services

import (
	"context"

	"github.com/visiobook/media-service/internal/models"
	"github.com/visiobook/media-service/internal/utils"
	"github.com/visiobook/media-service/pkg/metrics"
)

// ItemStore is the storage the service needs; repository.ItemRepository
// implements it over PostgreSQL.
type ItemStore interface {
	List(ctx context.Context, query models.ListQuery) ([]models.Item, int, error)
	Get(ctx context.Context, id string) (models.Item, error)
	Create(ctx context.Context, input models.ItemInput) (models.Item, error)
	Replace(ctx context.Context, id string, input models.ItemInput) (models.Item, error)
	Update(ctx context.Context, id string, patch models.ItemPatch) (models.Item, error)
	Delete(ctx context.Context, id string) error
}

// ItemService manages the items.
type ItemService struct {
	store    ItemStore
	created  *metrics.Operation
	replaced *metrics.Operation
	updated  *metrics.Operation
	deleted  *metrics.Operation
}

// NewItemService counts its writes as business operations <item>_<verb> (guidelines 5.3):
// create (POST), replace (PUT), update (PATCH) and delete.
func NewItemService(store ItemStore, m *metrics.Metrics) *ItemService {
	return &ItemService{
		store:    store,
		created:  m.Operation("item_create"),
		replaced: m.Operation("item_replace"),
		updated:  m.Operation("item_update"),
		deleted:  m.Operation("item_delete"),
	}
}

// List returns one page of items and its pagination.
func (s *ItemService) List(ctx context.Context, query models.ListQuery) (models.ItemPage, error) {
	rows, total, err := s.store.List(ctx, query)
	if err != nil {
		return models.ItemPage{}, err
	}
	if rows == nil {
		rows = []models.Item{} // an empty page is [] in JSON, not null
	}
	return models.ItemPage{Data: rows, Pagination: utils.Paginate(query.Page, query.Limit, total)}, nil
}

// Get returns one item, or a 404 error.
func (s *ItemService) Get(ctx context.Context, id string) (models.Item, error) {
	found, err := s.store.Get(ctx, id)
	return found, explain(err, "item", id, nil)
}

// Create adds a item; a unique value already taken is a 409.
func (s *ItemService) Create(ctx context.Context, input models.ItemInput) (models.Item, error) {
	var created models.Item
	err := s.created.Track(func() (err error) {
		created, err = s.store.Create(ctx, input)
		return err
	})
	return created, explain(err, "item", "", input)
}

// Replace sets every field (PUT); fields left out go back to their defaults.
func (s *ItemService) Replace(ctx context.Context, id string, input models.ItemInput) (models.Item, error) {
	var replaced models.Item
	err := s.replaced.Track(func() (err error) {
		replaced, err = s.store.Replace(ctx, id, input)
		return err
	})
	return replaced, explain(err, "item", id, input)
}

// Update sets only the fields given (PATCH).
func (s *ItemService) Update(ctx context.Context, id string, patch models.ItemPatch) (models.Item, error) {
	var updated models.Item
	err := s.updated.Track(func() (err error) {
		updated, err = s.store.Update(ctx, id, patch)
		return err
	})
	return updated, explain(err, "item", id, patch)
}

// Delete removes a item: a 404 when there is none, a 409 while other rows refer to it.
func (s *ItemService) Delete(ctx context.Context, id string) error {
	err := s.deleted.Track(func() error { return s.store.Delete(ctx, id) })
	return explain(err, "item", id, nil)
}
