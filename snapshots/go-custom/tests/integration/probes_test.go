package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/app"
	"github.com/visiobook/asset-library/internal/config"
	"github.com/visiobook/asset-library/internal/database"
	"github.com/visiobook/asset-library/tests/testservice"
)

func TestReadyOnceMigratedAndMetricsCountConnections(t *testing.T) {
	api := startService(t)
	var ready struct {
		Status string          `json:"status"`
		Checks map[string]bool `json:"checks"`
	}
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/ready", "", &ready))
	assert.Equal(t, map[string]bool{"database": true, "database_migrations": true, "external_dependencies": true, "configuration": true}, ready.Checks)

	status, body := get(t, api.MetricsURL+"/metrics", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "db_connections_active ")
	assert.Contains(t, body, `business_operations_total{operation="media_asset_create",status="success"}`)
	assert.Contains(t, body, `http_requests_total{method="GET",route="/ready",status_code="200"} 1`)
}

func TestMetricsAreServedApartFromTheAPI(t *testing.T) {
	api := startService(t)
	var notFound struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	require.Equal(t, http.StatusNotFound, api.call(http.MethodGet, "/metrics", "", &notFound))
	assert.Equal(t, "NOT_FOUND", notFound.Error.Code)
	for _, path := range []string{"/", "/live", "/health", "/ready", "/api/v1/media-assets"} {
		status, body := get(t, api.MetricsURL+path, "")
		assert.Equal(t, http.StatusNotFound, status, path)
		assert.Equal(t, "404 page not found", body, path)
	}
}

// get sends GET url with host as the Host header (when not empty) and returns the status and body.
func get(t *testing.T, url, host string) (int, string) {
	t.Helper()
	request, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if host != "" {
		request.Host = host
	}
	response, err := http.DefaultClient.Do(request)
	require.NoError(t, err)
	defer func() { _ = response.Body.Close() }()
	body, err := io.ReadAll(response.Body)
	require.NoError(t, err)
	return response.StatusCode, string(body)
}

// freePort is a TCP port nothing listens on at the time of the call.
func freePort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())
	return port
}

func TestMigratingTwiceChangesNothing(t *testing.T) {
	cfg := testservice.Config(t)
	ctx := context.Background()
	require.NoError(t, app.Migrate(ctx, cfg, zap.NewNop()))
	db, err := database.Open(ctx, cfg.DatabaseURL, database.PoolSettings{MaxConns: 2, ConnectTimeout: time.Second})
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	applied, err := db.Migrate(ctx)
	require.NoError(t, err)
	assert.Empty(t, applied)
	pending, err := db.MigrationsPending(ctx)
	require.NoError(t, err)
	assert.False(t, pending)
}

func TestUnhealthyAndNotReadyButAliveWhileTheDatabaseIsUnreachable(t *testing.T) {
	cfg := testservice.Config(t)
	// A port nothing listens on: the connection is refused at once.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedPort := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())
	cfg.DatabaseURL = fmt.Sprintf("postgresql://nobody:nothing@127.0.0.1:%d/none", closedPort)

	service, err := app.New(context.Background(), cfg, zap.NewNop())
	require.NoError(t, err, "the service starts without its database")
	defer func() { _ = service.Close() }()
	send := func(path string) *httptest.ResponseRecorder {
		recorder := httptest.NewRecorder()
		service.Handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, path, nil))
		return recorder
	}
	assert.Equal(t, http.StatusServiceUnavailable, send("/ready").Code)
	health := send("/health")
	assert.Equal(t, http.StatusServiceUnavailable, health.Code)
	var body struct {
		Status       string `json:"status"`
		Dependencies struct {
			Database struct {
				Status   string `json:"status"`
				Required bool   `json:"required"`
			} `json:"database"`
		} `json:"dependencies"`
	}
	require.NoError(t, json.Unmarshal(health.Body.Bytes(), &body))
	assert.Equal(t, "unhealthy", body.Status)
	assert.Equal(t, "unhealthy", body.Dependencies.Database.Status)
	assert.True(t, body.Dependencies.Database.Required)
	live := send("/live")
	assert.Equal(t, http.StatusOK, live.Code, "liveness does not depend on the database")
	assert.JSONEq(t, `{"status": "alive"}`, live.Body.String())
	assert.Error(t, app.Migrate(context.Background(), cfg, zap.NewNop()))
}

