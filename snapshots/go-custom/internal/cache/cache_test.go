package cache

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// The hits, misses and invalidations of a Redis that answers are tested against a real one
// (tests/integration); here, what happens when it does not.

func newCache(t *testing.T, address string) (*Cache, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.WarnLevel)
	cache, err := New(Settings{URL: "redis://" + address + "/0", Prefix: "svc:items:", TTL: time.Minute},
		prometheus.NewRegistry(), zap.New(core))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cache.Close() })
	return cache, logs
}

// refusedAddress is an address where nothing listens: connections are refused at once.
func refusedAddress(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := listener.Addr().String()
	require.NoError(t, listener.Close())
	return address
}

// silentAddress is a server that accepts connections and never answers: a Redis too slow.
func silentAddress(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = listener.Close() })
	go func() {
		for {
			connection, err := listener.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = connection.Close() })
		}
	}()
	return listener.Addr().String()
}

func TestKeysStartWithThePrefixAndIDsAreInLowerCase(t *testing.T) {
	cache, _ := newCache(t, refusedAddress(t))
	assert.Equal(t, "svc:items:item:0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11",
		cache.ItemKey("0B6A3C8E-4A8F-4F53-9A59-3F0E2F3C1A11"))
	assert.Equal(t, "svc:items:generation", cache.generationKey())
}

func TestNewRefusesAURLRedisCannotUse(t *testing.T) {
	_, err := New(Settings{URL: "http://localhost:6379"}, prometheus.NewRegistry(), zap.NewNop())
	assert.Error(t, err)
}

func TestEveryOperationStartsAtZero(t *testing.T) {
	cache, _ := newCache(t, refusedAddress(t))
	for _, series := range [][2]string{
		{OperationGet, ResultHit}, {OperationGet, ResultMiss}, {OperationGet, ResultError},
		{OperationSet, ResultOK}, {OperationSet, ResultError},
		{OperationInvalidate, ResultOK}, {OperationInvalidate, ResultError},
		{OperationRateLimit, ResultOK}, {OperationRateLimit, ResultError},
	} {
		assert.Equal(t, 0.0, testutil.ToFloat64(cache.operations.WithLabelValues(series[0], series[1])), series)
	}
	assert.Equal(t, 9, testutil.CollectAndCount(cache.operations))
}

func TestARefusingRedisIsAMissCountedAndLoggedAsAnError(t *testing.T) {
	cache, logs := newCache(t, refusedAddress(t))
	ctx := context.Background()
	var value map[string]string
	assert.False(t, cache.Get(ctx, cache.ItemKey("some-id"), &value))
	key, hit := cache.GetPage(ctx, "page=1&limit=10&sort=createdAt:desc", &value)
	assert.False(t, hit)
	assert.Empty(t, key, "no generation read: nothing to store the page under")
	cache.Set(ctx, key, value) // stores nothing, counts nothing
	cache.Set(ctx, cache.ItemKey("some-id"), map[string]string{"name": "x"})
	cache.Invalidate(ctx, "some-id")
	_, _, counted := cache.CountRequest(ctx, "ip:10.0.0.1", time.Minute)
	assert.False(t, counted, "the caller counts the request elsewhere")
	assert.Error(t, cache.Ping(ctx))

	assert.Equal(t, 2.0, testutil.ToFloat64(cache.operations.WithLabelValues(OperationGet, ResultError)))
	assert.Equal(t, 1.0, testutil.ToFloat64(cache.operations.WithLabelValues(OperationSet, ResultError)))
	assert.Equal(t, 1.0, testutil.ToFloat64(cache.operations.WithLabelValues(OperationInvalidate, ResultError)))
	assert.Equal(t, 1.0, testutil.ToFloat64(cache.operations.WithLabelValues(OperationRateLimit, ResultError)))
	assert.Equal(t, 0.0, testutil.ToFloat64(cache.operations.WithLabelValues(OperationGet, ResultMiss)))
	assert.Equal(t, 4, testutil.CollectAndCount(cache.durations), "get, set, invalidate and rate_limit are timed")

	warnings := logs.FilterMessage("cache unavailable").All()
	require.Len(t, warnings, 5)
	operations := []string{}
	for _, warning := range warnings {
		assert.Equal(t, zapcore.WarnLevel, warning.Level)
		operations = append(operations, warning.ContextMap()["operation"].(string))
	}
	assert.Equal(t, []string{OperationGet, OperationGet, OperationSet, OperationInvalidate, OperationRateLimit}, operations)
}

func TestASilentRedisIsGivenUpOnWithinTheCommandTimeout(t *testing.T) {
	cache, logs := newCache(t, silentAddress(t))
	ctx := context.Background()
	for name, operation := range map[string]func(){
		"get":        func() { cache.Get(ctx, cache.ItemKey("some-id"), &struct{}{}) },
		"page":       func() { cache.GetPage(ctx, "page=1", &struct{}{}) },
		"set":        func() { cache.Set(ctx, cache.ItemKey("some-id"), "value") },
		"invalidate": func() { cache.Invalidate(ctx, "some-id") },
		"rate_limit": func() { cache.CountRequest(ctx, "ip:10.0.0.1", time.Minute) },
	} {
		started := time.Now()
		operation()
		elapsed := time.Since(started)
		assert.GreaterOrEqual(t, elapsed, CommandTimeout/2, name+": it did wait for an answer")
		// A retry would have waited another CommandTimeout.
		assert.Less(t, elapsed, 2*CommandTimeout, name+": given up after one CommandTimeout")
	}
	assert.Len(t, logs.FilterMessage("cache unavailable").All(), 5)
}

func TestTheDurationBucketsAreTheContracts(t *testing.T) {
	registry := prometheus.NewRegistry()
	cache, err := New(Settings{URL: "redis://" + refusedAddress(t), Prefix: "svc:items:", TTL: time.Minute}, registry, zap.NewNop())
	require.NoError(t, err)
	defer func() { _ = cache.Close() }()
	cache.Invalidate(context.Background(), "some-id")
	families, err := registry.Gather()
	require.NoError(t, err)
	var bounds []float64
	for _, family := range families {
		if family.GetName() == "cache_operation_duration_seconds" {
			for _, bucket := range family.GetMetric()[0].GetHistogram().GetBucket() {
				bounds = append(bounds, bucket.GetUpperBound())
			}
		}
	}
	assert.Equal(t, []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5}, bounds)
}

func TestNewRefusesToRegisterTheMetricsTwice(t *testing.T) {
	registry := prometheus.NewRegistry()
	settings := Settings{URL: "redis://" + refusedAddress(t), Prefix: "svc:items:", TTL: time.Minute}
	first, err := New(settings, registry, zap.NewNop())
	require.NoError(t, err)
	defer func() { _ = first.Close() }()
	_, err = New(settings, registry, zap.NewNop())
	assert.Error(t, err)
}
