package repository

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/visiobook/media-service/internal/models"
)

// itemColumns are a row's columns in the order of models.Item's fields.
const itemColumns = "id, name, description, created_at, updated_at, version"

// ItemRepository reads and writes the items table.
type ItemRepository struct {
	pool *pgxpool.Pool
}

// NewItemRepository uses pool for every query.
func NewItemRepository(pool *pgxpool.Pool) *ItemRepository {
	return &ItemRepository{pool: pool}
}

// List returns one page of rows and the number of rows that match the query.
//
// One statement gives both, from one snapshot: each row of the page carries the count of
// matching rows (a subquery PostgreSQL runs once; a window count would make it keep every
// matching row, not just the page). Only a page past the end, which has no row to carry it,
// costs a second statement. Neither runs in a transaction.
func (r *ItemRepository) List(ctx context.Context, query models.ListQuery) ([]models.Item, int, error) {
	// NULL keeps every row; otherwise the names that contain the filter, ignoring case.
	pattern := containsPattern(query.NameFilter)
	offset := (query.Page - 1) * query.Limit
	// The column and direction come from fixed lists (models), never from the request text.
	// The id breaks ties, so pages never overlap when sort values are equal.
	sql := fmt.Sprintf(
		`SELECT %s, (SELECT count(*) FROM items WHERE %s) AS total
		FROM items WHERE %s ORDER BY %s %s, id LIMIT $2 OFFSET $3`,
		itemColumns, itemMatching, itemMatching, pgx.Identifier{query.SortColumn}.Sanitize(), query.Direction,
	)
	rows, err := r.pool.Query(ctx, sql, pattern, query.Limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	items := make([]models.Item, 0, query.Limit)
	total := 0
	for rows.Next() {
		var item models.Item
		err = rows.Scan(&item.ID, &item.Name, &item.Description, &item.CreatedAt, &item.UpdatedAt, &item.Version, &total)
		if err != nil {
			return nil, 0, err
		}
		items = append(items, item)
	}
	if err = rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(items) > 0 || offset == 0 {
		return items, total, nil
	}
	// Past the end: an empty page still tells the real total (docs/contract.md, "Lists").
	err = r.pool.QueryRow(ctx, `SELECT count(*) FROM items WHERE `+itemMatching, pattern).Scan(&total)
	return items, total, err
}

// itemMatching is the list's filter: $1 is NULL, or a LIKE pattern for the name,
// ignoring case.
const itemMatching = `$1::text IS NULL OR name ILIKE $1 ESCAPE '\'`

// Get returns the row with id (a UUID), or models.ErrNotFound.
func (r *ItemRepository) Get(ctx context.Context, id string) (models.Item, error) {
	return r.one(ctx, `SELECT `+itemColumns+` FROM items WHERE id = $1`, id)
}

// Create inserts a row, or returns models.ErrNameTaken.
func (r *ItemRepository) Create(ctx context.Context, input models.ItemInput) (models.Item, error) {
	return r.one(ctx,
		`INSERT INTO items (name, description) VALUES ($1, $2) RETURNING `+itemColumns,
		input.Name, input.Description,
	)
}

// Replace sets every field of the row with id; each change bumps its version (guidelines 2.1).
func (r *ItemRepository) Replace(ctx context.Context, id string, input models.ItemInput) (models.Item, error) {
	return r.one(ctx,
		`UPDATE items SET name = $2, description = $3, updated_at = now(), version = version + 1
		WHERE id = $1 RETURNING `+itemColumns,
		id, input.Name, input.Description,
	)
}

// Update sets the fields present in patch and keeps the others.
func (r *ItemRepository) Update(ctx context.Context, id string, patch models.ItemPatch) (models.Item, error) {
	return r.one(ctx,
		`UPDATE items SET
			name = CASE WHEN $2 THEN $3 ELSE name END,
			description = CASE WHEN $4 THEN $5 ELSE description END,
			updated_at = now(), version = version + 1
		WHERE id = $1 RETURNING `+itemColumns,
		id, patch.Name.Set, patch.Name.Value, patch.Description.Set, patch.Description.Value,
	)
}

// Delete removes the row with id, or returns models.ErrNotFound.
func (r *ItemRepository) Delete(ctx context.Context, id string) error {
	result, err := r.pool.Exec(ctx, `DELETE FROM items WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if result.RowsAffected() == 0 {
		return models.ErrNotFound
	}
	return nil
}

// one runs a statement that returns at most one row and maps PostgreSQL's failures.
func (r *ItemRepository) one(ctx context.Context, sql string, args ...any) (models.Item, error) {
	rows, _ := r.pool.Query(ctx, sql, args...)
	item, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[models.Item])
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return item, models.ErrNotFound
	case errors.As(err, &pgErr) && pgErr.Code == uniqueViolation:
		return item, models.ErrNameTaken
	}
	return item, err
}
