package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/config"
	"github.com/visiobook/media-service/internal/mocks"
	"github.com/visiobook/media-service/internal/services"
	"github.com/visiobook/media-service/internal/utils"
	"github.com/visiobook/media-service/pkg/logging"
	"github.com/visiobook/media-service/pkg/metrics"
)

const (
	secret     = "a-test-secret-with-at-least-32-characters"
	someID     = "0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11"
	corrHeader = "x-correlation-id"
	origin     = "https://app.example.com"
	// Small, so that the tests of the limit send small bodies, but over a 10,000-character description.
	bodyLimit = 32 << 10
)

// probe stands in for the database in the health checks and the pool's metrics.
type probe struct{ down bool }

func (p probe) ActiveConnections() float64 { return 1 }
func (p probe) MaxConnections() float64    { return 10 }

func (p probe) Ping(context.Context) error {
	if p.down {
		return errors.New("connection refused")
	}
	return nil
}

func (p probe) MigrationsPending(context.Context) (bool, error) { return false, nil }

type fixture struct {
	router  *gin.Engine
	metrics *metrics.Metrics
	logs    *bytes.Buffer

	itemStore *mocks.ItemStore
}

// newFixture serves the router on database, with the external services given (none by default).
func newFixture(t *testing.T, database probe, external ...config.ExternalService) fixture {
	t.Helper()
	logs := &bytes.Buffer{}
	logger, err := logging.NewWithOutput(logging.Options{Service: "svc", Level: "info"}, logs)
	require.NoError(t, err)
	m := metrics.New()
	m.ObservePool(database)
	f := fixture{metrics: m, logs: logs}
	f.itemStore = &mocks.ItemStore{}
	t.Cleanup(func() { f.itemStore.AssertExpectations(t) })
	f.router = NewRouter(Dependencies{
		Info:                ServiceInfo{Name: "svc", Version: "1.0.0"},
		JWTSecret:           secret,
		JWTRolesClaim:       "roles",
		CorrelationIDHeader: corrHeader,
		CORSOrigins:         []string{origin},
		BodyMaxBytes:        bodyLimit,
		MaxInProgress:       100,
		Logger:              logger,
		Metrics:             m,
		Health:              services.NewHealthService(database, external),

		ItemService: services.NewItemService(f.itemStore, m),
	})
	return f
}

var mockAny = mock.Anything

func problemFields(t *testing.T, recorder *httptest.ResponseRecorder) []string {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, recorder.Code, recorder.Body.String())
	body := decodeError(t, recorder)
	assert.Equal(t, "VALIDATION_ERROR", body.Error.Code)
	assert.Equal(t, "invalid request", body.Error.Message)
	fields := []string{}
	for _, problem := range body.Error.Details {
		fields = append(fields, problem.Field)
	}
	return fields
}

// failingBody fails if anything reads it: a body refused from its headers must not be read.
type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("the body was read") }

// bearer is the Authorization header of an admin, who may do everything.
func bearer(t *testing.T) string {
	t.Helper()
	return bearerWith(t, "admin")
}

// bearerWith is the Authorization header of a caller with these roles (none: one who may only read).
func bearerWith(t *testing.T, roles ...string) string {
	t.Helper()
	token, err := utils.CreateAccessToken("tester", secret, time.Minute, "roles", roles)
	require.NoError(t, err)
	return "Bearer " + token
}

// assertForbidden asserts the 403 of a caller without a role the operation needs: its header,
// and the envelope whose message names the roles.
func assertForbidden(t *testing.T, recorder *httptest.ResponseRecorder, message string) {
	t.Helper()
	require.Equal(t, http.StatusForbidden, recorder.Code, recorder.Body.String())
	assert.Equal(t, `Bearer error="insufficient_scope"`, recorder.Header().Get("WWW-Authenticate"))
	body := decodeError(t, recorder)
	assert.Equal(t, "FORBIDDEN", body.Error.Code)
	assert.Equal(t, message, body.Error.Message)
}

// send passes a request through the whole router and returns the recorded response.
func (f fixture) send(request *http.Request) *httptest.ResponseRecorder {
	recorder := httptest.NewRecorder()
	f.router.ServeHTTP(recorder, request)
	return recorder
}

