package handlers

import (
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/visiobook/asset-library/pkg/metrics"
)

// NewMetricsRouter returns the handler of the metrics listener (PROMETHEUS_PORT, guidelines 1.3,
// 5.3, 6.2): GET /metrics, the Prometheus text of m's registry, and nothing else. Any other path
// or method is a plain 404. It sits apart from the API, so an ingress in front of the API never
// exposes the metrics; its requests are neither logged nor counted in the API's metrics.
func NewMetricsRouter(m *metrics.Metrics) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.RedirectTrailingSlash = false
	router.RedirectFixedPath = false
	scrape := gin.WrapH(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	router.GET("/metrics", scrape)
	router.HEAD("/metrics", scrape)
	return router
}
