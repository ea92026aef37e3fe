// Package integration tests the assembled service against the real PostgreSQL database of
// DATABASE_URL: migrations, SQL, HTTP and probes together. `go test -short` skips it.
package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/config"
	"github.com/visiobook/media-service/tests/testservice"
)

// client calls a running copy of the service, migrated and with empty tables.
type client struct {
	t *testing.T
	testservice.Service
}

// startService starts the service with the external services given, none by default.
func startService(t *testing.T, external ...config.ExternalService) client {
	t.Helper()
	return client{t: t, Service: testservice.Start(t, external...)}
}

// as is a client of a caller with these roles (none: one who may only read); startService's
// calls as an admin, who may do everything.
func (c client) as(roles ...string) client {
	c.Token = testservice.Token(c.t, roles...)
	return c
}

// call sends a request and decodes a JSON answer into out (when out is not nil).
func (c client) call(method, path, body string, out any) int {
	c.t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	request, err := http.NewRequest(method, c.URL+path, reader)
	require.NoError(c.t, err)
	request.Header.Set("Authorization", "Bearer "+c.Token)
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	require.NoError(c.t, err)
	defer func() { _ = response.Body.Close() }()
	if out != nil {
		require.NoError(c.t, json.NewDecoder(response.Body).Decode(out))
	}
	return response.StatusCode
}
