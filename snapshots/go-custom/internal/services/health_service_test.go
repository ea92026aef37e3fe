package services

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/asset-library/internal/config"
)

type probe struct {
	pingErr    error
	pending    bool
	pendingErr error
}

func (p probe) Ping(context.Context) error { return p.pingErr }

func (p probe) MigrationsPending(context.Context) (bool, error) { return p.pending, p.pendingErr }

// upstream is another service's real HTTP server, answering /health with the status it is set
// to (0: it never answers until the caller gives up), and recording the paths it was asked for.
type upstream struct {
	*httptest.Server
	lock   sync.Mutex
	status int
	paths  []string
}

func newUpstream(t *testing.T, status int) *upstream {
	t.Helper()
	u := &upstream{status: status}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.lock.Lock()
		u.paths = append(u.paths, r.URL.Path)
		status := u.status
		u.lock.Unlock()
		if status == 0 {
			<-r.Context().Done() // hangs until the caller hangs up
			return
		}
		if r.URL.Path != "/health" {
			status = http.StatusNotFound
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"status": "whatever"}`))
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requested() []string {
	u.lock.Lock()
	defer u.lock.Unlock()
	return append([]string(nil), u.paths...)
}

func service(name string, u *upstream, required bool) config.ExternalService {
	return config.ExternalService{Name: name, URL: u.URL, Required: required}
}

// assertOneDecimal checks a latency is in milliseconds, rounded to one decimal.
func assertOneDecimal(t *testing.T, latency float64) {
	t.Helper()
	assert.GreaterOrEqual(t, latency, 0.0)
	assert.InDelta(t, math.Round(latency*10), latency*10, 1e-6, latency)
}

func TestReadyWhenTheDatabaseAnswersAndIsMigrated(t *testing.T) {
	health := NewHealthService(probe{}, probe{}, nil)
	checks := health.Readiness(context.Background())
	assert.Equal(t, ReadinessChecks{Database: true, DatabaseMigrations: true, ExternalDependencies: true, Configuration: true}, checks)
	assert.True(t, checks.Ready())
	assert.GreaterOrEqual(t, health.Uptime(), time.Duration(0))
}

func TestNotReadyWhenTheDatabaseIsDown(t *testing.T) {
	checks := NewHealthService(probe{pingErr: errors.New("refused")}, probe{}, nil).Readiness(context.Background())
	assert.Equal(t, ReadinessChecks{ExternalDependencies: true, Configuration: true}, checks)
	assert.False(t, checks.Ready())
}

func TestNotReadyWhileMigrationsArePendingOrUnknown(t *testing.T) {
	pending := probe{pending: true}
	unknown := probe{pendingErr: errors.New("no version table")}
	for _, p := range []probe{pending, unknown} {
		checks := NewHealthService(p, probe{}, nil).Readiness(context.Background())
		assert.True(t, checks.Database)
		assert.False(t, checks.DatabaseMigrations)
		assert.False(t, checks.Ready())
	}
}

func TestHealthReportsTheDatabaseAsRequired(t *testing.T) {
	dependencies := NewHealthService(probe{}, probe{}, nil).Health(context.Background())
	assert.Equal(t, Healthy, dependencies.Database.Status)
	assert.True(t, dependencies.Database.Required)
	assertOneDecimal(t, dependencies.Database.LatencyMs)
	assert.NotNil(t, dependencies.ExternalServices, "an empty object, not null")
	assert.Empty(t, dependencies.ExternalServices)
	assert.True(t, dependencies.Healthy())

	dependencies = NewHealthService(probe{pingErr: errors.New("refused")}, probe{}, nil).Health(context.Background())
	assert.Equal(t, Unhealthy, dependencies.Database.Status)
	assert.True(t, dependencies.Database.Required)
	assert.False(t, dependencies.Healthy())
}

func TestHealthCallsEachServiceAtItsHealthPath(t *testing.T) {
	storage, billing := newUpstream(t, http.StatusOK), newUpstream(t, http.StatusNoContent)
	health := NewHealthService(probe{}, probe{}, []config.ExternalService{
		service("storage-service", storage, false),
		service("billing", billing, true),
	})
	dependencies := health.Health(context.Background())
	assert.True(t, dependencies.Healthy())
	require.Len(t, dependencies.ExternalServices, 2)
	assert.Equal(t, Healthy, dependencies.ExternalServices["storage-service"].Status)
	assert.False(t, dependencies.ExternalServices["storage-service"].Required)
	assert.Equal(t, Healthy, dependencies.ExternalServices["billing"].Status, "any 2xx is healthy")
	assert.True(t, dependencies.ExternalServices["billing"].Required)
	assertOneDecimal(t, dependencies.ExternalServices["billing"].LatencyMs)
	assert.Equal(t, []string{"/health"}, storage.requested())
	assert.True(t, health.Readiness(context.Background()).Ready())
}

func TestAServiceThatIsNotRequiredMayBeDown(t *testing.T) {
	storage := newUpstream(t, http.StatusServiceUnavailable)
	health := NewHealthService(probe{}, probe{}, []config.ExternalService{service("storage-service", storage, false)})
	dependencies := health.Health(context.Background())
	assert.Equal(t, Unhealthy, dependencies.ExternalServices["storage-service"].Status)
	assert.True(t, dependencies.Healthy())
	checks := health.Readiness(context.Background())
	assert.True(t, checks.Ready())
	assert.Equal(t, []string{"/health"}, storage.requested(), "/ready checks only the required services")
}

func TestARequiredServiceDownIsUnhealthyAndNotReady(t *testing.T) {
	for name, status := range map[string]int{"server error": http.StatusInternalServerError, "not found": http.StatusNotFound} {
		t.Run(name, func(t *testing.T) {
			billing := newUpstream(t, status)
			health := NewHealthService(probe{}, probe{}, []config.ExternalService{service("billing", billing, true)})
			dependencies := health.Health(context.Background())
			assert.Equal(t, Unhealthy, dependencies.ExternalServices["billing"].Status)
			assert.Equal(t, Healthy, dependencies.Database.Status)
			assert.False(t, dependencies.Healthy())
			checks := health.Readiness(context.Background())
			assert.Equal(t, ReadinessChecks{Database: true, DatabaseMigrations: true, Configuration: true}, checks)
		})
	}
}

func TestAServiceNobodyListensForIsUnhealthy(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := "http://" + listener.Addr().String()
	require.NoError(t, listener.Close())
	gone := config.ExternalService{Name: "gone", URL: address, Required: true}
	health := NewHealthService(probe{}, probe{}, []config.ExternalService{gone})
	assert.Equal(t, Unhealthy, health.Health(context.Background()).ExternalServices["gone"].Status)
}

func TestARedirectIsNotFollowed(t *testing.T) {
	target := newUpstream(t, http.StatusOK)
	moved := httptest.NewServer(http.RedirectHandler(target.URL+"/health", http.StatusFound))
	t.Cleanup(moved.Close)
	redirecting := config.ExternalService{Name: "moved", URL: moved.URL, Required: true}
	health := NewHealthService(probe{}, probe{}, []config.ExternalService{redirecting})
	assert.Equal(t, Unhealthy, health.Health(context.Background()).ExternalServices["moved"].Status)
	assert.Empty(t, target.requested())
}

func TestAServiceThatNeverAnswersIsGivenUpOnAfterTheTimeout(t *testing.T) {
	billing, storage := newUpstream(t, 0), newUpstream(t, 0)
	health := NewHealthService(probe{}, probe{}, []config.ExternalService{
		service("billing", billing, true),
		service("storage-service", storage, false),
	})
	started := time.Now()
	dependencies := health.Health(context.Background())
	elapsed := time.Since(started)
	// Both checks run at once: together they take one timeout, not two.
	assert.Less(t, elapsed, CheckTimeout+time.Second)
	for _, name := range []string{"billing", "storage-service"} {
		assert.Equal(t, Unhealthy, dependencies.ExternalServices[name].Status, name)
		assert.GreaterOrEqual(t, dependencies.ExternalServices[name].LatencyMs, 1900.0, name)
	}
	assert.False(t, dependencies.Healthy())

	started = time.Now()
	assert.False(t, health.Readiness(context.Background()).ExternalDependencies)
	assert.Less(t, time.Since(started), CheckTimeout+time.Second)
}

// pingCounter is a cache probe that counts the PINGs it is sent.
type pingCounter struct {
	probe
	pings *atomic.Int32
}

func (p pingCounter) Ping(ctx context.Context) error {
	p.pings.Add(1)
	return p.probe.Ping(ctx)
}

func TestRedisDownIsReportedButNeitherUnhealthyNorUnready(t *testing.T) {
	pings := &atomic.Int32{}
	health := NewHealthService(probe{}, pingCounter{probe{pingErr: errors.New("connection refused")}, pings}, nil)
	dependencies := health.Health(context.Background())
	assert.Equal(t, Healthy, dependencies.Database.Status)
	assert.Equal(t, Unhealthy, dependencies.Redis.Status)
	assert.False(t, dependencies.Redis.Required)
	assert.True(t, dependencies.Healthy(), "the API still answers from the database")
	assert.Equal(t, int32(1), pings.Load())

	checks := health.Readiness(context.Background())
	assert.Equal(t, ReadinessChecks{Database: true, DatabaseMigrations: true, ExternalDependencies: true, Configuration: true}, checks)
	assert.True(t, checks.Ready())
	assert.Equal(t, int32(1), pings.Load(), "/ready does not PING Redis")

	up := NewHealthService(probe{}, probe{}, nil).Health(context.Background())
	assert.Equal(t, Dependency{Status: Healthy, LatencyMs: up.Redis.LatencyMs}, up.Redis)
}

// hanging never answers until the caller gives up.
type hanging struct{ probe }

func (hanging) Ping(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestTheRedisCheckRunsAlongsideTheOthersWithinTheCheckTimeout(t *testing.T) {
	health := NewHealthService(hanging{}, hanging{}, nil)
	started := time.Now()
	dependencies := health.Health(context.Background())
	elapsed := time.Since(started)
	assert.Equal(t, Unhealthy, dependencies.Database.Status)
	assert.Equal(t, Unhealthy, dependencies.Redis.Status)
	assert.Less(t, elapsed, CheckTimeout+time.Second, "the checks run at once")
}
