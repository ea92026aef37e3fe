package integration

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/asset-library/tests/testservice"
)

func TestEveryStatementIsTimedAndEveryFailureCounted(t *testing.T) {
	api := startService(t)
	ctx := context.Background()
	require.Equal(t, http.StatusCreated, api.call(http.MethodPost, mediaAssetsPath, `{"name": "first"}`, nil))
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, mediaAssetsPath, "", nil))
	// A unique violation through the service, a NOT NULL one straight through its pool.
	require.Equal(t, http.StatusConflict, api.call(http.MethodPost, mediaAssetsPath, `{"name": "first"}`, nil))
	_, err := api.Pool.Exec(ctx, `INSERT INTO media_assets (name) VALUES (NULL)`)
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	require.Equal(t, "23502", pgErr.Code)
	// A statement of a batch, and one the client gives up on: the server never answers it.
	batch := &pgx.Batch{}
	batch.Queue(`UPDATE media_assets SET name = NULL`)
	require.Error(t, api.Pool.SendBatch(ctx, batch).Close())
	impatient, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = api.Pool.Exec(impatient, "SELECT pg_sleep(1)")
	require.True(t, errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err), err)
	// Transaction control is left out.
	tx, err := api.Pool.Begin(ctx)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))

	status, body := get(t, api.MetricsURL+"/metrics", "")
	require.Equal(t, http.StatusOK, status)
	series := parseSeries(t, body)
	const table = `table="media_assets"`
	for _, bucket := range []string{"0.01", "0.05", "0.1", "0.5", "1", "2", "+Inf"} {
		assert.Contains(t, series, `db_query_duration_seconds_bucket{operation="insert",`+table+`,le="`+bucket+`"}`)
	}
	// The insert that created the item, the one refused as a duplicate, the NOT NULL one.
	assert.Equal(t, 3.0, series[`db_query_duration_seconds_count{operation="insert",`+table+`}`])
	// The list reads its page and its total in one statement.
	assert.Equal(t, 1.0, series[`db_query_duration_seconds_count{operation="select",`+table+`}`])
	assert.Equal(t, 1.0, series[`db_query_errors_total{error_type="23505",operation="insert",`+table+`}`])
	assert.Equal(t, 1.0, series[`db_query_errors_total{error_type="23502",operation="insert",`+table+`}`])
	assert.Equal(t, 1.0, series[`db_query_errors_total{error_type="23502",operation="update",`+table+`}`])
	assert.Equal(t, 1.0, series[`db_query_errors_total{error_type="connection",operation="select",table="unknown"}`])
	assert.Equal(t, 1.0, series[`db_query_duration_seconds_count{operation="other",table="unknown"}`], "TRUNCATE, at the start")
	for name := range series {
		assert.NotContains(t, name, `operation="begin"`)
		assert.NotContains(t, name, `operation="rollback"`)
	}
	assert.Equal(t, float64(testservice.Config(t).DBPoolSize), series["db_connections_max"])
}

func TestReadyAndTheMigrationsGoThroughTheSamePool(t *testing.T) {
	api := startService(t)
	require.Equal(t, http.StatusOK, api.call(http.MethodGet, "/ready", "", nil))
	_, body := get(t, api.MetricsURL+"/metrics", "")
	series := parseSeries(t, body)
	// goose reads its version table to tell whether a migration is pending.
	assert.Positive(t, series[`db_query_duration_seconds_count{operation="select",table="goose_db_version"}`], body)
}

// parseSeries maps each sample of a Prometheus text page (name and labels, as written) to its value.
func parseSeries(t *testing.T, body string) map[string]float64 {
	t.Helper()
	series := map[string]float64{}
	for line := range strings.Lines(body) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cut := strings.LastIndexByte(line, ' ')
		value, err := strconv.ParseFloat(line[cut+1:], 64)
		require.NoError(t, err, line)
		series[line[:cut]] = value
	}
	return series
}
