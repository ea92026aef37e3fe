package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/app"
	"github.com/visiobook/asset-library/internal/models"
	"github.com/visiobook/asset-library/tests/testservice"
)

// The cache against the real Redis of REDIS_URL. A change made in the database behind the
// service's back shows whether an answer came from the cache.

// prefix starts the service's keys: <SERVICE_NAME>:<resource>:
const prefix = "asset-library:media-assets:"

// rename sets a row's name in the database, behind the service's back.
func (c client) rename(id, name string) {
	c.t.Helper()
	_, err := c.Pool.Exec(context.Background(), "UPDATE media_assets SET name = $1 WHERE id = $2", name, id)
	require.NoError(c.t, err)
}

func (c client) create(name string) models.MediaAsset {
	c.t.Helper()
	var created models.MediaAsset
	require.Equal(c.t, http.StatusCreated, c.call(http.MethodPost, "/api/v1/media-assets", `{"name": "`+name+`"}`, &created))
	return created
}

func (c client) generation() string {
	c.t.Helper()
	value, err := c.Redis.Get(context.Background(), prefix+"generation").Result()
	require.NoError(c.t, err)
	return value
}

// cacheOperations reads cache_operations_total{operation, result} from /metrics.
func cacheOperations(t *testing.T, metricsURL, operation, result string) float64 {
	t.Helper()
	_, body := get(t, metricsURL+"/metrics", "")
	var value float64
	line := fmt.Sprintf("cache_operations_total{operation=%q,result=%q} ", operation, result)
	for text := range strings.SplitSeq(body, "\n") {
		if sample, found := strings.CutPrefix(text, line); found {
			_, err := fmt.Sscan(sample, &value)
			require.NoError(t, err)
		}
	}
	return value
}

func TestAReadItemIsServedFromTheCacheUntilEachWriteDropsIt(t *testing.T) {
	api := startService(t)
	ctx := context.Background()
	writes := map[string]func(id string) int{
		"PUT": func(id string) int {
			return api.call(http.MethodPut, "/api/v1/media-assets/"+id, `{"name": "replaced `+id+`"}`, nil)
		},
		"PATCH": func(id string) int {
			return api.call(http.MethodPatch, "/api/v1/media-assets/"+id, `{"description": "updated"}`, nil)
		},
		"DELETE": func(id string) int { return api.call(http.MethodDelete, "/api/v1/media-assets/"+id, "", nil) },
	}
	for method, write := range writes {
		t.Run(method, func(t *testing.T) {
			item := api.create("cached " + method)
			path := "/api/v1/media-assets/" + item.ID
			misses := cacheOperations(t, api.MetricsURL, "get", "miss")
			hits := cacheOperations(t, api.MetricsURL, "get", "hit")

			var first, second map[string]any
			require.Equal(t, http.StatusOK, api.call(http.MethodGet, path, "", &first))
			ttl, err := api.Redis.TTL(ctx, prefix+"item:"+item.ID).Result()
			require.NoError(t, err)
			assert.Greater(t, ttl, 50*time.Second, "kept CACHE_TTL (1m) at most")
			assert.LessOrEqual(t, ttl, time.Minute)

			api.rename(item.ID, "renamed behind its back "+method)
			require.Equal(t, http.StatusOK, api.call(http.MethodGet, path, "", &second))
			assert.Equal(t, first, second, "the second read came from the cache")
			assert.Equal(t, misses+1, cacheOperations(t, api.MetricsURL, "get", "miss"))
			assert.Equal(t, hits+1, cacheOperations(t, api.MetricsURL, "get", "hit"))

			generation := api.generation()
			require.Less(t, write(item.ID), 300)
			exists, err := api.Redis.Exists(ctx, prefix+"item:"+item.ID).Result()
			require.NoError(t, err)
			assert.Zero(t, exists, "the write dropped the item's key")
			assert.NotEqual(t, generation, api.generation(), "the write moved to the next generation")

			var third map[string]any
			status := api.call(http.MethodGet, path, "", &third)
			if method == "DELETE" {
				assert.Equal(t, http.StatusNotFound, status)
				return
			}
			require.Equal(t, http.StatusOK, status)
			assert.NotEqual(t, first["version"], third["version"], "read again from the database")
		})
	}
}

func TestAnItemIdInUpperCaseSharesTheKeyOfItsLowerCase(t *testing.T) {
	api := startService(t)
	item := api.create("case")
	var upper, lower map[string]any
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/api/v1/media-assets/"+strings.ToUpper(item.ID), "", &upper))
	api.rename(item.ID, "renamed")
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/api/v1/media-assets/"+item.ID, "", &lower))
	assert.Equal(t, upper, lower)
}

