package services

import (
	"context"
	"time"
)

// DatabaseProbe is what the health checks ask of the database.
type DatabaseProbe interface {
	Ping(ctx context.Context) error
	MigrationsPending(ctx context.Context) (bool, error)
}

// ReadinessChecks is the `checks` part of /ready.
type ReadinessChecks struct {
	Database           bool `json:"database"`
	DatabaseMigrations bool `json:"database_migrations"`
	Configuration      bool `json:"configuration"`
}

// Ready is true when every check passes.
func (c ReadinessChecks) Ready() bool {
	return c.Database && c.DatabaseMigrations && c.Configuration
}

// HealthService answers /health and /ready (guidelines 5.1).
type HealthService struct {
	database DatabaseProbe
	timeout  time.Duration
	started  time.Time
}

// NewHealthService bounds each database check by timeout.
func NewHealthService(database DatabaseProbe, timeout time.Duration) *HealthService {
	return &HealthService{database: database, timeout: timeout, started: time.Now()}
}

// Uptime is the time since the service started.
func (h *HealthService) Uptime() time.Duration {
	return time.Since(h.started)
}

// DatabaseReachable is true when the database answers within the timeout.
func (h *HealthService) DatabaseReachable(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	return h.database.Ping(ctx) == nil
}

// Readiness checks the database and that every migration of this build is applied.
func (h *HealthService) Readiness(ctx context.Context) ReadinessChecks {
	checks := ReadinessChecks{
		Database: h.DatabaseReachable(ctx),
		// The configuration was validated at start-up, or the service would not run.
		Configuration: true,
	}
	if checks.Database {
		ctx, cancel := context.WithTimeout(ctx, h.timeout)
		defer cancel()
		pending, err := h.database.MigrationsPending(ctx)
		checks.DatabaseMigrations = err == nil && !pending
	}
	return checks
}
