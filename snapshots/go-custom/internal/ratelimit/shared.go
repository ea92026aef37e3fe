package ratelimit

import (
	"context"
	"time"

	"github.com/visiobook/asset-library/internal/cache"
)

// Shared keeps the counts in Redis, so that every replica spends one budget per client. When
// Redis fails (the cache counts and logs it), the request is counted in memory instead: the
// client is still limited, by this replica alone, and never refused for Redis's sake.
type Shared struct {
	cache    *cache.Cache
	window   time.Duration
	fallback *Memory
}

// NewShared counts in windows of this length under the keys of counts: <prefix><client>.
func NewShared(counts *cache.Cache, window time.Duration) *Shared {
	return &Shared{cache: counts, window: window, fallback: NewMemory(window)}
}

// Count counts a request of client in Redis, else in memory.
func (s *Shared) Count(ctx context.Context, client string) Usage {
	if count, resetIn, ok := s.cache.CountRequest(ctx, client, s.window); ok {
		return Usage{Count: count, ResetIn: resetIn}
	}
	return s.fallback.Count(ctx, client)
}
