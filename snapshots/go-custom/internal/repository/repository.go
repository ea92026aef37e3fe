// Package repository stores the service's data in PostgreSQL; services reach it through the
// interfaces they declare, so their tests can replace it.
package repository

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/visiobook/asset-library/internal/models"
)

// PostgreSQL's codes for a violated unique constraint and foreign key.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// list returns one page of a table's rows (columns, read by scan) and the number of rows that
// match the query.
//
// One statement gives both, from one snapshot: each row of the page carries the count of
// matching rows (a subquery PostgreSQL runs once; a window count would make it keep every
// matching row, not just the page). Only a page past the end, which has no row to carry it,
// costs a second statement. Neither runs in a transaction.
func list[T any](ctx context.Context, pool *pgxpool.Pool, table, columns string, query models.ListQuery, scan func(pgx.Rows, *int) (T, error)) ([]T, int, error) {
	where, values := matching(query.Filters)
	offset := (query.Page - 1) * query.Limit
	// The table and columns come from fixed lists (models), never from the request's text.
	// The id breaks ties, so pages never overlap when sort values are equal.
	sql := fmt.Sprintf(
		`SELECT %s, (SELECT count(*) FROM %s WHERE %s) AS total
		FROM %s WHERE %s ORDER BY %s %s, id LIMIT $%d OFFSET $%d`,
		columns, table, where, table, where,
		pgx.Identifier{query.SortColumn}.Sanitize(), query.Direction, len(values)+1, len(values)+2,
	)
	rows, err := pool.Query(ctx, sql, append(values, query.Limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	page := make([]T, 0, query.Limit)
	total := 0
	for rows.Next() {
		row, err := scan(rows, &total)
		if err != nil {
			return nil, 0, err
		}
		page = append(page, row)
	}
	if err = rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(page) > 0 || offset == 0 {
		return page, total, nil
	}
	// Past the end: an empty page still tells the real total (docs/contract.md, "Lists").
	err = pool.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE `+where, values...).Scan(&total)
	return page, total, err
}

// matching is the condition of a list's filters, their values bound from $1 on: a string
// field's rows contain the text, ignoring case; the others' equal the value. TRUE keeps every
// row.
func matching(filters []models.Filter) (string, []any) {
	conditions := make([]string, 0, len(filters))
	values := make([]any, 0, len(filters)+2)
	for _, filter := range filters {
		column := pgx.Identifier{filter.Column}.Sanitize()
		placeholder := "$" + strconv.Itoa(len(values)+1)
		if filter.Contains {
			conditions = append(conditions, column+" ILIKE "+placeholder+` ESCAPE '\'`)
			values = append(values, containsPattern(filter.Value.(string)))
		} else {
			conditions = append(conditions, column+" = "+placeholder)
			values = append(values, filter.Value)
		}
	}
	if len(conditions) == 0 {
		return "TRUE", values
	}
	return strings.Join(conditions, " AND "), values
}

// containsPattern is the LIKE pattern of the text that contains filter, every character of it
// taken literally.
func containsPattern(filter string) string {
	return "%" + likeEscaper.Replace(filter) + "%"
}

// likeEscaper makes every character of a filter literal in LIKE: backslash is the escape
// character, so it escapes itself, % and _.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// keys names the fields a table's constraints keep, so that a write PostgreSQL refuses is told
// to the client by field. The names are PostgreSQL's defaults, which the migrations keep.
type keys struct {
	unique     map[string]string                 // unique constraint: the API's field
	references map[string]models.MissingRowError // foreign key: its field and what it refers to
}

// one runs a statement that returns at most one row, and maps PostgreSQL's refusals.
func one[T any](ctx context.Context, pool *pgxpool.Pool, k keys, sql string, args ...any) (T, error) {
	rows, _ := pool.Query(ctx, sql, args...)
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[T])
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return row, models.ErrNotFound
	case !errors.As(err, &pgErr):
		return row, err
	case pgErr.Code == uniqueViolation && k.unique[pgErr.ConstraintName] != "":
		return row, &models.TakenError{Field: k.unique[pgErr.ConstraintName]}
	}
	if missing, known := k.references[pgErr.ConstraintName]; known && pgErr.Code == foreignKeyViolation {
		return row, &missing
	}
	return row, err
}

// remove runs a DELETE of one row by id ($1): models.ErrNotFound when no row has it, and a
// models.ReferredError while rows of another table refer to it.
func remove(ctx context.Context, pool *pgxpool.Pool, sql, id string) error {
	result, err := pool.Exec(ctx, sql, id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == foreignKeyViolation {
		return &models.ReferredError{By: strings.ReplaceAll(pgErr.TableName, "_", "-")}
	}
	if err != nil {
		return err
	}
	if result.RowsAffected() == 0 {
		return models.ErrNotFound
	}
	return nil
}