// serve sends a request with auth as its Authorization header, and body (when not empty) as
// application/json.
func (f fixture) serve(method, path, auth, body string) *httptest.ResponseRecorder {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	request := httptest.NewRequest(method, path, reader)
	if auth != "" {
		request.Header.Set("Authorization", auth)
	}
	if body != "" {
		request.Header.Set("Content-Type", "application/json")
	}
	return f.send(request)
}

type errorBody struct {
	Error struct {
		Code          string               `json:"code"`
		Message       string               `json:"message"`
		CorrelationID string               `json:"correlation_id"`
		Timestamp     string               `json:"timestamp"`
		Details       []utils.FieldProblem `json:"details"`
	} `json:"error"`
}

func decodeError(t *testing.T, recorder *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var body errorBody
	require.NoError(t, json.Unmarshal(recorder.Body.Bytes(), &body), recorder.Body.String())
	assert.Equal(t, recorder.Header().Get(corrHeader), body.Error.CorrelationID)
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`, body.Error.Timestamp)
	return body
}

type healthBody struct {
	Status       string                `json:"status"`
	Service      string                `json:"service"`
	Version      string                `json:"version"`
	Timestamp    string                `json:"timestamp"`
	Uptime       float64               `json:"uptime"`
	Dependencies services.Dependencies `json:"dependencies"`
}

func decodeHealth(t *testing.T, recorder *httptest.ResponseRecorder) healthBody {
	t.Helper()
	var body healthBody
	require.NoError(t, json.Unmarshal(recorder.Body.Bytes(), &body), recorder.Body.String())
	return body
}

func TestLiveChecksNothingButThatTheProcessServes(t *testing.T) {
	f := newFixture(t, probe{down: true})
	recorder := f.serve(http.MethodGet, "/live", "", "")
	require.Equal(t, http.StatusOK, recorder.Code)
	assert.JSONEq(t, `{"status": "alive"}`, recorder.Body.String())
	assert.NotEmpty(t, recorder.Header().Get(corrHeader))
	assert.Contains(t, f.logs.String(), `"route":"/live"`)
	assert.Contains(t, f.scrape(t), `http_requests_total{method="GET",route="/live",status_code="200"} 1`)
}

func TestHealthReportsTheDatabase(t *testing.T) {
	recorder := newFixture(t, probe{}).serve(http.MethodGet, "/health", "", "")
	require.Equal(t, http.StatusOK, recorder.Code)
	body := decodeHealth(t, recorder)
	assert.Equal(t, "healthy", body.Status)
	assert.Equal(t, "svc", body.Service)
	assert.Equal(t, "1.0.0", body.Version)
	assert.Regexp(t, `\.\d{3}Z$`, body.Timestamp)
	assert.GreaterOrEqual(t, body.Uptime, 0.0)
	assert.Equal(t, "healthy", body.Dependencies.Database.Status)
	assert.True(t, body.Dependencies.Database.Required)
	assert.Contains(t, recorder.Body.String(), `"external_services":{}`)
}

func TestHealthIs503WhileTheDatabaseIsDown(t *testing.T) {
	recorder := newFixture(t, probe{down: true}).serve(http.MethodGet, "/health", "", "")
	require.Equal(t, http.StatusServiceUnavailable, recorder.Code)
	body := decodeHealth(t, recorder)
	assert.Equal(t, "unhealthy", body.Status)
	assert.Equal(t, "unhealthy", body.Dependencies.Database.Status)
}

func TestReadyIs503WhileTheDatabaseIsDown(t *testing.T) {
	assert.Equal(t, http.StatusOK, newFixture(t, probe{}).serve(http.MethodGet, "/ready", "", "").Code)
	recorder := newFixture(t, probe{down: true}).serve(http.MethodGet, "/ready", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, recorder.Code)
	assert.Contains(t, recorder.Body.String(), `"not_ready"`)
}

// answering is another service's real HTTP server whose /health answers status.
func answering(t *testing.T, status int) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
	}))
	t.Cleanup(server.Close)
	return server.URL
}

func TestHealthAndReadyFollowTheRequiredExternalServices(t *testing.T) {
	for name, billing := range map[string]struct {
		status  int
		healthy bool
	}{
		"healthy": {http.StatusOK, true},
		"down":    {http.StatusBadGateway, false},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, probe{},
				config.ExternalService{Name: "storage-service", URL: answering(t, http.StatusServiceUnavailable)},
				config.ExternalService{Name: "billing", URL: answering(t, billing.status), Required: true},
			)
			recorder := f.serve(http.MethodGet, "/health", "", "")
			body := decodeHealth(t, recorder)
			external := body.Dependencies.ExternalServices
			assert.Equal(t, "unhealthy", external["storage-service"].Status, "reported, not required")
			assert.False(t, external["storage-service"].Required)
			assert.True(t, external["billing"].Required)
			ready := f.serve(http.MethodGet, "/ready", "", "")
			var checks struct {
				Checks services.ReadinessChecks `json:"checks"`
			}
			require.NoError(t, json.Unmarshal(ready.Body.Bytes(), &checks))
			assert.Equal(t, billing.healthy, checks.Checks.ExternalDependencies)
			assert.True(t, checks.Checks.Database)
			if billing.healthy {
				assert.Equal(t, http.StatusOK, recorder.Code)
				assert.Equal(t, "healthy", body.Status)
				assert.Equal(t, "healthy", external["billing"].Status)
				assert.Equal(t, http.StatusOK, ready.Code)
			} else {
				assert.Equal(t, http.StatusServiceUnavailable, recorder.Code)
				assert.Equal(t, "unhealthy", body.Status)
				assert.Equal(t, "unhealthy", external["billing"].Status)
				assert.Equal(t, http.StatusServiceUnavailable, ready.Code)
			}
			assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, "/live", "", "").Code)
		})
	}
}

func TestEveryGetPathAnswersHead(t *testing.T) {
	f := newFixture(t, probe{})
	for _, path := range []string{"/live", "/health", "/ready", "/api/docs", "/api/docs/openapi.json"} {
		assert.Equal(t, http.StatusOK, f.serve(http.MethodHead, path, "", "").Code, path)
	}
	f.itemStore.On("Get", mockAny, someID).Return(sampleItem(), nil)
	assert.Equal(t, http.StatusOK, f.serve(http.MethodHead, itemsPath+"/"+someID, bearer(t), "").Code)
	assert.Equal(t, http.StatusUnauthorized, f.serve(http.MethodHead, itemsPath, "", "").Code)
}

// scrape reads /metrics from the metrics listener's router, as Prometheus would.
func (f fixture) scrape(t *testing.T) string {
	t.Helper()
	recorder := httptest.NewRecorder()
	NewMetricsRouter(f.metrics).ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, recorder.Code)
	assert.Contains(t, recorder.Header().Get("Content-Type"), "text/plain")
	return recorder.Body.String()
}

func TestMetricsLabelRoutesByTheirTemplate(t *testing.T) {
	f := newFixture(t, probe{})
	f.serve(http.MethodGet, "/health", "", "")
	f.serve(http.MethodGet, itemsPath+"/not-an-id", bearer(t), "")
	f.serve(http.MethodGet, "/wp-admin.php", "", "")
	scraped := f.scrape(t)
	assert.Contains(t, scraped, `http_requests_total{method="GET",route="/health",status_code="200"} 1`)
	assert.Contains(t, scraped, `http_requests_total{method="GET",route="/api/v1/items/{id}",status_code="400"} 1`)
	assert.Contains(t, scraped, `http_requests_total{method="GET",route="<unmatched>",status_code="404"} 1`)
	assert.Contains(t, scraped, `http_request_errors_total{error_type="client_error",method="DELETE",route="/api/v1/items/{id}"} 0`)
	for _, name := range []string{
		"http_request_duration_seconds", "http_request_errors_total", "business_operations_total",
		"business_operation_duration_seconds", "db_connections_active", "db_connections_max",
		"go_goroutines",
	} {
		assert.Contains(t, scraped, "# TYPE "+name+" ", name)
	}
}

func TestTheAPIAnswersMetricsAsAnUnknownPath(t *testing.T) {
	f := newFixture(t, probe{})
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		recorder := f.serve(method, "/metrics", "", "")
		assert.Equal(t, http.StatusNotFound, recorder.Code, method)
	}
	recorder := f.serve(http.MethodGet, "/metrics", "", "")
	body := decodeError(t, recorder)
	assert.Equal(t, "NOT_FOUND", body.Error.Code)
	assert.Equal(t, "no route for GET /metrics", body.Error.Message)
	assert.NotContains(t, f.scrape(t), `route="/metrics"`, "the API knows no /metrics route")
}

func TestTheMetricsRouterServesMetricsAndNothingElse(t *testing.T) {
	f := newFixture(t, probe{})
	router := NewMetricsRouter(f.metrics)
	send := func(method, path string) *httptest.ResponseRecorder {
		recorder := httptest.NewRecorder()
		router.ServeHTTP(recorder, httptest.NewRequest(method, path, nil))
		return recorder
	}
	assert.Equal(t, http.StatusOK, send(http.MethodHead, "/metrics").Code)
	assert.Contains(t, send(http.MethodGet, "/metrics").Body.String(), "# TYPE db_connections_active gauge")
	for _, request := range [][2]string{
		{http.MethodGet, "/"}, {http.MethodGet, "/live"}, {http.MethodGet, "/health"}, {http.MethodGet, "/ready"},
		{http.MethodGet, "/metrics/"}, {http.MethodGet, "/METRICS"}, {http.MethodGet, itemsPath},
		{http.MethodPost, "/metrics"}, {http.MethodDelete, "/metrics"},
	} {
		recorder := send(request[0], request[1])
		assert.Equal(t, http.StatusNotFound, recorder.Code, request)
		assert.Equal(t, "404 page not found", recorder.Body.String(), request)
		assert.Contains(t, recorder.Header().Get("Content-Type"), "text/plain", request)
	}
	assert.NotContains(t, f.logs.String(), "HTTP Request", "scrapes are not logged as API requests")
	assert.NotContains(t, f.scrape(t), `status_code="404"`, "nor counted in the API's metrics")
}

func TestTheProbesAnswerWhateverTheHost(t *testing.T) {
	f := newFixture(t, probe{})
	// There is no allow-list of hosts: kubelet probes the pod by its IP, other services call the
	// Service's name, the ingress passes on the public host, a developer calls localhost.
	for _, host := range []string{
		"10.1.2.3:8080",
		"media-service.default.svc.cluster.local",
		"api.visiobook.com",
		"api.visiobook.com",
		"localhost:8080",
	} {
		for _, path := range []string{"/live", "/health", "/ready"} {
			request := httptest.NewRequest(http.MethodGet, path, nil)
			request.Host = host
			assert.Equal(t, http.StatusOK, f.send(request).Code, host+path)
		}
	}
}

func TestEachRequestIsLoggedWithItsCorrelationID(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Get", mockAny, someID).Return(sampleItem(), nil)
	request := httptest.NewRequest(http.MethodGet, itemsPath+"/"+someID+"?verbose=1", nil)
	request.Header.Set(corrHeader, "trace-me-42")
	request.Header.Set("Authorization", bearer(t))
	request.Header.Set("User-Agent", "tests/1.0")
	recorder := f.send(request)

	assert.Equal(t, "trace-me-42", recorder.Header().Get(corrHeader))
	var line map[string]any
	require.NoError(t, json.Unmarshal(f.logs.Bytes(), &line))
	assert.Equal(t, "HTTP Request", line["message"])
	assert.Equal(t, "info", line["level"])
	assert.Equal(t, "trace-me-42", line["correlationId"])
	assert.Equal(t, "GET", line["method"])
	assert.Equal(t, itemsPath+"/"+someID+"?verbose=1", line["url"])
	assert.Equal(t, "/api/v1/items/{id}", line["route"])
	assert.EqualValues(t, 200, line["statusCode"])
	assert.Equal(t, "tests/1.0", line["userAgent"])
	assert.Equal(t, "192.0.2.1", line["ip"])
	assert.Equal(t, "tester", line["userId"])
	assert.IsType(t, 0.0, line["responseTime"])
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`, line["timestamp"])
}

