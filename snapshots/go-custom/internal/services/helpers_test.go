package services

import (
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/cache"
	"github.com/visiobook/asset-library/pkg/metrics"
)

const someID = "0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11"

// operations is the count of business operations name that ended with status (guidelines 5.3).
func operations(m *metrics.Metrics, name, status string) float64 {
	return testutil.ToFloat64(m.BusinessOperations.WithLabelValues(name, status))
}

// refusingCache is a cache whose Redis refuses every connection, as when Redis is down: the
// service reads the store every time. Reads from the cache are tested against a real Redis
// (tests/integration).
func refusingCache(t *testing.T, m *metrics.Metrics) *cache.Cache {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := listener.Addr().String()
	require.NoError(t, listener.Close())
	reads, err := cache.New(cache.Settings{URL: "redis://" + address, Prefix: "svc:media-assets:", TTL: time.Minute}, m.Registry, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = reads.Close() })
	return reads
}

func cacheOperations(m *metrics.Metrics, operation, result string) float64 {
	family, err := m.Registry.Gather()
	if err != nil {
		return -1
	}
	for _, metric := range family {
		if metric.GetName() != "cache_operations_total" {
			continue
		}
		for _, sample := range metric.GetMetric() {
			labels := map[string]string{}
			for _, label := range sample.GetLabel() {
				labels[label.GetName()] = label.GetValue()
			}
			if labels["operation"] == operation && labels["result"] == result {
				return sample.GetCounter().GetValue()
			}
		}
	}
	return 0
}
