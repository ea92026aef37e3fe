package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/config"
	"github.com/visiobook/media-service/internal/middleware"
	"github.com/visiobook/media-service/internal/utils"
	"github.com/visiobook/media-service/tests/testservice"
)

// The rate limit through the whole service, with a budget of 3 requests a minute.

const listPath = "/api/v1/items"

// startLimited serves the service with a budget of requests a minute and these trusted proxies.
func startLimited(t *testing.T, requests int64, proxies ...string) testservice.Service {
	t.Helper()
	return testservice.StartWith(t, func(cfg *config.Config) {
		cfg.RateLimitRequests = requests
		cfg.TrustedProxies = proxies
	})
}

// answer is what a test reads of a response.
type answer struct {
	status int
	header http.Header
	error  middleware.ErrorDetail
}

// send sends a GET with the bearer token (none when empty) and X-Forwarded-For (none when
// empty).
func send(t *testing.T, url, token, forwardedFor string) answer {
	t.Helper()
	request, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	if forwardedFor != "" {
		request.Header.Set("X-Forwarded-For", forwardedFor)
	}
	response, err := http.DefaultClient.Do(request)
	require.NoError(t, err)
	defer func() { _ = response.Body.Close() }()
	body, err := io.ReadAll(response.Body)
	require.NoError(t, err)
	got := answer{status: response.StatusCode, header: response.Header}
	if response.StatusCode >= 400 {
		var envelope middleware.ErrorBody
		require.NoError(t, json.Unmarshal(body, &envelope), string(body))
		got.error = envelope.Error
	}
	return got
}

// tokenOf is a valid token of another subject than the service's own tests.
func tokenOf(t *testing.T, subject string) string {
	t.Helper()
	token, err := utils.CreateAccessToken(subject, testservice.Secret, time.Hour, testservice.RolesClaim, nil)
	require.NoError(t, err)
	return token
}

func TestAClientOverItsBudgetIsRefusedWithTheRateLimitHeaders(t *testing.T) {
	service := startLimited(t, 3)
	for _, remaining := range []string{"2", "1", "0"} {
		got := send(t, service.URL+listPath, service.Token, "")
		require.Equal(t, http.StatusOK, got.status)
		assert.Equal(t, `"default";q=3;w=60`, got.header.Get("RateLimit-Policy"))
		assert.Regexp(t, `^"default";r=`+remaining+`;t=(60|59)$`, got.header.Get("RateLimit"))
		assert.Empty(t, got.header.Get("Retry-After"))
	}
	refused := send(t, service.URL+listPath, service.Token, "")
	require.Equal(t, http.StatusTooManyRequests, refused.status)
	assert.Equal(t, "TOO_MANY_REQUESTS", refused.error.Code)
	assert.Equal(t, "rate limit of 3 requests per 60 s exceeded", refused.error.Message)
	assert.NotEmpty(t, refused.error.CorrelationID)
	assert.Equal(t, `"default";q=3;w=60`, refused.header.Get("RateLimit-Policy"))
	assert.Regexp(t, `^"default";r=0;t=(60|59)$`, refused.header.Get("RateLimit"))
	retryAfter, err := strconv.Atoi(refused.header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Equal(t, `"default";r=0;t=`+strconv.Itoa(retryAfter), refused.header.Get("RateLimit"))

	other := send(t, service.URL+listPath, tokenOf(t, "another-subject"), "")
	assert.Equal(t, http.StatusOK, other.status, "another subject has its own budget")
	assert.Regexp(t, `^"default";r=2;`, other.header.Get("RateLimit"))
}

func TestRequestsWithoutAValidTokenAreCountedByAddress(t *testing.T) {
	service := startLimited(t, 3)
	for _, token := range []string{"", "not-a-token", ""} {
		got := send(t, service.URL+listPath, token, "")
		assert.Equal(t, http.StatusUnauthorized, got.status)
		assert.NotEmpty(t, got.header.Get("RateLimit"), "a 401 is counted too")
	}
	refused := send(t, service.URL+listPath, "forged", "")
	assert.Equal(t, http.StatusTooManyRequests, refused.status, "over the budget comes before 401")
	assert.Equal(t, "TOO_MANY_REQUESTS", refused.error.Code)
	assert.Equal(t, http.StatusOK, send(t, service.URL+listPath, service.Token, "").status, "a valid token is counted by its subject")
}

func TestXForwardedForNamesTheClientBehindATrustedProxy(t *testing.T) {
	trusting := startLimited(t, 3, "127.0.0.1", "10.0.0.0/8")
	for range 3 {
		assert.Equal(t, http.StatusUnauthorized, send(t, trusting.URL+listPath, "", "203.0.113.1").status)
	}
	assert.Equal(t, http.StatusTooManyRequests, send(t, trusting.URL+listPath, "", "203.0.113.1").status)
	// The rightmost address that is not a trusted proxy's is the client.
	assert.Equal(t, http.StatusTooManyRequests, send(t, trusting.URL+listPath, "", "198.51.100.7, 203.0.113.1, 10.1.2.3").status)
	other := send(t, trusting.URL+listPath, "", "203.0.113.2")
	assert.Equal(t, http.StatusUnauthorized, other.status, "another forwarded address has its own budget")
	assert.Regexp(t, `^"default";r=2;`, other.header.Get("RateLimit"))
}

func TestXForwardedForIsIgnoredWithoutTrustedProxies(t *testing.T) {
	trustingNobody := startLimited(t, 3)
	for _, forwarded := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		assert.Equal(t, http.StatusUnauthorized, send(t, trustingNobody.URL+listPath, "", forwarded).status)
	}
	assert.Equal(t, http.StatusTooManyRequests, send(t, trustingNobody.URL+listPath, "", "203.0.113.4").status,
		"X-Forwarded-For is ignored: every request came from 127.0.0.1")
}

func TestProbesUnknownRoutesAndOtherMethodsAreNotCounted(t *testing.T) {
	service := startLimited(t, 3)
	for range 5 {
		for _, path := range []string{"/live", "/ready", "/health", "/api/docs", "/api/v1/nowhere"} {
			got := send(t, service.URL+path, service.Token, "")
			assert.NotEqual(t, http.StatusTooManyRequests, got.status, path)
			assert.Empty(t, got.header.Get("RateLimit"), path)
			assert.Empty(t, got.header.Get("RateLimit-Policy"), path)
		}
		request, err := http.NewRequest(http.MethodTrace, service.URL+listPath, nil)
		require.NoError(t, err)
		response, err := http.DefaultClient.Do(request)
		require.NoError(t, err)
		_ = response.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, response.StatusCode)
		assert.Empty(t, response.Header.Get("RateLimit"))
	}
	first := send(t, service.URL+listPath, service.Token, "")
	assert.Equal(t, http.StatusOK, first.status)
	assert.Regexp(t, `^"default";r=2;`, first.header.Get("RateLimit"))
}

func TestNoBudgetMeansNoLimitAndNoHeader(t *testing.T) {
	service := startLimited(t, 0)
	for range 5 {
		got := send(t, service.URL+listPath, service.Token, "")
		assert.Equal(t, http.StatusOK, got.status)
		assert.Empty(t, got.header.Get("RateLimit"))
		assert.Empty(t, got.header.Get("RateLimit-Policy"))
	}
}
