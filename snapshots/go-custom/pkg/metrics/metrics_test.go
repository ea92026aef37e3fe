package metrics

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObserveRequestCountsRequestsAndErrorsByRoute(t *testing.T) {
	m := New()
	m.ObserveRequest("GET", "/things/{id}", 200, 20*time.Millisecond)
	m.ObserveRequest("GET", "/things/{id}", 404, time.Millisecond)
	m.ObserveRequest("POST", "/things", 503, time.Millisecond)

	assert.Equal(t, 1.0, testutil.ToFloat64(m.HTTPRequests.WithLabelValues("GET", "/things/{id}", "200")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.HTTPRequestErrors.WithLabelValues("GET", "/things/{id}", ClientError)))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.HTTPRequestErrors.WithLabelValues("POST", "/things", ServerError)))
	assert.Equal(t, 0.0, testutil.ToFloat64(m.HTTPRequestErrors.WithLabelValues("GET", "/things/{id}", ServerError)))
}

func TestKnownRoutesExposeZeroErrorCountersFromTheStart(t *testing.T) {
	m := New()
	m.KnowRoutes([]Route{{Method: "GET", Path: "/health"}})
	assert.Equal(t, 2, testutil.CollectAndCount(m.HTTPRequestErrors))
}

func TestOperationTrackCountsSuccessesAndErrors(t *testing.T) {
	m := New()
	operation := m.Operation("thing_create")
	require.NoError(t, operation.Track(func() error { return nil }))
	failure := errors.New("boom")
	assert.Equal(t, failure, operation.Track(func() error { return failure }))

	assert.Equal(t, 1.0, testutil.ToFloat64(m.BusinessOperations.WithLabelValues("thing_create", "success")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.BusinessOperations.WithLabelValues("thing_create", "error")))
	assert.Equal(t, 1, testutil.CollectAndCount(m.BusinessOperationDuration))
}

type pool struct{ active, max float64 }

func (p pool) ActiveConnections() float64 { return p.active }
func (p pool) MaxConnections() float64    { return p.max }

func TestRegistryExposesTheGuidelineNamesAndThePool(t *testing.T) {
	m := New()
	m.ObservePool(pool{active: 3, max: 10})
	m.ObserveRequest("GET", "/health", 200, time.Millisecond)
	m.Operation("thing_create")
	m.ObserveQuery("select", "things", "", time.Millisecond)
	expected := `
# HELP db_connections_active Number of active database connections
# TYPE db_connections_active gauge
db_connections_active 3
# HELP db_connections_max Maximum number of database connections (the pool's size)
# TYPE db_connections_max gauge
db_connections_max 10
`
	require.NoError(t, testutil.GatherAndCompare(m.Registry, strings.NewReader(expected),
		"db_connections_active", "db_connections_max"))
	families, err := m.Registry.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, family := range families {
		names[family.GetName()] = true
	}
	for _, name := range []string{
		"http_request_duration_seconds", "http_requests_total", "business_operations_total",
		"business_operation_duration_seconds", "db_query_duration_seconds", "go_goroutines",
		"process_cpu_seconds_total",
	} {
		assert.True(t, names[name], name)
	}
}

func TestObserveQueryTimesEveryStatementAndCountsFailures(t *testing.T) {
	m := New()
	m.ObserveQuery("insert", "things", "", 30*time.Millisecond)
	m.ObserveQuery("insert", "things", "23505", 3*time.Second)
	expected := `
# HELP db_query_duration_seconds Duration of database queries in seconds
# TYPE db_query_duration_seconds histogram
db_query_duration_seconds_bucket{operation="insert",table="things",le="0.01"} 0
db_query_duration_seconds_bucket{operation="insert",table="things",le="0.05"} 1
db_query_duration_seconds_bucket{operation="insert",table="things",le="0.1"} 1
db_query_duration_seconds_bucket{operation="insert",table="things",le="0.5"} 1
db_query_duration_seconds_bucket{operation="insert",table="things",le="1"} 1
db_query_duration_seconds_bucket{operation="insert",table="things",le="2"} 1
db_query_duration_seconds_bucket{operation="insert",table="things",le="+Inf"} 2
db_query_duration_seconds_sum{operation="insert",table="things"} 3.03
db_query_duration_seconds_count{operation="insert",table="things"} 2
# HELP db_query_errors_total Total number of database query errors
# TYPE db_query_errors_total counter
db_query_errors_total{error_type="23505",operation="insert",table="things"} 1
`
	require.NoError(t, testutil.GatherAndCompare(m.Registry, strings.NewReader(expected),
		"db_query_duration_seconds", "db_query_errors_total"))
}

func TestJWKSFetchesAreCountedByOutcomeFromZero(t *testing.T) {
	m := New()
	assert.Equal(t, 0, testutil.CollectAndCount(m.JWKSFetches), "a service without JWT_JWKS_URL exposes no series")
	count := m.CountJWKSFetches()
	assert.Equal(t, 2, testutil.CollectAndCount(m.JWKSFetches))
	count(nil)
	count(errors.New("connection refused"))
	count(errors.New("answered 500"))

	expected := `
# HELP jwks_fetches_total Total number of fetches of the identity provider's key set (JWT_JWKS_URL)
# TYPE jwks_fetches_total counter
jwks_fetches_total{outcome="failure"} 2
jwks_fetches_total{outcome="success"} 1
`
	assert.NoError(t, testutil.GatherAndCompare(m.Registry, strings.NewReader(expected), "jwks_fetches_total"))
}
