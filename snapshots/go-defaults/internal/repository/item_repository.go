package repository

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/visiobook/media-service/internal/models"
)

// itemColumns are a row's columns in the order of models.Item's fields.
const itemColumns = "id, name, description, created_at, updated_at, version"

// itemKeys names the fields the table's constraints keep.
var itemKeys = keys{
	unique: map[string]string{
		"items_name_key": "name",
	},
}

// ItemRepository reads and writes the items table.
type ItemRepository struct {
	pool *pgxpool.Pool
}

// NewItemRepository uses pool for every query.
func NewItemRepository(pool *pgxpool.Pool) *ItemRepository {
	return &ItemRepository{pool: pool}
}

// List returns one page of rows and the number of rows that match the query.
func (r *ItemRepository) List(ctx context.Context, query models.ListQuery) ([]models.Item, int, error) {
	return list(ctx, r.pool, "items", itemColumns, query, func(row pgx.Rows, total *int) (models.Item, error) {
		var item models.Item
		err := row.Scan(&item.ID, &item.Name, &item.Description, &item.CreatedAt, &item.UpdatedAt, &item.Version, total)
		return item, err
	})
}

// Get returns the row with id (a UUID), or models.ErrNotFound.
func (r *ItemRepository) Get(ctx context.Context, id string) (models.Item, error) {
	return one[models.Item](ctx, r.pool, keys{}, `SELECT `+itemColumns+` FROM items WHERE id = $1`, id)
}

// Create inserts a row, or returns the store's error for a value PostgreSQL refuses.
func (r *ItemRepository) Create(ctx context.Context, input models.ItemInput) (models.Item, error) {
	return one[models.Item](ctx, r.pool, itemKeys,
		`INSERT INTO items (name, description)
		VALUES ($1, $2) RETURNING `+itemColumns,
		input.Name, input.Description,
	)
}

// Replace sets every field of the row with id; each change bumps its version (guidelines 2.1).
func (r *ItemRepository) Replace(ctx context.Context, id string, input models.ItemInput) (models.Item, error) {
	return one[models.Item](ctx, r.pool, itemKeys,
		`UPDATE items SET
			name = $2,
			description = $3,
			updated_at = now(), version = version + 1
		WHERE id = $1 RETURNING `+itemColumns,
		id, input.Name, input.Description,
	)
}

// Update sets the fields present in patch and keeps the others.
func (r *ItemRepository) Update(ctx context.Context, id string, patch models.ItemPatch) (models.Item, error) {
	return one[models.Item](ctx, r.pool, itemKeys,
		`UPDATE items SET
			name = CASE WHEN $2 THEN $3 ELSE name END,
			description = CASE WHEN $4 THEN $5 ELSE description END,
			updated_at = now(), version = version + 1
		WHERE id = $1 RETURNING `+itemColumns,
		id,
		patch.Name.Set, patch.Name.Sent(),
		patch.Description.Set, patch.Description.Sent(),
	)
}

// Delete removes the row with id: models.ErrNotFound when there is none, a
// models.ReferredError while other rows refer to it.
func (r *ItemRepository) Delete(ctx context.Context, id string) error {
	return remove(ctx, r.pool, `DELETE FROM items WHERE id = $1`, id)
}
