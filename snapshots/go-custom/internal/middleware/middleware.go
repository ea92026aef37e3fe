// Package middleware holds what every request goes through: correlation id, security and CORS
// headers, request log and metrics, the error envelope, panic recovery, the 404 and 405 answers,
// the deadline of a request and the shedding of those over the concurrency, the rate limit,
// bearer-token authentication and the routes' roles.
package middleware

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/jwks"
	"github.com/visiobook/asset-library/internal/utils"
	"github.com/visiobook/asset-library/pkg/correlation"
	"github.com/visiobook/asset-library/pkg/logging"
	"github.com/visiobook/asset-library/pkg/metrics"
)

// UnmatchedRoute labels the metrics of requests no route matched, so that scanners cannot
// create one series per path they try.
const UnmatchedRoute = "<unmatched>"

// PrincipalKey is where Authenticate keeps the caller (a utils.Principal) in the gin context;
// Caller reads it.
const PrincipalKey = "principal"

// The roles an operation needs, any one of them. Routes name these sets rather than roles, so
// who may do what is decided here, once, for every resource; reading needs none.
var (
	// WriteRoles may create, replace and change (POST, PUT, PATCH).
	WriteRoles = []string{"editor", "admin"}
	// DeleteRoles may delete.
	DeleteRoles = []string{"admin"}
)

// CorrelationID takes the request's id from header, else from x-request-id (guidelines 5.2), or
// makes one; it echoes it in header and puts it in the request's context, where loggers and
// outgoing calls find it.
func CorrelationID(header string) gin.HandlerFunc {
	return func(c *gin.Context) {
		sent := c.GetHeader(header)
		if sent == "" {
			sent = c.GetHeader("x-request-id")
		}
		id := correlation.FromHeader(sent)
		c.Header(header, id)
		c.Request = c.Request.WithContext(correlation.WithID(c.Request.Context(), id))
		c.Next()
	}
}

// SecurityHeaders adds the OWASP REST baseline to every response; HSTS is the ingress's job.
func SecurityHeaders(c *gin.Context) {
	header := c.Writer.Header()
	header.Set("Cache-Control", "no-store")
	header.Set("Content-Security-Policy", "frame-ancestors 'none'")
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("X-Frame-Options", "DENY")
	header.Set("Referrer-Policy", "no-referrer")
	c.Next()
}

// CORS lets the browsers of the listed origins (CORS_ORIGINS) call the API; any other origin
// gets no CORS header. No credentials: the API takes bearer tokens, not cookies.
type CORS struct {
	origins           map[string]bool
	correlationHeader string
}

// NewCORS allows origins, written as browsers send them (https://app.example.com).
func NewCORS(origins []string, correlationHeader string) *CORS {
	allowed := make(map[string]bool, len(origins))
	for _, origin := range origins {
		allowed[origin] = true
	}
	return &CORS{origins: allowed, correlationHeader: correlationHeader}
}

// Headers adds the CORS headers to every response to an allowed origin.
func (cors *CORS) Headers(c *gin.Context) {
	if origin := c.GetHeader("Origin"); cors.origins[origin] {
		header := c.Writer.Header()
		header.Set("Access-Control-Allow-Origin", origin)
		// The rate limit's headers too, so that a browser app can wait as they say.
		header.Set("Access-Control-Expose-Headers", cors.correlationHeader+", RateLimit, RateLimit-Policy, Retry-After")
		header.Add("Vary", "Origin")
	}
	c.Next()
}

// Preflight answers an allowed origin's preflight (OPTIONS with Access-Control-Request-Method)
// with 204. It runs where the router answers a method a path does not serve, so a preflight to
// an unknown path is still a 404, and any other OPTIONS is a 405.
func (cors *CORS) Preflight(c *gin.Context) {
	preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
	if !preflight || !cors.origins[c.GetHeader("Origin")] {
		c.Next()
		return
	}
	header := c.Writer.Header()
	header.Del("Allow")
	header.Set("Access-Control-Allow-Methods", strings.Join(methodOrder, ", "))
	header.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, "+cors.correlationHeader)
	header.Set("Access-Control-Max-Age", "600")
	c.AbortWithStatus(http.StatusNoContent)
}

