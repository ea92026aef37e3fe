// Package handlers translates HTTP to service calls and back; NewRouter assembles the API.
package handlers

import (
	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/visiobook/media-service/internal/middleware"
	"github.com/visiobook/media-service/internal/ratelimit"
	"github.com/visiobook/media-service/internal/services"
	"github.com/visiobook/media-service/internal/utils"
	"github.com/visiobook/media-service/pkg/metrics"
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
	// IdentityProvider signs tokens accepted besides the service's own; nil for none
	// (JWT_JWKS_URL empty).
	IdentityProvider *utils.IdentityProvider
	// TrustedProxies may name the client in X-Forwarded-For (TRUSTED_PROXIES); already checked.
	TrustedProxies []string
	// RateLimiter is the clients' budget; nil for none (RATE_LIMIT_REQUESTS=0).
	RateLimiter *ratelimit.Limiter
	// MaxInProgress is how many /api/v1 requests may be in progress at once
	// (MAX_CONCURRENT_REQUESTS).
	MaxInProgress int

	// The example resource.
	ItemService *services.ItemService
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
	// The client's address is the connection's peer, unless the peer is a trusted proxy: then the
	// rightmost X-Forwarded-For address that is not one (X-Real-IP and Forwarded are not read).
	// Without trusted proxies no client can pass for another by sending X-Forwarded-For.
	_ = router.SetTrustedProxies(deps.TrustedProxies)
	router.RemoteIPHeaders = []string{"X-Forwarded-For"}

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
	// Only once a route matched (404 and 405 first): a request over the concurrency is shed
	// (503); the token is verified to know the client, the request is counted (429 over the
	// budget, even with a bad token), then 401. Each resource's Register puts the roles a route
	// needs after authentication: 401, then 403.
	api := router.Group("/api/v1",
		middleware.Shed(deps.MaxInProgress),
		middleware.Identify(tokenVerifier(deps)),
		middleware.RateLimit(deps.RateLimiter),
		middleware.KeepHeaders,
		middleware.Authenticate,
	)
	(&ItemHandler{service: deps.ItemService, bodyLimit: deps.BodyMaxBytes}).Register(api.Group("/items"))

	known := make([]metrics.Route, 0, len(router.Routes()))
	for _, route := range router.Routes() {
		known = append(known, metrics.Route{Method: route.Method, Path: middleware.RouteTemplate(route.Path)})
	}
	deps.Metrics.KnowRoutes(known)
	return router
}

// tokenVerifier accepts the tokens signed with JWT_SECRET and those of the identity provider,
// when there is one.
func tokenVerifier(deps Dependencies) *utils.TokenVerifier {
	verifier := utils.NewTokenVerifier(deps.JWTSecret, deps.JWTRolesClaim)
	if deps.IdentityProvider != nil {
		verifier = verifier.WithIdentityProvider(*deps.IdentityProvider)
	}
	return verifier
}
