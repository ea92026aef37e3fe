// Package cache keeps what the service reads of the media-assets in Redis, CACHE_TTL at most
// (docs/contract.md, Cache): an item under <prefix>item:<id>, a page of the list under
// <prefix>list:<generation>:<query>. A write deletes the item's key and increments
// <prefix>generation, so every cached page goes out of use at once (and expires by itself).
//
// Redis failing never fails a request: every operation gives up after CommandTimeout, without
// retrying, is counted as an error and logged, and the caller reads the database instead.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.uber.org/zap"
)

// CommandTimeout bounds every operation: a slower Redis counts as a failed one.
const CommandTimeout = 500 * time.Millisecond

// The operations and results of cache_operations_total.
const (
	OperationGet        = "get"
	OperationSet        = "set"
	OperationInvalidate = "invalidate"
	OperationRateLimit  = "rate_limit"

	ResultHit   = "hit"
	ResultMiss  = "miss"
	ResultOK    = "ok"
	ResultError = "error"
)

// Cache reads and writes one resource's cached answers in Redis (New: the example resource's).
type Cache struct {
	client *redis.Client
	// prefix starts every key: <SERVICE_NAME>:<resource>:
	prefix     string
	ttl        time.Duration
	logger     *zap.Logger
	operations *prometheus.CounterVec
	durations  *prometheus.HistogramVec
}

// Settings are what New needs besides the metrics registry and the logger.
type Settings struct {
	// URL is REDIS_URL: redis://[user:password@]host:port/db, or rediss:// for TLS.
	URL string
	// Prefix starts every key, e.g. "asset-library:media-assets:".
	Prefix string
	// TTL is how long a cached answer may be served (CACHE_TTL).
	TTL time.Duration
}

// New connects lazily: the service starts while Redis is down, and /health says so. It
// registers cache_operations_total and cache_operation_duration_seconds in registry.
func New(settings Settings, registry prometheus.Registerer, logger *zap.Logger) (*Cache, error) {
	options, err := redis.ParseURL(settings.URL)
	if err != nil {
		return nil, err
	}
	// A command gives up after CommandTimeout at every step (connecting, sending, waiting for
	// the answer, waiting for a free connection), and is never retried: a retry would outlast it.
	options.DialTimeout = CommandTimeout
	options.DialerRetries = 1
	options.ReadTimeout = CommandTimeout
	options.WriteTimeout = CommandTimeout
	options.PoolTimeout = CommandTimeout
	options.MaxRetries = -1
	options.ContextTimeoutEnabled = true
	// Commands a plain Redis (or an older one) may not know: nothing to gain from them here.
	options.DisableIdentity = true
	options.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}

	operations := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cache_operations_total",
		Help: "Total number of cache operations, by result (hit or miss for a get, ok, or error)",
	}, []string{"operation", "result"})
	durations := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "cache_operation_duration_seconds",
		Help:    "Duration of cache operations in seconds",
		Buckets: []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5},
	}, []string{"operation"})
	for _, collector := range []prometheus.Collector{operations, durations} {
		if err := registry.Register(collector); err != nil {
			return nil, err
		}
	}
	redis.SetLogger(redisLog{logger})
	cache := &Cache{
		client:     redis.NewClient(options),
		prefix:     settings.Prefix,
		ttl:        settings.TTL,
		logger:     logger,
		operations: operations,
		durations:  durations,
	}
	// Every series from the first scrape, so that dashboards and alerts see zeros, not gaps.
	for operation, results := range map[string][]string{
		OperationGet:        {ResultHit, ResultMiss, ResultError},
		OperationSet:        {ResultOK, ResultError},
		OperationInvalidate: {ResultOK, ResultError},
		OperationRateLimit:  {ResultOK, ResultError},
	} {
		for _, result := range results {
			cache.operations.WithLabelValues(operation, result)
		}
	}
	return cache, nil
}

// Under is the cache of another resource: the same connections to Redis and the same metrics,
// its keys under prefix (<SERVICE_NAME>:<resource>:).
func (c *Cache) Under(prefix string) *Cache {
	other := *c
	other.prefix = prefix
	return &other
}

// Close releases the connections to Redis.
func (c *Cache) Close() error {
	return c.client.Close()
}

// Ping checks that Redis answers, for /health.
func (c *Cache) Ping(ctx context.Context) error {
	return c.client.Ping(ctx).Err()
}

// QueryValue is a parameter's text as a page's <query> writes it: every byte but
// A-Z a-z 0-9 - . _ ~ percent-encoded (RFC 3986), so that no filter's text can pass for another
// parameter.
func QueryValue(text string) string {
	return strings.ReplaceAll(url.QueryEscape(text), "+", "%20")
}

// ItemKey is the key of the media-asset with id (ids are UUIDs, in lower case in the key).
func (c *Cache) ItemKey(id string) string {
	return c.prefix + "item:" + strings.ToLower(id)
}

func (c *Cache) generationKey() string {
	return c.prefix + "generation"
}