// Observe times, counts and logs every request once it is served (guidelines 5.2, 5.3).
func Observe(m *metrics.Metrics, logger *zap.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		started := time.Now()
		c.Next()
		elapsed := time.Since(started)
		route := UnmatchedRoute
		if c.FullPath() != "" {
			route = RouteTemplate(c.FullPath())
		}
		status := c.Writer.Status()
		if answer := pendingAnswerOf(c.Request.Context()); answer != nil && answer.hasExpired() {
			status = http.StatusServiceUnavailable // what the client got: the deadline's answer
		}
		m.ObserveRequest(c.Request.Method, route, status, elapsed)
		// Check, then Write: no field is built when the level is off, and the correlation id is
		// one more field rather than a logger cloned for the request (logging.FromContext).
		entry := logger.Check(zap.InfoLevel, "HTTP Request")
		if entry == nil {
			return
		}
		fields := make([]zap.Field, 0, 9)
		if id := correlation.ID(c.Request.Context()); id != "" {
			fields = append(fields, zap.String(logging.CorrelationKey, id))
		}
		fields = append(fields,
			zap.String("method", c.Request.Method),
			zap.String("url", c.Request.URL.RequestURI()),
			zap.Int("statusCode", status),
			zap.Float64("responseTime", float64(elapsed.Microseconds())/1000),
			zap.String("userAgent", c.Request.UserAgent()),
			zap.String("ip", c.ClientIP()),
			zap.String("route", route),
		)
		if caller, ok := Caller(c); ok {
			fields = append(fields, zap.String("userId", caller.Subject))
		}
		entry.Write(fields...)
	}
}

var routeParameter = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// RouteTemplate writes a gin route as the API document does: /api/v1/items/:id is
// /api/v1/items/{id}.
func RouteTemplate(route string) string {
	if !strings.Contains(route, ":") {
		return route // most routes: no regular expression to run on every request
	}
	return routeParameter.ReplaceAllString(route, "{$1}")
}

// ErrorBody is the one error shape of every response (guidelines 8).
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the content of ErrorBody.
type ErrorDetail struct {
	Code          string               `json:"code"`
	Message       string               `json:"message"`
	CorrelationID string               `json:"correlation_id"`
	Timestamp     string               `json:"timestamp"`
	Details       []utils.FieldProblem `json:"details,omitempty"`
}

// Errors renders the last error a handler recorded with c.Error; unexpected errors are logged
// and hidden behind a 500.
func Errors(logger *zap.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		// Past the deadline, a handler fails for that reason (its statement was cancelled): the
		// client has the deadline's answer, no error to log.
		if late, ok := pastDeadline(c); ok {
			Abort(c, late)
			return
		}
		err := c.Errors.Last().Err
		var known *utils.APIError
		if !errors.As(err, &known) {
			logging.FromContext(c.Request.Context(), logger).Error("unhandled error",
				zap.Error(err), zap.String("method", c.Request.Method), zap.String("path", c.Request.URL.Path))
			known = utils.Internal()
		}
		Abort(c, known)
	}
}

// Abort ends the request with err in the error envelope.
func Abort(c *gin.Context, err *utils.APIError) {
	c.AbortWithStatusJSON(err.Status, ErrorBody{Error: ErrorDetail{
		Code:          err.Code,
		Message:       err.Message,
		CorrelationID: correlation.ID(c.Request.Context()),
		Timestamp:     utils.FormatTime(time.Now()),
		Details:       err.Details,
	}})
}

// Recover turns a panic into a logged 500 in the error envelope; the process keeps serving.
func Recover(logger *zap.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, recovered any) {
		logging.FromContext(c.Request.Context(), logger).Error("panic while serving a request",
			zap.Any("panic", recovered), zap.String("method", c.Request.Method), zap.String("path", c.Request.URL.Path))
		Abort(c, utils.Internal())
	})
}