func TestTheCorrelationIDFallsBackToXRequestIDAndIsNeverUnsafe(t *testing.T) {
	f := newFixture(t, probe{})
	request := httptest.NewRequest(http.MethodGet, "/nowhere", nil)
	request.Header.Set("x-request-id", "from-the-gateway")
	assert.Equal(t, "from-the-gateway", f.send(request).Header().Get(corrHeader))

	request = httptest.NewRequest(http.MethodGet, "/health", nil)
	request.Header.Set(corrHeader, "forged\"}, {\"level\": \"error")
	generated := f.send(request).Header().Get(corrHeader)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, generated)
}

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	f := newFixture(t, probe{})
	for _, recorder := range []*httptest.ResponseRecorder{
		f.serve(http.MethodGet, "/health", "", ""),
		f.serve(http.MethodGet, "/nowhere", "", ""),
		f.serve(http.MethodTrace, itemsPath, "", ""),
		f.serve(http.MethodGet, itemsPath, "", ""),
	} {
		header := recorder.Header()
		assert.Equal(t, "no-store", header.Get("Cache-Control"))
		assert.Equal(t, "frame-ancestors 'none'", header.Get("Content-Security-Policy"))
		assert.Equal(t, "nosniff", header.Get("X-Content-Type-Options"))
		assert.Equal(t, "DENY", header.Get("X-Frame-Options"))
		assert.Equal(t, "no-referrer", header.Get("Referrer-Policy"))
		assert.NotEmpty(t, header.Get(corrHeader))
	}
}

