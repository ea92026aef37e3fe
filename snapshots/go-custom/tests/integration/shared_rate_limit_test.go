package integration

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/app"
	"github.com/visiobook/asset-library/internal/config"
	"github.com/visiobook/asset-library/tests/testservice"
)

// The rate limit kept in the Redis of REDIS_URL, which every replica shares.

// replica serves another copy of the service on cfg, as another pod would; it returns its API's
// and its metrics' URLs.
func replica(t *testing.T, cfg config.Config) (string, string) {
	t.Helper()
	service, err := app.New(context.Background(), cfg, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = service.Close() })
	server := httptest.NewServer(service.Handler)
	t.Cleanup(server.Close)
	metrics := httptest.NewServer(service.MetricsHandler)
	t.Cleanup(metrics.Close)
	return server.URL, metrics.URL
}

func TestReplicasOnOneRedisShareOneBudget(t *testing.T) {
	first := startLimited(t, 3)
	cfg := testservice.Config(t)
	cfg.RateLimitRequests = 3
	second, secondMetrics := replica(t, cfg)

	assert.Equal(t, http.StatusOK, send(t, first.URL+listPath, first.Token, "").status)
	assert.Equal(t, http.StatusOK, send(t, second+listPath, first.Token, "").status)
	assert.Equal(t, http.StatusOK, send(t, first.URL+listPath, first.Token, "").status)
	refused := send(t, second+listPath, first.Token, "")
	assert.Equal(t, http.StatusTooManyRequests, refused.status, "the second replica counted the first one's requests")
	assert.Regexp(t, `^"default";r=0;t=(60|59)$`, refused.header.Get("RateLimit"))

	key := "asset-library:ratelimit:sub:integration-tests"
	count, err := first.Redis.Get(context.Background(), key).Int()
	require.NoError(t, err)
	assert.Equal(t, 4, count)
	ttl, err := first.Redis.PTTL(context.Background(), key).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 50*time.Second)
	assert.LessOrEqual(t, ttl, time.Minute)
	assert.Equal(t, 2.0, cacheOperations(t, secondMetrics, "rate_limit", "ok"))
	assert.Zero(t, cacheOperations(t, secondMetrics, "rate_limit", "error"))
}

func TestWithoutRedisRequestsAreCountedInMemory(t *testing.T) {
	startLimited(t, 3) // migrated, empty tables
	cfg := testservice.Config(t)
	cfg.RateLimitRequests = 3
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg.RedisURL = "redis://" + listener.Addr().String() + "/0"
	require.NoError(t, listener.Close())
	down, metrics := replica(t, cfg)

	token := testservice.Token(t)
	for _, remaining := range []string{"2", "1", "0"} {
		got := send(t, down+listPath, token, "")
		require.Equal(t, http.StatusOK, got.status, "never a 5xx for Redis alone")
		assert.Regexp(t, `^"default";r=`+remaining+`;t=60$`, got.header.Get("RateLimit"))
	}
	assert.Equal(t, http.StatusTooManyRequests, send(t, down+listPath, token, "").status)
	assert.Equal(t, 4.0, cacheOperations(t, metrics, "rate_limit", "error"))
	assert.Zero(t, cacheOperations(t, metrics, "rate_limit", "ok"))
}