func TestServeAnswersUntilCancelledThenStopsCleanly(t *testing.T) {
	cfg := testservice.Config(t)
	cfg.Port = freePort(t)
	cfg.PrometheusPort = freePort(t)

	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, cfg, zap.NewNop()) }()
	base := fmt.Sprintf("http://127.0.0.1:%d", cfg.Port)
	require.Eventually(t, func() bool {
		response, err := http.Get(base + "/health")
		if err != nil {
			return false
		}
		_ = response.Body.Close()
		return response.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)

	// The probes answer whatever the Host header: kubelet, another service, the ingress.
	for _, host := range []string{"10.1.2.3:8080", "asset-library.default.svc.cluster.local", "api.visiobook.com"} {
		for _, path := range []string{"/live", "/health", "/ready"} {
			status, _ := get(t, base+path, host)
			assert.Equal(t, http.StatusOK, status, host+path)
		}
	}
	status, _ := get(t, base+"/metrics", "")
	assert.Equal(t, http.StatusNotFound, status, "/metrics is not on the API's port")
	metrics := fmt.Sprintf("http://127.0.0.1:%d", cfg.PrometheusPort)
	status, body := get(t, metrics+"/metrics", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `http_requests_total{method="GET",route="/health",status_code="200"}`)
	status, _ = get(t, metrics+"/health", "")
	assert.Equal(t, http.StatusNotFound, status)

	// A connection the client dialled but sent nothing on (its transport may dial one while a
	// used one is on its way back to the idle pool) holds Shutdown for 5 s: close them first.
	http.DefaultClient.CloseIdleConnections()
	stop()
	select {
	case err := <-served:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	for _, port := range []int{cfg.Port, cfg.PrometheusPort} {
		_, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		assert.Error(t, err, "both ports are closed once Serve returns")
	}
}

func TestServeFailsAtOnceWhenEitherPortIsTaken(t *testing.T) {
	for _, name := range []string{"PORT", "PROMETHEUS_PORT"} {
		t.Run(name, func(t *testing.T) {
			cfg := testservice.Config(t)
			taken, err := net.Listen("tcp", ":0")
			require.NoError(t, err)
			defer func() { _ = taken.Close() }()
			cfg.Port, cfg.PrometheusPort = freePort(t), freePort(t)
			if name == "PORT" {
				cfg.Port = taken.Addr().(*net.TCPAddr).Port
			} else {
				cfg.PrometheusPort = taken.Addr().(*net.TCPAddr).Port
			}
			served := make(chan error, 1)
			go func() { served <- app.Serve(context.Background(), cfg, zap.NewNop()) }()
			select {
			case err = <-served:
			case <-time.After(10 * time.Second):
				t.Fatal("Serve kept running on a port already in use")
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), fmt.Sprintf("cannot listen on %s %d", name, taken.Addr().(*net.TCPAddr).Port))
			assert.True(t, strings.Contains(err.Error(), "address already in use"), err.Error())
			// The other port was released: nothing serves on it.
			other := map[string]int{"PORT": cfg.PrometheusPort, "PROMETHEUS_PORT": cfg.Port}[name]
			_, err = net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", other), time.Second)
			assert.Error(t, err)
		})
	}
}

// switchable is another service's real HTTP server; its /health answers the status it is set to,
// or, set to 0, never answers until the caller hangs up.
type switchable struct {
	*httptest.Server
	status atomic.Int32
}

func newSwitchable(t *testing.T) *switchable {
	t.Helper()
	s := &switchable{}
	s.status.Store(http.StatusOK)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := int(s.status.Load())
		if status == 0 {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

type healthAnswer struct {
	Status       string `json:"status"`
	Dependencies struct {
		Database         map[string]any            `json:"database"`
		Redis            map[string]any            `json:"redis"`
		ExternalServices map[string]map[string]any `json:"external_services"`
	} `json:"dependencies"`
}

type readyAnswer struct {
	Status string          `json:"status"`
	Checks map[string]bool `json:"checks"`
}

func TestHealthAndReadyFollowTheExternalServices(t *testing.T) {
	storage, billing := newSwitchable(t), newSwitchable(t)
	api := startService(t,
		config.ExternalService{Name: "storage-service", URL: storage.URL},
		config.ExternalService{Name: "billing", URL: billing.URL, Required: true},
	)
	var health healthAnswer
	var ready readyAnswer

	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/health", "", &health))
	assert.Equal(t, "healthy", health.Status)
	assert.Equal(t, map[string]any{"status": "healthy", "required": false}, without(health.Dependencies.ExternalServices["storage-service"], "latency_ms"))
	assert.Equal(t, map[string]any{"status": "healthy", "required": true}, without(health.Dependencies.ExternalServices["billing"], "latency_ms"))
	assert.Equal(t, "healthy", health.Dependencies.Database["status"])

	storage.status.Store(http.StatusServiceUnavailable)
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/health", "", &health), "storage-service is not required")
	assert.Equal(t, "unhealthy", health.Dependencies.ExternalServices["storage-service"]["status"])
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/ready", "", &ready))

	billing.status.Store(http.StatusInternalServerError)
	require.Equal(t, http.StatusServiceUnavailable, api.call(http.MethodGet, "/health", "", &health))
	assert.Equal(t, "unhealthy", health.Status)
	assert.Equal(t, "unhealthy", health.Dependencies.ExternalServices["billing"]["status"])
	require.Equal(t, http.StatusServiceUnavailable, api.call(http.MethodGet, "/ready", "", &ready))
	assert.Equal(t, "not_ready", ready.Status)
	assert.Equal(t, map[string]bool{"database": true, "database_migrations": true, "external_dependencies": false, "configuration": true}, ready.Checks)
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/live", "", nil))

	billing.status.Store(0) // hangs
	started := time.Now()
	require.Equal(t, http.StatusServiceUnavailable, api.call(http.MethodGet, "/health", "", &health))
	assert.Less(t, time.Since(started), 3*time.Second, "each check gives up after 2 seconds")
	assert.GreaterOrEqual(t, health.Dependencies.ExternalServices["billing"]["latency_ms"], 1900.0)

	billing.status.Store(http.StatusOK)
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/health", "", &health))
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/ready", "", &ready))
}

// without is state without the key named.
func without(state map[string]any, key string) map[string]any {
	copied := map[string]any{}
	for name, value := range state {
		if name != key {
			copied[name] = value
		}
	}
	return copied
}
