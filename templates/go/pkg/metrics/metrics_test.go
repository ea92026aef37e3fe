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
	m := New(func() float64 { return 0 })
	m.ObserveRequest("GET", "/things/{id}", 200, 20*time.Millisecond)
	m.ObserveRequest("GET", "/things/{id}", 404, time.Millisecond)
	m.ObserveRequest("POST", "/things", 503, time.Millisecond)

	assert.Equal(t, 1.0, testutil.ToFloat64(m.HTTPRequests.WithLabelValues("GET", "/things/{id}", "200")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.HTTPRequestErrors.WithLabelValues("GET", "/things/{id}", ClientError)))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.HTTPRequestErrors.WithLabelValues("POST", "/things", ServerError)))
	assert.Equal(t, 0.0, testutil.ToFloat64(m.HTTPRequestErrors.WithLabelValues("GET", "/things/{id}", ServerError)))
}

func TestKnownRoutesExposeZeroErrorCountersFromTheStart(t *testing.T) {
	m := New(func() float64 { return 0 })
	m.KnowRoutes([]Route{{Method: "GET", Path: "/health"}})
	assert.Equal(t, 2, testutil.CollectAndCount(m.HTTPRequestErrors))
}

func TestOperationTrackCountsSuccessesAndErrors(t *testing.T) {
	m := New(func() float64 { return 0 })
	operation := m.Operation("thing_create")
	require.NoError(t, operation.Track(func() error { return nil }))
	failure := errors.New("boom")
	assert.Equal(t, failure, operation.Track(func() error { return failure }))

	assert.Equal(t, 1.0, testutil.ToFloat64(m.BusinessOperations.WithLabelValues("thing_create", "success")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.BusinessOperations.WithLabelValues("thing_create", "error")))
	assert.Equal(t, 1, testutil.CollectAndCount(m.BusinessOperationDuration))
}

func TestRegistryExposesTheGuidelineNamesAndActiveConnections(t *testing.T) {
	m := New(func() float64 { return 3 })
	m.ObserveRequest("GET", "/health", 200, time.Millisecond)
	m.Operation("thing_create")
	expected := `
# HELP db_connections_active Number of active database connections
# TYPE db_connections_active gauge
db_connections_active 3
`
	require.NoError(t, testutil.GatherAndCompare(m.Registry, strings.NewReader(expected), "db_connections_active"))
	families, err := m.Registry.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, family := range families {
		names[family.GetName()] = true
	}
	for _, name := range []string{
		"http_request_duration_seconds", "http_requests_total", "business_operations_total",
		"business_operation_duration_seconds", "go_goroutines", "process_cpu_seconds_total",
	} {
		assert.True(t, names[name], name)
	}
}