func TestResourceRoutesNeedAValidBearerToken(t *testing.T) {
	f := newFixture(t, probe{})
	for _, auth := range []string{"", "Bearer", "Bearer   ", "Basic abc"} {
		recorder := f.serve(http.MethodGet, itemsPath, auth, "")
		assert.Equal(t, http.StatusUnauthorized, recorder.Code, auth)
		assert.Equal(t, "Bearer", recorder.Header().Get("WWW-Authenticate"), auth)
		body := decodeError(t, recorder)
		assert.Equal(t, "UNAUTHORIZED", body.Error.Code)
		assert.Equal(t, "missing bearer token", body.Error.Message)
	}
	// Roles the service cannot read make the token as invalid as a forged one.
	numberRoles := jwt.MapClaims{"sub": "tester", "exp": time.Now().Unix() + 60, "roles": 7}
	unreadableRoles, err := jwt.NewWithClaims(jwt.SigningMethodHS256, numberRoles).SignedString([]byte(secret))
	require.NoError(t, err)
	for _, auth := range []string{"Bearer not-a-token", "bearer " + strings.TrimPrefix(bearer(t), "Bearer ") + "x", "Bearer " + unreadableRoles} {
		recorder := f.serve(http.MethodGet, itemsPath, auth, "")
		assert.Equal(t, http.StatusUnauthorized, recorder.Code, auth)
		assert.Equal(t, `Bearer error="invalid_token"`, recorder.Header().Get("WWW-Authenticate"))
		assert.Equal(t, "invalid bearer token", decodeError(t, recorder).Error.Message)
	}
}

