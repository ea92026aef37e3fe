package database

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

type observed struct {
	operation, table, errorType string
	elapsed                     time.Duration
}

type observer struct{ queries []observed }

func (o *observer) ObserveQuery(operation, table, errorType string, elapsed time.Duration) {
	o.queries = append(o.queries, observed{operation, table, errorType, elapsed})
}

func TestTracerRecordsEachStatementWithItsDurationAndError(t *testing.T) {
	seen := &observer{}
	tracer := queryTracer{observer: seen}
	ctx := context.Background()

	traced := tracer.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "SELECT * FROM items"})
	time.Sleep(2 * time.Millisecond)
	tracer.TraceQueryEnd(traced, nil, pgx.TraceQueryEndData{})
	traced = tracer.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "INSERT INTO items (name) VALUES ($1)"})
	tracer.TraceQueryEnd(traced, nil, pgx.TraceQueryEndData{Err: &pgconn.PgError{Code: "23505"}})
	traced = tracer.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "BEGIN"})
	assert.Equal(t, ctx, traced, "a transaction statement is not traced")
	tracer.TraceQueryEnd(traced, nil, pgx.TraceQueryEndData{})

	assert.Len(t, seen.queries, 2)
	assert.Equal(t, "select", seen.queries[0].operation)
	assert.Equal(t, "items", seen.queries[0].table)
	assert.Empty(t, seen.queries[0].errorType)
	assert.GreaterOrEqual(t, seen.queries[0].elapsed, 2*time.Millisecond)
	assert.Equal(t, observed{"insert", "items", "23505", seen.queries[1].elapsed}, seen.queries[1])
}

func TestTracerRecordsEachStatementOfABatch(t *testing.T) {
	seen := &observer{}
	tracer := queryTracer{observer: seen}
	ctx := tracer.TraceBatchStart(context.Background(), nil, pgx.TraceBatchStartData{})
	tracer.TraceBatchQuery(ctx, nil, pgx.TraceBatchQueryData{SQL: "DELETE FROM items", ReadStartTime: time.Now()})
	tracer.TraceBatchQuery(ctx, nil, pgx.TraceBatchQueryData{SQL: "SAVEPOINT s"})
	tracer.TraceBatchQuery(ctx, nil, pgx.TraceBatchQueryData{SQL: "UPDATE items SET name = NULL", Err: errors.New("connection lost")})
	tracer.TraceBatchEnd(ctx, nil, pgx.TraceBatchEndData{})

	assert.Len(t, seen.queries, 2)
	assert.Equal(t, observed{"delete", "items", "", seen.queries[0].elapsed}, seen.queries[0])
	assert.Equal(t, observed{"update", "items", ErrorConnection, 0}, seen.queries[1], "no read start: no duration")
}
