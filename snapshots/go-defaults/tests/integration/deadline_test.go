package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/config"
	"github.com/visiobook/media-service/tests/testservice"
)

// The deadline of a request and the shedding of those over the concurrency, with the
// items table locked from another connection: the service's statement waits for it.

// lockTable takes the table from a connection of the test's own, in a transaction held until
// the returned function (or the end of the test) releases it. It returns that transaction too.
func lockTable(t *testing.T, service testservice.Service) (pgx.Tx, func()) {
	t.Helper()
	ctx := context.Background()
	connection, err := pgx.Connect(ctx, testservice.Config(t).DatabaseURL)
	require.NoError(t, err)
	tx, err := connection.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "LOCK TABLE items IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)
	released := false
	release := func() {
		if !released {
			released = true
			_ = tx.Rollback(ctx)
			_ = connection.Close(ctx)
		}
	}
	t.Cleanup(release)
	return tx, release
}

// runningStatements is how many statements of the service's connections (its application_name)
// are running or waiting.
func runningStatements(t *testing.T, tx pgx.Tx, service string) int {
	t.Helper()
	// A transaction sees pg_stat_activity as it first read it, unless it asks for a new look.
	_, err := tx.Exec(context.Background(), "SELECT pg_stat_clear_snapshot()")
	require.NoError(t, err)
	var count int
	err = tx.QueryRow(context.Background(),
		"SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'", service).Scan(&count)
	require.NoError(t, err)
	return count
}

func TestARequestPastItsDeadlineIs503AndItsStatementIsCancelled(t *testing.T) {
	service := testservice.StartWith(t, func(cfg *config.Config) { cfg.RequestTimeout = time.Second })
	name := testservice.Config(t).ServiceName
	tx, release := lockTable(t, service)

	started := time.Now()
	late := send(t, service.URL+listPath, service.Token, "")
	elapsed := time.Since(started)
	require.Equal(t, http.StatusServiceUnavailable, late.status)
	assert.Equal(t, "SERVICE_UNAVAILABLE", late.error.Code)
	assert.Equal(t, "request took longer than 1 s", late.error.Message)
	assert.Equal(t, late.header.Get("x-correlation-id"), late.error.CorrelationID)
	assert.NotEmpty(t, late.error.CorrelationID)
	assert.Empty(t, late.header.Get("Retry-After"))
	assert.Regexp(t, `^"default";r=5999;`, late.header.Get("RateLimit"), "a counted response")
	assert.Equal(t, "nosniff", late.header.Get("X-Content-Type-Options"))
	assert.GreaterOrEqual(t, elapsed, time.Second)
	assert.Less(t, elapsed, 2*time.Second)

	// pgx cancelled the statement at the deadline: PostgreSQL no longer runs it.
	assert.Eventually(t, func() bool { return runningStatements(t, tx, name) == 0 }, 2*time.Second, 50*time.Millisecond)
	release()

	again := send(t, service.URL+listPath, service.Token, "")
	assert.Equal(t, http.StatusOK, again.status, "the pool's connections are healthy")

	_, body := get(t, service.MetricsURL+"/metrics", "")
	series := parseSeries(t, body)
	route := `method="GET",route="/api/v1/items",status_code=`
	assert.Equal(t, 1.0, series[`http_requests_total{`+route+`"503"}`], "recorded as the client got it")
	assert.Zero(t, series[`http_requests_total{`+route+`"500"}`])
	// The cancelled statement is counted as any statement that failed: by the SQLSTATE of the
	// cancel (57014), or as "connection" when pgx gave up on it before the server answered.
	cancelled := series[`db_query_errors_total{error_type="57014",operation="select",table="items"}`] +
		series[`db_query_errors_total{error_type="connection",operation="select",table="items"}`]
	assert.Equal(t, 1.0, cancelled)
}

func TestRequestsOverTheConcurrencyAreShedButNotProbes(t *testing.T) {
	service := testservice.StartWith(t, func(cfg *config.Config) {
		cfg.MaxConcurrentRequests = 1
		cfg.RequestTimeout = 10 * time.Second
	})
	name := testservice.Config(t).ServiceName
	tx, release := lockTable(t, service)

	inProgress := make(chan int, 1)
	go func() {
		request, _ := http.NewRequest(http.MethodGet, service.URL+listPath, nil)
		request.Header.Set("Authorization", "Bearer "+service.Token)
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			inProgress <- 0
			return
		}
		_ = response.Body.Close()
		inProgress <- response.StatusCode
	}()
	require.Eventually(t, func() bool { return runningStatements(t, tx, name) == 1 }, 5*time.Second, 20*time.Millisecond,
		"the first request waits for the lock")

	shed := send(t, service.URL+listPath, service.Token, "")
	require.Equal(t, http.StatusServiceUnavailable, shed.status)
	assert.Equal(t, "SERVICE_UNAVAILABLE", shed.error.Code)
	assert.Equal(t, "too many requests in progress", shed.error.Message)
	assert.Equal(t, "1", shed.header.Get("Retry-After"))
	assert.Empty(t, shed.header.Get("RateLimit"), "not counted by the rate limit")
	for _, probe := range []string{"/live", "/health"} {
		assert.Equal(t, http.StatusOK, send(t, service.URL+probe, "", "").status, probe)
	}

	release()
	assert.Equal(t, http.StatusOK, <-inProgress)
	next := send(t, service.URL+listPath, service.Token, "")
	assert.Equal(t, http.StatusOK, next.status, "the place is free again")
	assert.Regexp(t, `^"default";r=5998;`, next.header.Get("RateLimit"), "the shed request was not counted")
}