func TestUnknownPathsAre404AndNeverRedirected(t *testing.T) {
	f := newFixture(t, probe{})
	for _, path := range []string{"/nowhere", itemsPath + "/", "/API/V1/items", "/api/v1", itemsPath + "/" + someID + "/x"} {
		recorder := f.serve(http.MethodGet, path, bearer(t), "")
		assert.Equal(t, http.StatusNotFound, recorder.Code, path)
		body := decodeError(t, recorder)
		assert.Equal(t, "NOT_FOUND", body.Error.Code)
		assert.Equal(t, "no route for GET "+path, body.Error.Message)
	}
}

func TestMethodsAPathDoesNotListAre405WithAllowBeforeAuthentication(t *testing.T) {
	f := newFixture(t, probe{})
	for _, route := range []struct{ path, allow string }{
		{path: itemsPath, allow: "GET, HEAD, POST"},
		{path: itemsPath + "/" + someID, allow: "GET, HEAD, PUT, PATCH, DELETE"},
		{path: "/live", allow: "GET, HEAD"},
		{path: "/health", allow: "GET, HEAD"},
	} {
		path, allow := route.path, route.allow
		for _, method := range []string{http.MethodTrace, "QUERY", http.MethodOptions, http.MethodConnect} {
			recorder := f.serve(method, path, "", "")
			assert.Equal(t, http.StatusMethodNotAllowed, recorder.Code, method+" "+path)
			assert.Equal(t, allow, recorder.Header().Get("Allow"))
			body := decodeError(t, recorder)
			assert.Equal(t, "METHOD_NOT_ALLOWED", body.Error.Code)
			assert.Equal(t, "method "+method+" not allowed (allowed: "+allow+")", body.Error.Message)
		}
	}
	assert.Equal(t, "GET, HEAD, POST", f.serve(http.MethodDelete, itemsPath, "", "").Header().Get("Allow"))
}

