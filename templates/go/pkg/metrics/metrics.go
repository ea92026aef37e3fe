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
}

// New registers every metric, the Go runtime and process collectors, and db_connections_active,
// read from activeConnections at each scrape.
func New(activeConnections func() float64) *Metrics {
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
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPRequestDuration,
		m.HTTPRequests,
		m.HTTPRequestErrors,
		m.BusinessOperations,
		m.BusinessOperationDuration,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "db_connections_active",
			Help: "Number of active database connections",
		}, activeConnections),
	)
	return m
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