// NotFound answers requests no route matches.
func NotFound(c *gin.Context) {
	Abort(c, utils.NotFound("no route for "+c.Request.Method+" "+c.Request.URL.Path))
}

// methodOrder is the order in which Allow lists methods, the same in every Visiobook backend.
var methodOrder = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
}

// MethodNotAllowed answers a method the path does not serve (RFC 9110: 405 with Allow).
func MethodNotAllowed(c *gin.Context) {
	// The router has listed the path's methods in Allow, in the order they were registered.
	served := strings.Split(c.Writer.Header().Get("Allow"), ", ")
	allowed := slices.DeleteFunc(slices.Clone(methodOrder), func(method string) bool {
		return !slices.Contains(served, method)
	})
	allow := strings.Join(allowed, ", ")
	c.Header("Allow", allow)
	Abort(c, utils.MethodNotAllowed("method "+c.Request.Method+" not allowed (allowed: "+allow+")"))
}

// Identify verifies the request's `Authorization: Bearer <JWT>` with verifier (see
// utils.TokenVerifier.Verify) and keeps the caller at PrincipalKey. It refuses nothing: the rate
// limit counts the request by the token's subject, or by address without a valid token, before
// Authenticate answers 401 (or 503 when the identity provider's keys are unavailable).
func Identify(verifier *utils.TokenVerifier) gin.HandlerFunc {
	return func(c *gin.Context) {
		scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "bearer") || token == "" {
			c.Next()
			return
		}
		caller, err := verifier.Verify(token)
		switch {
		case errors.Is(err, jwks.ErrKeysUnavailable):
			c.Set(keysUnavailableKey, true)
		case err != nil:
			c.Set(tokenRefusedKey, true)
		default:
			c.Set(PrincipalKey, caller)
		}
		c.Next()
	}
}

const (
	// tokenRefusedKey marks a request whose bearer token Identify refused.
	tokenRefusedKey = "tokenRefused"
	// keysUnavailableKey marks a request whose token names a key of the identity provider that
	// is not held while the provider's key set cannot be fetched: the token may well be good.
	keysUnavailableKey = "signingKeysUnavailable"
)

// Authenticate requires the caller Identify accepted; 401 otherwise, without saying which check
// of the token failed. A token Identify could not check, for want of the identity provider's
// keys, is 503 instead: a client drops a token on 401.
func Authenticate(c *gin.Context) {
	if _, ok := Caller(c); ok {
		c.Next()
		return
	}
	if c.GetBool(keysUnavailableKey) {
		Abort(c, utils.SigningKeysUnavailable())
		return
	}
	if c.GetBool(tokenRefusedKey) {
		c.Header("WWW-Authenticate", `Bearer error="invalid_token"`)
		Abort(c, utils.InvalidToken())
		return
	}
	c.Header("WWW-Authenticate", "Bearer")
	Abort(c, utils.MissingToken())
}

// Caller is the principal Identify accepted for the request; ok is false where it did not run
// (the probes) or the request has no valid token.
func Caller(c *gin.Context) (caller utils.Principal, ok bool) {
	value, _ := c.Get(PrincipalKey)
	caller, ok = value.(utils.Principal)
	return caller, ok
}

// RequireRole lets through a caller with one of roles, and answers any other 403 with
// `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750). A route puts it after
// Authenticate and before its handler, so that nothing of the body or the id is read first: the
// 403 tells nothing of whether the item exists, nor spends anything on a body.
func RequireRole(roles ...string) gin.HandlerFunc {
	message := "requires the role " + strings.Join(roles, " or ")
	return func(c *gin.Context) {
		if caller, _ := Caller(c); caller.HasAnyRole(roles) {
			c.Next()
			return
		}
		c.Header("WWW-Authenticate", `Bearer error="insufficient_scope"`)
		Abort(c, utils.Forbidden(message))
	}
}
