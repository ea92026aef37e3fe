package services

import (
	"context"
	"fmt"
	"strings"

	"github.com/visiobook/asset-library/internal/cache"
	"github.com/visiobook/asset-library/internal/models"
	"github.com/visiobook/asset-library/internal/utils"
	"github.com/visiobook/asset-library/pkg/metrics"
)

// MediaAssetStore is the storage the service needs; repository.MediaAssetRepository
// implements it over PostgreSQL.
type MediaAssetStore interface {
	List(ctx context.Context, query models.ListQuery) ([]models.MediaAsset, int, error)
	Get(ctx context.Context, id string) (models.MediaAsset, error)
	Create(ctx context.Context, input models.MediaAssetInput) (models.MediaAsset, error)
	Replace(ctx context.Context, id string, input models.MediaAssetInput) (models.MediaAsset, error)
	Update(ctx context.Context, id string, patch models.MediaAssetPatch) (models.MediaAsset, error)
	Delete(ctx context.Context, id string) error
}

// MediaAssetService manages the media-assets.
// It keeps what it reads in the cache (Redis) and drops it on every successful write; when
// Redis fails, it reads the store as if nothing were cached.
type MediaAssetService struct {
	store    MediaAssetStore
	cache    *cache.Cache
	created  *metrics.Operation
	replaced *metrics.Operation
	updated  *metrics.Operation
	deleted  *metrics.Operation
}

// NewMediaAssetService counts its writes as business operations <item>_<verb> (guidelines 5.3):
// create (POST), replace (PUT), update (PATCH) and delete.
func NewMediaAssetService(store MediaAssetStore, cache *cache.Cache, m *metrics.Metrics) *MediaAssetService {
	return &MediaAssetService{
		store:    store,
		cache:    cache,
		created:  m.Operation("media_asset_create"),
		replaced: m.Operation("media_asset_replace"),
		updated:  m.Operation("media_asset_update"),
		deleted:  m.Operation("media_asset_delete"),
	}
}

// List returns one page of media-assets and its pagination.
func (s *MediaAssetService) List(ctx context.Context, query models.ListQuery) (models.MediaAssetPage, error) {
	var cached models.MediaAssetPage
	key, hit := s.cache.GetPage(ctx, mediaAssetPageQuery(query), &cached)
	if hit {
		return cached, nil
	}
	rows, total, err := s.store.List(ctx, query)
	if err != nil {
		return models.MediaAssetPage{}, err
	}
	if rows == nil {
		rows = []models.MediaAsset{} // an empty page is [] in JSON, not null
	}
	page := models.MediaAssetPage{Data: rows, Pagination: utils.Paginate(query.Page, query.Limit, total)}
	s.cache.Set(ctx, key, page)
	return page, nil
}

// mediaAssetPageQuery is the <query> of a page's key in the cache: the validated
// parameters, defaults filled in, in a fixed order, e.g.
// page=1&limit=10&sort=createdAt:desc&filter[name]=cat, each filter's text percent-encoded.
// (Not include: the cached page holds this resource's rows only.)
func mediaAssetPageQuery(query models.ListQuery) string {
	sort := ""
	for field, column := range models.MediaAssetList.Sort {
		if column == query.SortColumn {
			sort = field + ":" + strings.ToLower(string(query.Direction))
		}
	}
	text := fmt.Sprintf("page=%d&limit=%d&sort=%s", query.Page, query.Limit, sort)
	for _, filter := range query.Filters {
		text += "&filter[" + filter.Field + "]=" + cache.QueryValue(fmt.Sprint(filter.Value))
	}
	return text
}

// Get returns one media-asset, or a 404 error.
func (s *MediaAssetService) Get(ctx context.Context, id string) (models.MediaAsset, error) {
	key := s.cache.ItemKey(id)
	var found models.MediaAsset
	if s.cache.Get(ctx, key, &found) {
		return found, nil
	}
	found, err := s.store.Get(ctx, id)
	if err != nil {
		return found, explain(err, "media-asset", id, nil)
	}
	s.cache.Set(ctx, key, found)
	return found, nil
}

// Create adds a media-asset; a unique value already taken is a 409.
func (s *MediaAssetService) Create(ctx context.Context, input models.MediaAssetInput) (models.MediaAsset, error) {
	var created models.MediaAsset
	err := s.created.Track(func() (err error) {
		created, err = s.store.Create(ctx, input)
		return err
	})
	if err == nil {
		s.cache.Invalidate(ctx, created.ID)
	}
	return created, explain(err, "media-asset", "", input)
}

// Replace sets every field (PUT); fields left out go back to their defaults.
func (s *MediaAssetService) Replace(ctx context.Context, id string, input models.MediaAssetInput) (models.MediaAsset, error) {
	var replaced models.MediaAsset
	err := s.replaced.Track(func() (err error) {
		replaced, err = s.store.Replace(ctx, id, input)
		return err
	})
	if err == nil {
		s.cache.Invalidate(ctx, id)
	}
	return replaced, explain(err, "media-asset", id, input)
}

// Update sets only the fields given (PATCH).
func (s *MediaAssetService) Update(ctx context.Context, id string, patch models.MediaAssetPatch) (models.MediaAsset, error) {
	var updated models.MediaAsset
	err := s.updated.Track(func() (err error) {
		updated, err = s.store.Update(ctx, id, patch)
		return err
	})
	if err == nil {
		s.cache.Invalidate(ctx, id)
	}
	return updated, explain(err, "media-asset", id, patch)
}

// Delete removes a media-asset: a 404 when there is none, a 409 while other rows refer to it.
func (s *MediaAssetService) Delete(ctx context.Context, id string) error {
	err := s.deleted.Track(func() error { return s.store.Delete(ctx, id) })
	if err == nil {
		s.cache.Invalidate(ctx, id)
	}
	return explain(err, "media-asset", id, nil)
}
