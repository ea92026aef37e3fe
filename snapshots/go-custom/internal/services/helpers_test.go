package services

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/visiobook/asset-library/internal/cache"
	"github.com/visiobook/asset-library/internal/cache/cachetest"
	"github.com/visiobook/asset-library/pkg/metrics"
)

const someID = "0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11"

// operations is the count of business operations name that ended with status (guidelines 5.3).
func operations(m *metrics.Metrics, name, status string) float64 {
	return testutil.ToFloat64(m.BusinessOperations.WithLabelValues(name, status))
}

// refusingCache is a cache as it is when Redis is down: the service reads the store every time.
// Reads from the cache are tested against a real Redis (tests/integration).
func refusingCache(t *testing.T, m *metrics.Metrics) *cache.Cache {
	return cachetest.Refusing(t, m.Registry)
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