func TestCORSAnswersOnlyTheListedOrigins(t *testing.T) {
	f := newFixture(t, probe{})
	request := httptest.NewRequest(http.MethodGet, "/health", nil)
	request.Header.Set("Origin", origin)
	header := f.send(request).Header()
	assert.Equal(t, origin, header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, corrHeader+", RateLimit, RateLimit-Policy, Retry-After", header.Get("Access-Control-Expose-Headers"))
	assert.Equal(t, "Origin", header.Get("Vary"))

	preflight := func(from, path string) *httptest.ResponseRecorder {
		request := httptest.NewRequest(http.MethodOptions, path, nil)
		request.Header.Set("Origin", from)
		request.Header.Set("Access-Control-Request-Method", http.MethodPost)
		request.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		return f.send(request)
	}
	allowed := preflight(origin, itemsPath)
	assert.Equal(t, http.StatusNoContent, allowed.Code)
	assert.Empty(t, allowed.Body.String())
	assert.Equal(t, origin, allowed.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "GET, HEAD, POST, PUT, PATCH, DELETE", allowed.Header().Get("Access-Control-Allow-Methods"))
	assert.Equal(t, "Authorization, Content-Type, "+corrHeader, allowed.Header().Get("Access-Control-Allow-Headers"))
	assert.Equal(t, "600", allowed.Header().Get("Access-Control-Max-Age"))
	assert.Empty(t, allowed.Header().Get("Allow"))
	assert.Empty(t, allowed.Header().Get("Access-Control-Allow-Credentials"))

	other := preflight("https://elsewhere.example.com", itemsPath)
	assert.Equal(t, http.StatusMethodNotAllowed, other.Code)
	for name := range other.Header() {
		assert.NotContains(t, strings.ToLower(name), "access-control", name)
	}
	assert.Empty(t, other.Header().Get("Vary"))
	assert.Equal(t, http.StatusNotFound, preflight(origin, "/nowhere").Code)
}

func TestUnexpectedFailuresAre500WithoutDetails(t *testing.T) {
	f := newFixture(t, probe{})
	f.itemStore.On("Get", mockAny, someID).Return(sampleItem(), errors.New("password=secret leaked"))
	recorder := f.serve(http.MethodGet, itemsPath+"/"+someID, bearer(t), "")
	assert.Equal(t, http.StatusInternalServerError, recorder.Code)
	body := decodeError(t, recorder)
	assert.Equal(t, "INTERNAL_ERROR", body.Error.Code)
	assert.Equal(t, "internal server error", body.Error.Message)
	assert.NotContains(t, recorder.Body.String(), "secret")
	assert.Contains(t, f.logs.String(), "unhandled error")
}

func TestPanicsAreRecoveredAs500(t *testing.T) {
	f := newFixture(t, probe{})
	f.router.GET("/panic", func(*gin.Context) { panic("boom") })
	recorder := f.serve(http.MethodGet, "/panic", "", "")
	assert.Equal(t, http.StatusInternalServerError, recorder.Code)
	assert.Equal(t, "INTERNAL_ERROR", decodeError(t, recorder).Error.Code)
	assert.Contains(t, f.logs.String(), "panic while serving a request")
	assert.Equal(t, http.StatusOK, f.serve(http.MethodGet, "/health", "", "").Code)
}
