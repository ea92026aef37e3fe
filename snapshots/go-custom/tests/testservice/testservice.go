// Package testservice runs the assembled service for the tests that need the real one (the
// integration and contract tests), on the PostgreSQL database of DATABASE_URL and the Redis of
// REDIS_URL. `go test -short` skips those tests; without -short they fail when either variable
// is unset rather than pass.
package testservice

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/app"
	"github.com/visiobook/asset-library/internal/config"
	"github.com/visiobook/asset-library/internal/utils"
)

// Secret signs the tokens of the service under test.
const Secret = "integration-secret-with-at-least-32-characters"

// RolesClaim is the claim the service under test reads the caller's roles from (JWT_ROLES_CLAIM).
const RolesClaim = "roles"

// Token is a bearer token the service under test accepts, granting roles (none: it may only read).
func Token(t *testing.T, roles ...string) string {
	t.Helper()
	token, err := utils.CreateAccessToken("integration-tests", Secret, time.Hour, RolesClaim, roles)
	require.NoError(t, err)
	return token
}

// Config is the configuration of the service under test, on the database of DATABASE_URL and the
// Redis of REDIS_URL.
func Config(t *testing.T) config.Config {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
	}
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Fatal("DATABASE_URL must name a PostgreSQL database for these tests (or run go test -short)")
	}
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		t.Fatal("REDIS_URL must name a Redis server for these tests, e.g. redis://localhost:6379/0 (or run go test -short)")
	}
	return config.Config{
		ServiceName:           "asset-library",
		ServiceVersion:        "test",
		Port:                  0,
		PrometheusPort:        0,
		Environment:           "test",
		DatabaseURL:           url,
		DBPoolSize:            4,
		DBConnectTimeout:      5 * time.Second,
		RedisURL:              redisURL,
		CacheTTL:              time.Minute,
		JWTSecret:             Secret,
		JWTExpiresIn:          time.Hour,
		JWTRolesClaim:         RolesClaim,
		LogLevel:              "error",
		CorrelationIDHeader:   "x-correlation-id",
		RequestBodyMaxBytes:   1 << 20,
		RateLimitRequests:     6000,
		RateLimitWindow:       time.Minute,
		RequestTimeout:        5 * time.Second,
		MaxConcurrentRequests: 100,
		ShutdownTimeout:       5 * time.Second,
	}
}

// Service is a running copy of the service, migrated, whose tables were empty when it started.
type Service struct {
	// URL is where it serves the API, e.g. http://127.0.0.1:41234.
	URL string
	// MetricsURL is where it serves /metrics (its PROMETHEUS_PORT), apart from the API.
	MetricsURL string
	// Token is a valid bearer token of an admin, who may do everything.
	Token string
	// Pool reaches its database directly.
	Pool *pgxpool.Pool
	// Redis reaches its cache directly.
	Redis *redis.Client
}

// Start migrates the database, empties the tables and the cache, and serves the service until
// the test ends, with the external services given (EXTERNAL_SERVICES), none by default.
func Start(t *testing.T, external ...config.ExternalService) Service {
	t.Helper()
	return StartWith(t, func(cfg *config.Config) { cfg.ExternalServices = external })
}

// StartWith is Start with the configuration that configure changes.
func StartWith(t *testing.T, configure func(*config.Config)) Service {
	t.Helper()
	cfg := Config(t)
	configure(&cfg)
	ctx := context.Background()
	// The test packages run in parallel and share the database: one service at a time empties
	// and fills its tables. Closing the connection releases the lock.
	lock, err := pgx.Connect(ctx, cfg.DatabaseURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lock.Close(ctx) })
	_, err = lock.Exec(ctx, "SELECT pg_advisory_lock(hashtext('testservice'))")
	require.NoError(t, err)

	require.NoError(t, app.Migrate(ctx, cfg, zap.NewNop()))
	service, err := app.New(ctx, cfg, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = service.Close() })
	_, err = service.Database.Pool.Exec(ctx, "TRUNCATE TABLE media_assets")
	require.NoError(t, err)
	cache := connectRedis(t, cfg.RedisURL)
	forget(t, cache, cfg.ServiceName+":*")

	server := httptest.NewServer(service.Handler)
	t.Cleanup(server.Close)
	metrics := httptest.NewServer(service.MetricsHandler)
	t.Cleanup(metrics.Close)
	token := Token(t, "admin")
	return Service{URL: server.URL, MetricsURL: metrics.URL, Token: token, Pool: service.Database.Pool, Redis: cache}
}

// connectRedis opens a client of its own on url, closed when the test ends.
func connectRedis(t *testing.T, url string) *redis.Client {
	t.Helper()
	options, err := redis.ParseURL(url)
	require.NoError(t, err)
	client := redis.NewClient(options)
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// forget deletes the keys matching pattern: what the cache held of rows the tables no longer
// have.
func forget(t *testing.T, client *redis.Client, pattern string) {
	t.Helper()
	ctx := context.Background()
	keys, err := client.Keys(ctx, pattern).Result()
	require.NoError(t, err, "Redis (REDIS_URL) must answer")
	if len(keys) > 0 {
		require.NoError(t, client.Del(ctx, keys...).Err())
	}
}