// Get decodes the value cached under key into value: true on a hit; false on a miss, or when
// Redis failed (the caller then reads the database).
func (c *Cache) Get(ctx context.Context, key string, value any) bool {
	var hit bool
	c.track(ctx, OperationGet, func(ctx context.Context) (string, error) {
		var err error
		hit, err = c.read(ctx, key, value)
		return hitOrMiss(hit), err
	})
	return hit
}

// GetPage decodes the cached page the list query selects (its <query>, e.g.
// page=1&limit=10&sort=createdAt:desc) into value. It also returns the page's key, under the
// generation it read, for Set after a miss: a page read from the database before a write then
// lands in a generation already out of use, never in the new one. The key is "" when Redis
// failed: nothing to store.
func (c *Cache) GetPage(ctx context.Context, query string, value any) (key string, hit bool) {
	c.track(ctx, OperationGet, func(ctx context.Context) (string, error) {
		generation, err := c.client.Get(ctx, c.generationKey()).Int64()
		if errors.Is(err, redis.Nil) {
			generation, err = 0, nil // no write yet
		}
		if err != nil {
			return "", err
		}
		key = c.prefix + "list:" + strconv.FormatInt(generation, 10) + ":" + query
		hit, err = c.read(ctx, key, value)
		if err != nil {
			key = ""
		}
		return hitOrMiss(hit), err
	})
	return key, hit
}

// Set caches value, as JSON, under key for the TTL. An empty key (GetPage's when Redis failed)
// stores nothing.
func (c *Cache) Set(ctx context.Context, key string, value any) {
	if key == "" {
		return
	}
	c.track(ctx, OperationSet, func(ctx context.Context) (string, error) {
		encoded, err := json.Marshal(value)
		if err != nil {
			return "", err
		}
		return ResultOK, c.client.Set(ctx, key, encoded, c.ttl).Err()
	})
}

// Invalidate drops what a successful write to the media-asset with id changed: its key, and every
// cached page, by moving to the next generation. Both in one MULTI, one round trip.
func (c *Cache) Invalidate(ctx context.Context, id string) {
	c.track(ctx, OperationInvalidate, func(ctx context.Context) (string, error) {
		_, err := c.client.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.Del(ctx, c.ItemKey(id))
			pipe.Incr(ctx, c.generationKey())
			return nil
		})
		return ResultOK, err
	})
}

// countRequest counts a request in the window of the key, which the first request's count
// starts: INCR, and the window's expiry when the key is new (or lost its expiry), in one atomic
// round trip. It returns the count and the milliseconds the window has left.
var countRequest = redis.NewScript(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`)

// CountRequest counts a request of client (sub:<subject> or ip:<address>) in its window, under
// <prefix><client>, for the rate limit every replica shares. ok is false when Redis failed: the
// caller counts the request elsewhere.
func (c *Cache) CountRequest(ctx context.Context, client string, window time.Duration) (count int64, resetIn time.Duration, ok bool) {
	c.track(ctx, OperationRateLimit, func(ctx context.Context) (string, error) {
		// EVALSHA, and EVAL when Redis does not know the script yet.
		values, err := countRequest.Run(ctx, c.client, []string{c.prefix + client}, window.Milliseconds()).Int64Slice()
		if err != nil {
			return "", err
		}
		if len(values) != 2 {
			return "", fmt.Errorf("rate limit script answered %v", values)
		}
		count, resetIn, ok = values[0], time.Duration(values[1])*time.Millisecond, true
		return ResultOK, nil
	})
	return count, resetIn, ok
}

// read decodes the value under key into value; false, without error, when there is none.
func (c *Cache) read(ctx context.Context, key string, value any) (bool, error) {
	encoded, err := c.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(encoded, value); err != nil {
		return false, err
	}
	return true, nil
}

// track runs one operation within CommandTimeout, times it and counts its result; a failure is
// counted as an error and logged, never returned: the caller goes on without the cache.
func (c *Cache) track(ctx context.Context, operation string, run func(context.Context) (string, error)) {
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	started := time.Now()
	result, err := run(ctx)
	c.durations.WithLabelValues(operation).Observe(time.Since(started).Seconds())
	if err != nil {
		result = ResultError
		c.logger.Warn("cache unavailable", zap.String("operation", operation), zap.Error(err))
	}
	c.operations.WithLabelValues(operation, result).Inc()
}

// redisLog passes go-redis's own messages (a failed dial, say) to the service's logger at debug
// level, instead of go-redis's plain lines on stderr: the warn line "cache unavailable" already
// reports every failure, once, with its operation. go-redis has one logger for all its clients.
type redisLog struct{ logger *zap.Logger }

func (l redisLog) Printf(_ context.Context, format string, values ...any) {
	l.logger.Debug(fmt.Sprintf(format, values...), zap.String("component", "go-redis"))
}

func hitOrMiss(hit bool) string {
	if hit {
		return ResultHit
	}
	return ResultMiss
}
