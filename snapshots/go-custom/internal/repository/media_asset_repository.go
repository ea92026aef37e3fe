package repository

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/visiobook/asset-library/internal/models"
)

// mediaAssetColumns are a row's columns in the order of models.MediaAsset's fields.
const mediaAssetColumns = "id, name, description, created_at, updated_at, version"

// mediaAssetKeys names the fields the table's constraints keep.
var mediaAssetKeys = keys{
	unique: map[string]string{
		"media_assets_name_key": "name",
	},
}

// MediaAssetRepository reads and writes the media_assets table.
type MediaAssetRepository struct {
	pool *pgxpool.Pool
}

// NewMediaAssetRepository uses pool for every query.
func NewMediaAssetRepository(pool *pgxpool.Pool) *MediaAssetRepository {
	return &MediaAssetRepository{pool: pool}
}

// List returns one page of rows and the number of rows that match the query.
func (r *MediaAssetRepository) List(ctx context.Context, query models.ListQuery) ([]models.MediaAsset, int, error) {
	return list(ctx, r.pool, "media_assets", mediaAssetColumns, query, func(row pgx.Rows, total *int) (models.MediaAsset, error) {
		var mediaAsset models.MediaAsset
		err := row.Scan(&mediaAsset.ID, &mediaAsset.Name, &mediaAsset.Description, &mediaAsset.CreatedAt, &mediaAsset.UpdatedAt, &mediaAsset.Version, total)
		return mediaAsset, err
	})
}

// Get returns the row with id (a UUID), or models.ErrNotFound.
func (r *MediaAssetRepository) Get(ctx context.Context, id string) (models.MediaAsset, error) {
	return one[models.MediaAsset](ctx, r.pool, keys{}, `SELECT `+mediaAssetColumns+` FROM media_assets WHERE id = $1`, id)
}

// Create inserts a row, or returns the store's error for a value PostgreSQL refuses.
func (r *MediaAssetRepository) Create(ctx context.Context, input models.MediaAssetInput) (models.MediaAsset, error) {
	return one[models.MediaAsset](ctx, r.pool, mediaAssetKeys,
		`INSERT INTO media_assets (name, description)
		VALUES ($1, $2) RETURNING `+mediaAssetColumns,
		input.Name, input.Description,
	)
}

// Replace sets every field of the row with id; each change bumps its version (guidelines 2.1).
func (r *MediaAssetRepository) Replace(ctx context.Context, id string, input models.MediaAssetInput) (models.MediaAsset, error) {
	return one[models.MediaAsset](ctx, r.pool, mediaAssetKeys,
		`UPDATE media_assets SET
			name = $2,
			description = $3,
			updated_at = now(), version = version + 1
		WHERE id = $1 RETURNING `+mediaAssetColumns,
		id, input.Name, input.Description,
	)
}

// Update sets the fields present in patch and keeps the others.
func (r *MediaAssetRepository) Update(ctx context.Context, id string, patch models.MediaAssetPatch) (models.MediaAsset, error) {
	return one[models.MediaAsset](ctx, r.pool, mediaAssetKeys,
		`UPDATE media_assets SET
			name = CASE WHEN $2 THEN $3 ELSE name END,
			description = CASE WHEN $4 THEN $5 ELSE description END,
			updated_at = now(), version = version + 1
		WHERE id = $1 RETURNING `+mediaAssetColumns,
		id,
		patch.Name.Set, patch.Name.Sent(),
		patch.Description.Set, patch.Description.Sent(),
	)
}

// Delete removes the row with id: models.ErrNotFound when there is none, a
// models.ReferredError while other rows refer to it.
func (r *MediaAssetRepository) Delete(ctx context.Context, id string) error {
	return remove(ctx, r.pool, `DELETE FROM media_assets WHERE id = $1`, id)
}