func TestPagesAreCachedByGenerationAndQueryUntilAWrite(t *testing.T) {
	api := startService(t)
	ctx := context.Background()
	first := api.create("page cat one")
	listing := "/api/v1/media-assets?" + url.Values{"filter[name]": {"cat"}, "sort": {"name"}}.Encode()
	var cached models.MediaAssetPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, listing, "", &cached))
	generation := api.generation() // 1: the create moved it from 0 (absent)
	assert.Equal(t, "1", generation)
	key := prefix + "list:1:page=1&limit=10&sort=name:asc&filter[name]=cat"
	exists, err := api.Redis.Exists(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), exists, "the page's key holds the validated query, defaults filled in")

	api.rename(first.ID, "page cat renamed")
	var again models.MediaAssetPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, listing, "", &again))
	assert.Equal(t, cached, again, "served from the cache")

	// A write that fails (the name is taken) changes nothing.
	require.Equal(t, http.StatusConflict, api.call(http.MethodPost, "/api/v1/media-assets", `{"name": "page cat renamed"}`, nil))
	assert.Equal(t, generation, api.generation())

	second := api.create("page cat two")
	assert.Equal(t, "2", api.generation())
	var fresh models.MediaAssetPage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, listing, "", &fresh))
	assert.Equal(t, 2, fresh.Pagination.Total)
	assert.ElementsMatch(t, []string{first.ID, second.ID}, []string{fresh.Data[0].ID, fresh.Data[1].ID})
	assert.Equal(t, "page cat renamed", fresh.Data[0].Name)
}

func TestWithoutRedisTheAPIAnswersFromTheDatabaseAndTheProbesSayWhy(t *testing.T) {
	api := startService(t)
	item := api.create("outage")
	cfg := testservice.Config(t)
	// The service of this test reaches Redis at an address where nothing listens.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg.RedisURL = "redis://" + listener.Addr().String() + "/0"
	require.NoError(t, listener.Close())
	service, err := app.New(context.Background(), cfg, zap.NewNop())
	require.NoError(t, err, "the service starts without Redis")
	defer func() { _ = service.Close() }()
	server := httptest.NewServer(service.Handler)
	defer server.Close()
	metrics := httptest.NewServer(service.MetricsHandler)
	defer metrics.Close()
	down := client{t: t, Service: api.Service}
	down.URL = server.URL

	var read models.MediaAsset
	require.Equal(t, http.StatusOK, down.call(http.MethodGet, "/api/v1/media-assets/"+item.ID, "", &read))
	api.rename(item.ID, "read from the database")
	require.Equal(t, http.StatusOK, down.call(http.MethodGet, "/api/v1/media-assets/"+item.ID, "", &read))
	assert.Equal(t, "read from the database", read.Name)
	var page models.MediaAssetPage
	require.Equal(t, http.StatusOK, down.call(http.MethodGet, "/api/v1/media-assets", "", &page))
	assert.Equal(t, 1, page.Pagination.Total)
	require.Equal(t, http.StatusOK, down.call(http.MethodPatch, "/api/v1/media-assets/"+item.ID, `{"description": "written"}`, nil))
	assert.Equal(t, 3.0, cacheOperations(t, metrics.URL, "get", "error"))
	assert.Equal(t, 2.0, cacheOperations(t, metrics.URL, "set", "error"), "the items read; no page without its generation")
	assert.Equal(t, 1.0, cacheOperations(t, metrics.URL, "invalidate", "error"))

	// /health reports Redis down without failing, and /ready does not check it: the API answers.
	var health healthAnswer
	require.Equal(t, http.StatusOK, down.call(http.MethodGet, "/health", "", &health))
	assert.Equal(t, "healthy", health.Status)
	assert.Equal(t, "healthy", health.Dependencies.Database["status"])
	assert.Equal(t, map[string]any{"status": "unhealthy", "required": false}, without(health.Dependencies.Redis, "latency_ms"))
	var ready readyAnswer
	require.Equal(t, http.StatusOK, down.call(http.MethodGet, "/ready", "", &ready))
	assert.Equal(t, "ready", ready.Status)
	assert.NotContains(t, ready.Checks, "redis")

	// The service of startService, on the real Redis, reports it healthy.
	var up healthAnswer
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/health", "", &up))
	assert.Equal(t, map[string]any{"status": "healthy", "required": false}, without(up.Dependencies.Redis, "latency_ms"))
}

func TestACachedAnswerIsTheDatabasesOne(t *testing.T) {
	api := startService(t)
	item := api.create("same answer")
	path := "/api/v1/media-assets/" + item.ID
	var fromDatabase, fromCache json.RawMessage
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, path, "", &fromDatabase))
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, path, "", &fromCache))
	assert.JSONEq(t, string(fromDatabase), string(fromCache))
	assert.Equal(t, 1.0, cacheOperations(t, api.MetricsURL, "get", "hit"))
}
