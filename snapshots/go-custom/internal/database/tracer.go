package database

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueryObserver records the statements sent to PostgreSQL (db_query_duration_seconds and
// db_query_errors_total): metrics.Metrics is one. errorType is empty for a statement that
// succeeded.
type QueryObserver interface {
	ObserveQuery(operation, table, errorType string, elapsed time.Duration)
}

// queryTracer is the pgx tracer of every connection of the pool: it sees each statement pgx
// sends, whoever sends it (the repositories, goose's migrations and /ready's migration check
// through database/sql, which share the pool), and reports it to the observer. pgx calls
// TraceQueryStart and TraceQueryEnd around Query, QueryRow and Exec (for Query, the end is when
// the rows are closed), and TraceBatchQuery for each statement of a batch.
type queryTracer struct {
	observer QueryObserver
}

var (
	_ pgx.QueryTracer = queryTracer{}
	_ pgx.BatchTracer = queryTracer{}
)

type tracedQueryKey struct{}

type tracedQuery struct {
	statement Statement
	started   time.Time
}

// TraceQueryStart classifies the statement (cached by its text) and notes when it started.
func (t queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	statement, recorded := ClassifyStatement(data.SQL)
	if !recorded {
		return ctx
	}
	return context.WithValue(ctx, tracedQueryKey{}, tracedQuery{statement: statement, started: time.Now()})
}

// TraceQueryEnd records the statement TraceQueryStart noted, and its error if it failed.
func (t queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	query, ok := ctx.Value(tracedQueryKey{}).(tracedQuery)
	if !ok {
		return
	}
	t.observe(query.statement, data.Err, time.Since(query.started))
}

// TraceBatchStart changes nothing: each statement of the batch is recorded on its own.
func (t queryTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

// TraceBatchQuery records one statement of a batch, timed from when pgx began reading its result.
func (t queryTracer) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	statement, recorded := ClassifyStatement(data.SQL)
	if !recorded {
		return
	}
	var elapsed time.Duration
	if !data.ReadStartTime.IsZero() {
		elapsed = time.Since(data.ReadStartTime)
	}
	t.observe(statement, data.Err, elapsed)
}

// TraceBatchEnd changes nothing.
func (t queryTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (t queryTracer) observe(statement Statement, err error, elapsed time.Duration) {
	errorType := ""
	if err != nil {
		errorType = ErrorType(err)
	}
	t.observer.ObserveQuery(statement.Operation, statement.Table, errorType, elapsed)
}
