// Package metrics holds the Prometheus metrics of a service, with the names of the Visiobook
// guidelines (5.3), in a registry of its own.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Error types of http_request_errors_total.
const (
	ClientError = "client_error"
	ServerError = "server_error"
)

// Metrics are the service's HTTP, database and business metrics.
type Metrics struct {
	Registry *prometheus.Registry

	HTTPRequestDuration       *prometheus.HistogramVec
	HTTPRequests              *prometheus.CounterVec
	HTTPRequestErrors         *prometheus.CounterVec
	BusinessOperations        *prometheus.CounterVec
	BusinessOperationDuration *prometheus.HistogramVec
	DBQueryDuration           *prometheus.HistogramVec
	DBQueryErrors             *prometheus.CounterVec
	// JWKSFetches counts the fetches of the identity provider's key set, by outcome.
	JWKSFetches *prometheus.CounterVec
}

// Pool is what the metrics read of the database connection pool.
type Pool interface {
	// ActiveConnections is the number of connections in use, read at each scrape.
	ActiveConnections() float64
	// MaxConnections is the most connections the pool may open (DB_POOL_SIZE).
	MaxConnections() float64
}

// New registers every metric and the Go runtime and process collectors; ObservePool adds the
// pool's, once the pool exists (it records its queries here from the start).
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTPRequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Duration of HTTP requests in seconds",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5},
		}, []string{"method", "route", "status_code"}),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "Total number of HTTP requests",
		}, []string{"method", "route", "status_code"}),
		HTTPRequestErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_request_errors_total",
			Help: "Total number of HTTP request errors",
		}, []string{"method", "route", "error_type"}),
		BusinessOperations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "business_operations_total",
			Help: "Total number of business operations",
		}, []string{"operation", "status"}),
		BusinessOperationDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "business_operation_duration_seconds",
			Help:    "Duration of business operations in seconds",
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 5},
		}, []string{"operation"}),
		DBQueryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "db_query_duration_seconds",
			Help:    "Duration of database queries in seconds",
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 2},
		}, []string{"operation", "table"}),
		DBQueryErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "db_query_errors_total",
			Help: "Total number of database query errors",
		}, []string{"operation", "table", "error_type"}),
		JWKSFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jwks_fetches_total",
			Help: "Total number of fetches of the identity provider's key set (JWT_JWKS_URL)",
		}, []string{"outcome"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPRequestDuration,
		m.HTTPRequests,
		m.HTTPRequestErrors,
		m.BusinessOperations,
		m.BusinessOperationDuration,
		m.DBQueryDuration,
		m.DBQueryErrors,
		m.JWKSFetches,
	)
	return m
}

// ObservePool registers db_connections_active, read from pool at each scrape, and
// db_connections_max, the pool's size: a saturation alert divides the one by the other.
func (m *Metrics) ObservePool(pool Pool) {
	maxConnections := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "db_connections_max",
		Help: "Maximum number of database connections (the pool's size)",
	})
	maxConnections.Set(pool.MaxConnections())
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "db_connections_active",
			Help: "Number of active database connections",
		}, pool.ActiveConnections),
		maxConnections,
	)
}

// ObserveQuery records one statement sent to the database: its duration and, when errorType is
// not empty (the SQLSTATE, or "connection"), its failure.
func (m *Metrics) ObserveQuery(operation, table, errorType string, elapsed time.Duration) {
	m.DBQueryDuration.WithLabelValues(operation, table).Observe(elapsed.Seconds())
	if errorType != "" {
		m.DBQueryErrors.WithLabelValues(operation, table, errorType).Inc()
	}
}

// CountJWKSFetches starts jwks_fetches_total at zero for both outcomes, so that an alert sees
// the series from the first scrape, and returns what counts one fetch: a failure when err is
// not nil, else a success. Only a service with JWT_JWKS_URL calls it.
func (m *Metrics) CountJWKSFetches() func(err error) {
	successes := m.JWKSFetches.WithLabelValues("success")
	failures := m.JWKSFetches.WithLabelValues("failure")
	return func(err error) {
		if err != nil {
			failures.Inc()
		} else {
			successes.Inc()
		}
	}
}

// Route is a route the service serves, named by its path template (e.g. /api/v1/items/{id}).
type Route struct {
	Method string
	Path   string
}

// KnowRoutes starts the error counters of every route at zero, so that dashboards and alerts
// see a series from the first scrape rather than only after the first error.
func (m *Metrics) KnowRoutes(routes []Route) {
	for _, route := range routes {
		for _, errorType := range []string{ClientError, ServerError} {
			m.HTTPRequestErrors.WithLabelValues(route.Method, route.Path, errorType)
		}
	}
}

// ObserveRequest records one finished HTTP request.
func (m *Metrics) ObserveRequest(method, route string, status int, elapsed time.Duration) {
	code := strconv.Itoa(status)
	m.HTTPRequestDuration.WithLabelValues(method, route, code).Observe(elapsed.Seconds())
	m.HTTPRequests.WithLabelValues(method, route, code).Inc()
	switch {
	case status >= 500:
		m.HTTPRequestErrors.WithLabelValues(method, route, ServerError).Inc()
	case status >= 400:
		m.HTTPRequestErrors.WithLabelValues(method, route, ClientError).Inc()
	}
}

// Operation counts and times one business operation, e.g. item_create.
type Operation struct {
	successes prometheus.Counter
	errors    prometheus.Counter
	duration  prometheus.Observer
}

// Operation returns the metrics of the named operation, started at zero.
func (m *Metrics) Operation(name string) *Operation {
	return &Operation{
		successes: m.BusinessOperations.WithLabelValues(name, "success"),
		errors:    m.BusinessOperations.WithLabelValues(name, "error"),
		duration:  m.BusinessOperationDuration.WithLabelValues(name),
	}
}

// Track runs work, timing it and counting it as a success or an error.
func (o *Operation) Track(work func() error) error {
	started := time.Now()
	err := work()
	o.duration.Observe(time.Since(started).Seconds())
	if err != nil {
		o.errors.Inc()
	} else {
		o.successes.Inc()
	}
	return err
}
