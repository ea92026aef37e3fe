// Package database opens the PostgreSQL connection pool and applies the SQL migrations embedded
// in the binary (migrations/), so a release image migrates to exactly the schema it was built for.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/visiobook/media-service/migrations"
)

// PoolSettings size the pool and bound how long opening a connection may take.
type PoolSettings struct {
	MaxConns       int32
	ConnectTimeout time.Duration
	// Queries, when not nil, records every statement sent through the pool.
	Queries QueryObserver
	// StatementTimeout, when not 0, is PostgreSQL's statement_timeout on every connection: the
	// server itself ends a statement that runs longer.
	StatementTimeout time.Duration
	// ApplicationName, when not empty and DATABASE_URL names none, is the connections'
	// application_name, as pg_stat_activity shows them.
	ApplicationName string
}

// Database is the pool and the migrations of the service.
type Database struct {
	Pool       *pgxpool.Pool
	migrations *goose.Provider
	sqlDB      *sql.DB
}

// Open creates the pool. It connects lazily: the service starts, and reports itself not ready,
// while the database is unreachable.
func Open(ctx context.Context, url string, settings PoolSettings) (*Database, error) {
	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	config.MaxConns = settings.MaxConns
	// No idle connections are kept open ahead of need: replicas x DB_POOL_SIZE is the ceiling.
	config.MinConns = 0
	config.ConnConfig.ConnectTimeout = settings.ConnectTimeout
	if settings.StatementTimeout > 0 {
		config.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(settings.StatementTimeout.Milliseconds(), 10)
	}
	if _, named := config.ConnConfig.RuntimeParams["application_name"]; !named && settings.ApplicationName != "" {
		config.ConnConfig.RuntimeParams["application_name"] = settings.ApplicationName
	}
	// pgxpool pings a connection it hands out only when it sat idle for more than a second (its
	// default ShouldPing): under load a query costs no extra round trip, and one that broke while
	// idle is found before a request uses it.
	if settings.Queries != nil {
		// On the connections themselves, so it sees what database/sql sends through them too.
		config.ConnConfig.Tracer = queryTracer{observer: settings.Queries}
	}
	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("database pool: %w", err)
	}
	// goose works on database/sql; this view shares the pool rather than opening another.
	sqlDB := stdlib.OpenDBFromPool(pool)
	provider, err := newMigrations(sqlDB)
	if err != nil {
		_ = sqlDB.Close()
		pool.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Database{Pool: pool, migrations: provider, sqlDB: sqlDB}, nil
}

func newMigrations(db *sql.DB) (*goose.Provider, error) {
	// A session lock (pg_advisory_lock) lets only one migration run at a time.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
}

// Ping checks that the database answers a statement (SELECT 1) sent through the pool, the way
// the service's own queries go.
func (d *Database) Ping(ctx context.Context) error {
	_, err := d.Pool.Exec(ctx, "SELECT 1")
	return err
}

// Migrate applies the migrations not applied yet and returns the versions it applied.
func (d *Database) Migrate(ctx context.Context) ([]int64, error) {
	results, err := d.migrations.Up(ctx)
	applied := make([]int64, 0, len(results))
	for _, result := range results {
		if result.Error == nil {
			applied = append(applied, result.Source.Version)
		}
	}
	return applied, err
}

// MigrationsPending reports whether a migration of this build is not applied yet. It only
// reads: the version table does not exist before the first migration.
func (d *Database) MigrationsPending(ctx context.Context) (bool, error) {
	return d.migrations.HasPending(ctx)
}

// ActiveConnections is the number of connections in use (acquired from the pool).
func (d *Database) ActiveConnections() float64 {
	return float64(d.Pool.Stat().AcquiredConns())
}

// MaxConnections is the most connections the pool may open (DB_POOL_SIZE).
func (d *Database) MaxConnections() float64 {
	return float64(d.Pool.Config().MaxConns)
}

// Close closes every connection.
func (d *Database) Close() error {
	err := d.sqlDB.Close()
	d.Pool.Close()
	return err
}
