package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/visiobook/media-service/internal/services"
	"github.com/visiobook/media-service/internal/utils"
)

// ServiceInfo names the service in /health.
type ServiceInfo struct {
	Name    string
	Version string
}

// registerProbes adds /live (liveness), /health and /ready (readiness) (guidelines 5.1); each
// answers HEAD too, as every GET path. They answer whatever the Host header: kubelet probes the
// pod by its IP, other services call the Service's name, the ingress the public host. /metrics
// is not here: NewMetricsRouter serves it on a port of its own.
func registerProbes(routes gin.IRoutes, health *services.HealthService, info ServiceInfo) {
	// Liveness checks nothing but that the process serves: restarting pods cannot fix a database
	// outage, and Kubernetes would restart every replica at once.
	live := func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "alive"})
	}
	routes.GET("/live", live)
	routes.HEAD("/live", live)

	// Every dependency with its state; 503 while a required one is unhealthy.
	report := func(c *gin.Context) {
		dependencies := health.Health(c.Request.Context())
		status, text := http.StatusOK, services.Healthy
		if !dependencies.Healthy() {
			status, text = http.StatusServiceUnavailable, services.Unhealthy
		}
		c.JSON(status, gin.H{
			"status":       text,
			"timestamp":    now(),
			"service":      info.Name,
			"version":      info.Version,
			"uptime":       health.Uptime().Seconds(),
			"dependencies": dependencies,
		})
	}
	routes.GET("/health", report)
	routes.HEAD("/health", report)

	ready := func(c *gin.Context) {
		checks := health.Readiness(c.Request.Context())
		status, text := http.StatusOK, "ready"
		if !checks.Ready() {
			status, text = http.StatusServiceUnavailable, "not_ready"
		}
		c.JSON(status, gin.H{"status": text, "timestamp": now(), "checks": checks})
	}
	routes.GET("/ready", ready)
	routes.HEAD("/ready", ready)
}

func now() string {
	return utils.FormatTime(time.Now())
}
