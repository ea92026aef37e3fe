// Package cachetest gives the tests of other packages a cache as it is when Redis is down.
package cachetest

import (
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/cache"
)

// Refusing is a cache whose Redis refuses every connection: every read reaches the store and
// /health reports Redis down. The cache itself is tested against a real Redis (its own tests
// and tests/integration).
func Refusing(t *testing.T, registry prometheus.Registerer) *cache.Cache {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := listener.Addr().String()
	require.NoError(t, listener.Close())
	settings := cache.Settings{URL: "redis://" + address, Prefix: "svc:", TTL: time.Minute}
	reads, err := cache.New(settings, registry, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = reads.Close() })
	return reads
}
