package middleware

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/visiobook/media-service/internal/ratelimit"
	"github.com/visiobook/media-service/internal/utils"
)

// RateLimit counts every request of a matched /api/v1 route against its client's budget,
// whatever its outcome, and answers 429 over it. The client is the token's subject when Identify
// accepted one, else the client's address (gin's ClientIP: X-Forwarded-For only from the trusted
// proxies). Every counted response carries RateLimit-Policy and RateLimit; the 429, Retry-After.
// A nil limiter (RATE_LIMIT_REQUESTS=0) counts nothing and adds no header.
func RateLimit(limiter *ratelimit.Limiter) gin.HandlerFunc {
	if limiter == nil {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		client := "ip:" + c.ClientIP()
		if caller, ok := Caller(c); ok {
			client = "sub:" + caller.Subject
		}
		decision := limiter.Take(c.Request.Context(), client)
		header := c.Writer.Header()
		header.Set("RateLimit-Policy", limiter.Policy())
		header.Set("RateLimit", decision.Header())
		if !decision.Allowed {
			header.Set("Retry-After", strconv.FormatInt(decision.ResetSeconds, 10))
			Abort(c, utils.TooManyRequests(limiter.Exceeded()))
			return
		}
		c.Next()
	}
}
