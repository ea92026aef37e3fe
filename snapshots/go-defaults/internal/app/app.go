// Package app wires the service together: configuration, logger, database, services, router.
package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/visiobook/media-service/internal/config"
	"github.com/visiobook/media-service/internal/database"
	"github.com/visiobook/media-service/internal/handlers"
	"github.com/visiobook/media-service/internal/jwks"
	"github.com/visiobook/media-service/internal/middleware"
	"github.com/visiobook/media-service/internal/ratelimit"
	"github.com/visiobook/media-service/internal/repository"
	"github.com/visiobook/media-service/internal/services"
	"github.com/visiobook/media-service/internal/utils"
	"github.com/visiobook/media-service/pkg/httpserver"
	"github.com/visiobook/media-service/pkg/metrics"
)

// App is the assembled service.
type App struct {
	// Handler serves the API (PORT).
	Handler http.Handler
	// MetricsHandler serves /metrics alone (PROMETHEUS_PORT).
	MetricsHandler http.Handler
	Database       *database.Database
}

// New assembles the service from its configuration.
func New(ctx context.Context, cfg config.Config, logger *zap.Logger) (*App, error) {
	// The metrics come first: the pool records every statement it sends in them.
	m := metrics.New()
	db, err := openServiceDatabase(ctx, cfg, m)
	if err != nil {
		return nil, err
	}
	m.ObservePool(db)
	router := handlers.NewRouter(handlers.Dependencies{
		Info:                handlers.ServiceInfo{Name: cfg.ServiceName, Version: cfg.ServiceVersion},
		JWTSecret:           cfg.JWTSecret,
		JWTRolesClaim:       cfg.JWTRolesClaim,
		IdentityProvider:    identityProvider(cfg, logger, m),
		CorrelationIDHeader: cfg.CorrelationIDHeader,
		CORSOrigins:         cfg.CORSOrigins,
		BodyMaxBytes:        cfg.RequestBodyMaxBytes,
		TrustedProxies:      cfg.TrustedProxies,
		MaxInProgress:       cfg.MaxConcurrentRequests,
		RateLimiter:         rateLimiter(cfg, ratelimit.NewMemory(cfg.RateLimitWindow)),
		Logger:              logger,
		Metrics:             m,
		Health:              services.NewHealthService(db, cfg.ExternalServices),

		ItemService: services.NewItemService(repository.NewItemRepository(db.Pool), m),
	})
	return &App{Handler: middleware.Deadline(router, cfg.RequestTimeout), MetricsHandler: handlers.NewMetricsRouter(m), Database: db}, nil
}

// Close releases the database connections.
func (a *App) Close() error {
	return a.Database.Close()
}

// identityProvider is the provider whose tokens the service accepts besides its own, nil when
// JWT_JWKS_URL names none. Its keys are fetched when a token first needs them, not here: the
// service starts, and its probes answer, while the provider is down.
func identityProvider(cfg config.Config, logger *zap.Logger, m *metrics.Metrics) *utils.IdentityProvider {
	if cfg.JWTJWKSURL == "" {
		return nil
	}
	return &utils.IdentityProvider{
		Keys:     jwks.New(cfg.JWTJWKSURL, logger, m.CountJWKSFetches()),
		Issuer:   cfg.JWTIssuer,
		Audience: cfg.JWTAudience,
	}
}

// rateLimiter is the clients' budget, counted in store; nil when RATE_LIMIT_REQUESTS is 0.
func rateLimiter(cfg config.Config, store ratelimit.Store) *ratelimit.Limiter {
	if cfg.RateLimitRequests == 0 {
		return nil
	}
	return ratelimit.New(cfg.RateLimitRequests, cfg.RateLimitWindow, store)
}

// Serve runs the API on cfg.Port and the metrics on cfg.PrometheusPort until ctx ends (SIGTERM),
// then drains the in-flight requests of both. Both ports are bound before either serves, so a
// port already in use fails the start at once; if either server stops, the other is shut down.
func Serve(ctx context.Context, cfg config.Config, logger *zap.Logger) error {
	api, err := listen("PORT", cfg.Port)
	if err != nil {
		return err
	}
	defer func() { _ = api.Close() }()
	scrape, err := listen("PROMETHEUS_PORT", cfg.PrometheusPort)
	if err != nil {
		return err
	}
	defer func() { _ = scrape.Close() }()

	service, err := New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() { _ = service.Close() }()
	logger.Info("listening", zap.Int("port", cfg.Port), zap.Int("metricsPort", cfg.PrometheusPort))
	servers, ctx := errgroup.WithContext(ctx)
	servers.Go(func() error {
		return httpserver.Serve(ctx, api, service.Handler, cfg.ShutdownTimeout)
	})
	servers.Go(func() error {
		if err := httpserver.Serve(ctx, scrape, service.MetricsHandler, cfg.ShutdownTimeout); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		return nil
	})
	err = servers.Wait()
	logger.Info("stopped", zap.Error(err))
	return err
}

// listen binds the TCP port the variable name sets, on every interface.
func listen(name string, port int) (net.Listener, error) {
	listener, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s %d: %w", name, port, err)
	}
	return listener, nil
}

// Migrate applies the migrations embedded in the binary to the database of cfg.
func Migrate(ctx context.Context, cfg config.Config, logger *zap.Logger) error {
	// A process of its own, whose metrics no one scrapes: its statements are not recorded.
	db, err := openDatabase(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	logger.Info("migrations applied", zap.Int64s("versions", applied))
	return nil
}

func openDatabase(ctx context.Context, cfg config.Config, queries database.QueryObserver) (*database.Database, error) {
	return database.Open(ctx, cfg.DatabaseURL, database.PoolSettings{
		MaxConns:       cfg.DBPoolSize,
		ConnectTimeout: cfg.DBConnectTimeout,
		Queries:        queries,
	})
}

// openServiceDatabase is the pool the API serves from: no statement of it outlives a request's
// deadline (statement_timeout), even one whose context pgx could not cancel, and its sessions
// are named after the service in pg_stat_activity.
func openServiceDatabase(ctx context.Context, cfg config.Config, queries database.QueryObserver) (*database.Database, error) {
	return database.Open(ctx, cfg.DatabaseURL, database.PoolSettings{
		MaxConns:         cfg.DBPoolSize,
		ConnectTimeout:   cfg.DBConnectTimeout,
		Queries:          queries,
		StatementTimeout: cfg.RequestTimeout,
		ApplicationName:  cfg.ServiceName,
	})
}
