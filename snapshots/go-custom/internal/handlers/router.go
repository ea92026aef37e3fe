// Package handlers translates HTTP to service calls and back; NewRouter assembles the API.
package handlers

import (
	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/middleware"
	"github.com/visiobook/asset-library/internal/services"
	"github.com/visiobook/asset-library/pkg/metrics"
)

// Dependencies are what the router serves.
type Dependencies struct {
	Info                ServiceInfo
	JWTSecret           string
	JWTRolesClaim       string
	CorrelationIDHeader string
	CORSOrigins         []string
	BodyMaxBytes        int64
	Logger              *zap.Logger
	Metrics             *metrics.Metrics
	Health              *services.HealthService

	// The example resource.
	MediaAssetService *services.MediaAssetService
}

// NewRouter returns the service's HTTP handler.
func NewRouter(deps Dependencies) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.ContextWithFallback = true
	// Paths match exactly as api/openapi.json writes them: another spelling (a trailing slash,
	// another letter case) is a 404, not a redirect; a method the path does not serve is a 405.
	router.RedirectTrailingSlash = false
	router.RedirectFixedPath = false
	router.HandleMethodNotAllowed = true
	// The service sits behind the ingress; it never trusts X-Forwarded-For for client addresses.
	_ = router.SetTrustedProxies(nil)

	cors := middleware.NewCORS(deps.CORSOrigins, deps.CorrelationIDHeader)
	// These run for every request, unknown paths and methods included. Authentication is the
	// /api/v1 group's, so it only runs once a route matched: 404 and 405 come before 401.
	router.Use(
		middleware.CorrelationID(deps.CorrelationIDHeader),
		middleware.SecurityHeaders,
		cors.Headers,
		middleware.Observe(deps.Metrics, deps.Logger),
		middleware.Recover(deps.Logger),
		middleware.Errors(deps.Logger),
	)
	router.NoRoute(middleware.NotFound)
	router.NoMethod(cors.Preflight, middleware.MethodNotAllowed)

	registerProbes(router, deps.Health, deps.Info)
	registerDocs(router)
	// Each resource's Register puts the roles a route needs after authentication: 401, then 403.
	api := router.Group("/api/v1", middleware.Authenticate(deps.JWTSecret, deps.JWTRolesClaim))
	(&MediaAssetHandler{service: deps.MediaAssetService, bodyLimit: deps.BodyMaxBytes}).Register(api.Group("/media-assets"))

	known := make([]metrics.Route, 0, len(router.Routes()))
	for _, route := range router.Routes() {
		known = append(known, metrics.Route{Method: route.Method, Path: middleware.RouteTemplate(route.Path)})
	}
	deps.Metrics.KnowRoutes(known)
	return router
}
