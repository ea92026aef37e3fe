package middleware

import (
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/visiobook/asset-library/internal/utils"
)

// Shed admits at most limit /api/v1 requests in progress at once (MAX_CONCURRENT_REQUESTS): one
// more is answered at once, 503 with Retry-After: 1, before the rate limit (it is not counted)
// and authentication, rather than queueing where it would wait past its deadline. A request
// holds its place until its handler is done or the deadline's 503 is sent. The probes are never
// shed: they are not under /api/v1.
func Shed(limit int) gin.HandlerFunc {
	places := make(chan struct{}, limit)
	return func(c *gin.Context) {
		select {
		case places <- struct{}{}:
		default:
			c.Header("Retry-After", "1")
			Abort(c, utils.TooBusy())
			return
		}
		var once sync.Once
		release := func() { once.Do(func() { <-places }) }
		defer release()
		if answer := pendingAnswerOf(c.Request.Context()); answer != nil {
			answer.whenExpired(release)
		}
		keepHeaders(c)
		c.Next()
	}
}
