package services

import (
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/visiobook/media-service/pkg/metrics"
)

const someID = "0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11"

// operations is the count of business operations name that ended with status (guidelines 5.3).
func operations(m *metrics.Metrics, name, status string) float64 {
	return testutil.ToFloat64(m.BusinessOperations.WithLabelValues(name, status))
}
