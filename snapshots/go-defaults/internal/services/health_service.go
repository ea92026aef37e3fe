package services

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/visiobook/media-service/internal/config"
)

// CheckTimeout bounds each dependency check: the checks run at once, so /health and /ready
// answer within about this long whatever hangs (docs/contract.md, Probes).
const CheckTimeout = 2 * time.Second

// The states of a dependency in /health.
const (
	Healthy   = "healthy"
	Unhealthy = "unhealthy"
)

// DatabaseProbe is what the health checks ask of the database.
type DatabaseProbe interface {
	Ping(ctx context.Context) error
	MigrationsPending(ctx context.Context) (bool, error)
}

// Dependency is one dependency's entry in /health.
type Dependency struct {
	Status string `json:"status"`
	// LatencyMs is how long its check took, in milliseconds with one decimal.
	LatencyMs float64 `json:"latency_ms"`
	Required  bool    `json:"required"`
}

// Dependencies is the `dependencies` part of /health.
type Dependencies struct {
	Database         Dependency            `json:"database"`
	ExternalServices map[string]Dependency `json:"external_services"`
}

// Healthy is true when every required dependency is healthy.
func (d Dependencies) Healthy() bool {
	if d.Database.Status != Healthy {
		return false
	}
	for _, service := range d.ExternalServices {
		if service.Required && service.Status != Healthy {
			return false
		}
	}
	return true
}

// ReadinessChecks is the `checks` part of /ready.
type ReadinessChecks struct {
	Database             bool `json:"database"`
	DatabaseMigrations   bool `json:"database_migrations"`
	ExternalDependencies bool `json:"external_dependencies"`
	Configuration        bool `json:"configuration"`
}

// Ready is true when every check passes.
func (c ReadinessChecks) Ready() bool {
	return c.Database && c.DatabaseMigrations && c.ExternalDependencies && c.Configuration
}

// HealthService answers /health and /ready (guidelines 5.1).
type HealthService struct {
	database DatabaseProbe
	external []config.ExternalService
	// client calls the external services' /health; its Timeout backs up each check's deadline.
	client  *http.Client
	started time.Time
}

// NewHealthService checks the database and the external services (EXTERNAL_SERVICES).
func NewHealthService(database DatabaseProbe, external []config.ExternalService) *HealthService {
	return &HealthService{
		database: database,
		external: external,
		client: &http.Client{
			Timeout: CheckTimeout,
			// A redirect is not a healthy answer: the service's own /health is the one checked.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		started: time.Now(),
	}
}

// Uptime is the time since the service started.
func (h *HealthService) Uptime() time.Duration {
	return time.Since(h.started)
}

// Health checks the database and every external service at once, each within CheckTimeout.
func (h *HealthService) Health(ctx context.Context) Dependencies {
	dependencies := Dependencies{ExternalServices: make(map[string]Dependency, len(h.external))}
	var lock sync.Mutex
	var checks sync.WaitGroup
	checks.Add(1 + len(h.external))
	go func() {
		defer checks.Done()
		database := timeCheck(ctx, h.database.Ping)
		database.Required = true
		lock.Lock()
		defer lock.Unlock()
		dependencies.Database = database
	}()
	for _, service := range h.external {
		go func() {
			defer checks.Done()
			result := h.checkService(ctx, service)
			lock.Lock()
			defer lock.Unlock()
			dependencies.ExternalServices[service.Name] = result
		}()
	}
	checks.Wait()
	return dependencies
}

// Readiness checks, at once and each within CheckTimeout, that the database answers and every
// migration of this build is applied, and that every required external service is healthy.
func (h *HealthService) Readiness(ctx context.Context) ReadinessChecks {
	// The configuration was validated at start-up, or the service would not run.
	checks := ReadinessChecks{Configuration: true, ExternalDependencies: true}
	var lock sync.Mutex
	var running sync.WaitGroup
	running.Add(1)
	go func() {
		defer running.Done()
		reachable, migrated := h.databaseReady(ctx)
		lock.Lock()
		defer lock.Unlock()
		checks.Database, checks.DatabaseMigrations = reachable, migrated
	}()
	for _, service := range h.external {
		if !service.Required {
			continue // /ready does not wait on a service the pod can serve without
		}
		running.Add(1)
		go func() {
			defer running.Done()
			result := h.checkService(ctx, service)
			lock.Lock()
			defer lock.Unlock()
			checks.ExternalDependencies = checks.ExternalDependencies && result.Status == Healthy
		}()
	}
	running.Wait()
	return checks
}

// databaseReady is whether the database answers, and whether its schema is at the newest
// migration, both within one CheckTimeout.
func (h *HealthService) databaseReady(ctx context.Context) (reachable, migrated bool) {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	if h.database.Ping(ctx) != nil {
		return false, false
	}
	pending, err := h.database.MigrationsPending(ctx)
	return true, err == nil && !pending
}

// checkService calls the service's /health within CheckTimeout.
func (h *HealthService) checkService(ctx context.Context, service config.ExternalService) Dependency {
	result := timeCheck(ctx, func(ctx context.Context) error { return h.callHealth(ctx, service.URL) })
	result.Required = service.Required
	return result
}

// callHealth sends GET baseURL/health; any 2xx answer is healthy.
func (h *HealthService) callHealth(ctx context.Context, baseURL string) error {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/health", nil)
	if err != nil {
		return err
	}
	response, err := h.client.Do(request)
	if err != nil {
		return err
	}
	// Read what is left of the body (a little at most) so the connection can be used again.
	_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, 64<<10))
	_ = response.Body.Close()
	if response.StatusCode < 200 || response.StatusCode > 299 {
		return fmt.Errorf("GET %s/health answered %d", baseURL, response.StatusCode)
	}
	return nil
}

// timeCheck runs check within CheckTimeout and reports its state and how long it took.
func timeCheck(ctx context.Context, check func(context.Context) error) Dependency {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	started := time.Now()
	err := check(ctx)
	if err == nil {
		err = ctx.Err() // an answer after the deadline is not a healthy one
	}
	latency := float64(time.Since(started).Microseconds()) / 1000
	state := Dependency{Status: Healthy, LatencyMs: math.Round(latency*10) / 10}
	if err != nil {
		state.Status = Unhealthy
	}
	return state
}
