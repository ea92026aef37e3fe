package contract

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/asset-library/internal/config"
	"github.com/visiobook/asset-library/tests/testservice"
)

// The document's path templates.
const (
	collection = "/api/v1/media-assets"
	item       = collection + "/{id}"
)

// session sends requests to the running service and checks every answer against the document.
type session struct {
	t        *testing.T
	service  testservice.Service
	document *document
	// client never follows redirects: the API answers every path itself.
	client *http.Client
}

// start starts the service with the external services given, none by default.
func start(t *testing.T, external ...config.ExternalService) session {
	t.Helper()
	return startWith(t, func(cfg *config.Config) { cfg.ExternalServices = external })
}

// startWith starts the service with the configuration that configure changes.
func startWith(t *testing.T, configure func(*config.Config)) session {
	t.Helper()
	return session{
		t:        t,
		service:  testservice.StartWith(t, configure),
		document: loadDocument(t),
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// request is an authenticated request; a body is sent as application/json.
func (s session) request(method, path, body string) *http.Request {
	s.t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	request, err := http.NewRequest(method, s.service.URL+path, reader)
	require.NoError(s.t, err)
	request.Header.Set("Authorization", "Bearer "+s.service.Token)
	if body != "" {
		request.Header.Set("Content-Type", "application/json")
	}
	return request
}

// send sends request and asserts the answer: its status, its error code (code, or none when
// code is ""), and the document's promises for the operation at template ("" for a request no
// operation serves). It returns the JSON body, if any.
func (s session) send(request *http.Request, template string, status int, code string) map[string]any {
	s.t.Helper()
	response, err := s.client.Do(request)
	require.NoError(s.t, err)
	defer func() { _ = response.Body.Close() }()
	body, err := io.ReadAll(response.Body)
	require.NoError(s.t, err)
	what := request.Method + " " + request.URL.RequestURI()
	require.Equal(s.t, status, response.StatusCode, "%s: %s", what, body)
	if template != "" {
		s.document.checkOperation(s.t, request.Method, template, response, body)
	} else {
		s.document.checkError(s.t, response, body)
	}

	var decoded map[string]any
	if len(body) > 0 && strings.HasPrefix(response.Header.Get("Content-Type"), "application/json") {
		require.NoError(s.t, json.Unmarshal(body, &decoded), what)
	}
	failure, _ := decoded["error"].(map[string]any)
	if code == "" {
		assert.Nil(s.t, failure, what)
		return decoded
	}
	require.NotNil(s.t, failure, "%s: %s", what, body)
	assert.Equal(s.t, code, failure["code"], what)
	assert.Equal(s.t, response.Header.Get("x-correlation-id"), failure["correlation_id"], what)
	if status == http.StatusMethodNotAllowed {
		assert.NotEmpty(s.t, response.Header.Get("Allow"), what)
	}
	return decoded
}

func names(page map[string]any) []string {
	found := []string{}
	for _, row := range page["data"].([]any) {
		found = append(found, row.(map[string]any)["name"].(string))
	}
	return found
}

func TestTheResourceLifecycleKeepsTheContract(t *testing.T) {
	s := start(t)
	created := s.send(s.request(http.MethodPost, collection, `{"name": "sun 100%", "description": "hot"}`), collection, http.StatusCreated, "")
	id := created["id"].(string)
	assert.EqualValues(t, 1, created["version"])
	for _, name := range []string{"sunny_day", "moon"} {
		time.Sleep(2 * time.Millisecond) // timestamps keep milliseconds: no two rows share one
		s.send(s.request(http.MethodPost, collection, `{"name": "`+name+`"}`), collection, http.StatusCreated, "")
	}

	read := s.send(s.request(http.MethodGet, collection+"/"+id, ""), item, http.StatusOK, "")
	assert.Equal(t, created, read)
	s.send(s.request(http.MethodHead, collection+"/"+id, ""), item, http.StatusOK, "")
	s.send(s.request(http.MethodGet, collection+"/"+strings.ToUpper(id), ""), item, http.StatusOK, "")

	page := s.send(s.request(http.MethodGet, collection, ""), collection, http.StatusOK, "")
	assert.Equal(t, []string{"moon", "sunny_day", "sun 100%"}, names(page), "newest first")
	assert.Equal(t, map[string]any{"page": 1.0, "limit": 10.0, "total": 3.0, "totalPages": 1.0}, page["pagination"])
	s.send(s.request(http.MethodHead, collection, ""), collection, http.StatusOK, "")
	page = s.send(s.request(http.MethodGet, collection+"?sort=name&limit=2", ""), collection, http.StatusOK, "")
	assert.Equal(t, []string{"moon", "sun 100%"}, names(page))
	page = s.send(s.request(http.MethodGet, collection+"?filter[name]="+url.QueryEscape("%"), ""), collection, http.StatusOK, "")
	assert.Equal(t, []string{"sun 100%"}, names(page), "% is a literal")
	page = s.send(s.request(http.MethodGet, collection+"?filter[name]=_&page=2", ""), collection, http.StatusOK, "")
	assert.Empty(t, names(page), "a page past the end is empty")
	assert.EqualValues(t, 1, page["pagination"].(map[string]any)["total"])

	replaced := s.send(s.request(http.MethodPut, collection+"/"+id, `{"name": "sun"}`), item, http.StatusOK, "")
	assert.Nil(t, replaced["description"])
	assert.EqualValues(t, 2, replaced["version"])
	patched := s.send(s.request(http.MethodPatch, collection+"/"+id, `{}`), item, http.StatusOK, "")
	assert.EqualValues(t, 3, patched["version"], "an empty PATCH is a write")
	patched = s.send(s.request(http.MethodPatch, collection+"/"+id, `{"description": "bright"}`), item, http.StatusOK, "")
	assert.Equal(t, "sun", patched["name"])
	assert.Equal(t, "bright", patched["description"])

	s.send(s.request(http.MethodDelete, collection+"/"+id, ""), item, http.StatusNoContent, "")
	s.send(s.request(http.MethodGet, collection+"/"+id, ""), item, http.StatusNotFound, "NOT_FOUND")
}

func TestTheProbesKeepTheContract(t *testing.T) {
	storage := upstream(t, http.StatusOK)
	s := start(t, config.ExternalService{Name: "storage-service", URL: storage})
	for _, path := range []string{"/live", "/health", "/ready"} {
		s.send(s.request(http.MethodGet, path, ""), path, http.StatusOK, "")
		s.send(s.request(http.MethodHead, path, ""), path, http.StatusOK, "")
	}
	// /metrics is not part of the API (it has a port of its own): here it is an unknown path.
	s.send(s.request(http.MethodGet, "/metrics", ""), "", http.StatusNotFound, "NOT_FOUND")
}

func TestTheProbesKeepTheContractWhileARequiredServiceIsDown(t *testing.T) {
	billing := upstream(t, http.StatusServiceUnavailable)
	s := start(t, config.ExternalService{Name: "billing", URL: billing, Required: true})
	health := s.send(s.request(http.MethodGet, "/health", ""), "/health", http.StatusServiceUnavailable, "")
	assert.Equal(t, "unhealthy", health["status"])
	ready := s.send(s.request(http.MethodGet, "/ready", ""), "/ready", http.StatusServiceUnavailable, "")
	assert.Equal(t, "not_ready", ready["status"])
	s.send(s.request(http.MethodGet, "/live", ""), "/live", http.StatusOK, "")
}

// upstream is another service's real HTTP server, whose /health answers status; it returns its URL.
func upstream(t *testing.T, status int) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// token signs claims with the service's secret (with no signature for alg none).
func token(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	return tokenSignedWith(t, testservice.Secret, method, claims)
}

func tokenSignedWith(t *testing.T, secret string, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	key := any([]byte(secret))
	if method == jwt.SigningMethodNone {
		key = jwt.UnsafeAllowNoneSignatureType
	}
	signed, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return signed
}

func TestEveryAuthenticationFailureIsThe401OfTheContract(t *testing.T) {
	s := start(t)
	now := time.Now().Unix()
	for name, authorization := range map[string]string{
		"no header":    "",
		"other scheme": "Basic dXNlcjpwYXNz",
		"no token":     "Bearer",
		"garbage":      "Bearer not-a-token",
		"wrong key":    "Bearer " + tokenSignedWith(t, "another-secret-of-more-than-32-characters", jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u", "exp": now + 60}),
		"expired":      "Bearer " + token(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u", "exp": now - 1}),
		"no exp":       "Bearer " + token(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u"}),
		"nbf ahead":    "Bearer " + token(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u", "exp": now + 60, "nbf": now + 60}),
		"no sub":       "Bearer " + token(t, jwt.SigningMethodHS256, jwt.MapClaims{"exp": now + 60}),
		"alg none":     "Bearer " + token(t, jwt.SigningMethodNone, jwt.MapClaims{"sub": "u", "exp": now + 60}),
		"HS384":        "Bearer " + token(t, jwt.SigningMethodHS384, jwt.MapClaims{"sub": "u", "exp": now + 60}),
		"number roles": "Bearer " + token(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u", "exp": now + 60, "roles": 7}),
	} {
		t.Run(name, func(t *testing.T) {
			request := s.request(http.MethodGet, collection, "")
			request.Header.Set("Authorization", authorization)
			s.send(request, collection, http.StatusUnauthorized, "UNAUTHORIZED")
		})
	}
	valid := "bearer " + token(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u", "exp": now + 60, "nbf": now - 1})
	request := s.request(http.MethodGet, collection, "")
	request.Header.Set("Authorization", valid)
	s.send(request, collection, http.StatusOK, "")
}

func TestEveryErrorOfTheTableKeepsTheContract(t *testing.T) {
	s := start(t)
	taken := s.send(s.request(http.MethodPost, collection, `{"name": "taken"}`), collection, http.StatusCreated, "")
	id := taken["id"].(string)
	absent := "0b6a3c8e-4a8f-4f53-9a59-3f0e2f3c1a11"

	// 1. Paths the document does not list, in any spelling.
	s.send(s.request(http.MethodGet, collection+"/", ""), "", http.StatusNotFound, "NOT_FOUND")
	s.send(s.request(http.MethodGet, strings.ToUpper(collection), ""), "", http.StatusNotFound, "NOT_FOUND")
	s.send(s.request(http.MethodGet, "/nowhere", ""), "", http.StatusNotFound, "NOT_FOUND")

	// 2. Methods a path does not list, before authentication.
	for _, method := range []string{http.MethodTrace, "QUERY", http.MethodOptions, http.MethodDelete} {
		request := s.request(method, collection, "")
		request.Header.Del("Authorization")
		s.send(request, "", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	}
	s.send(s.request(http.MethodPost, collection+"/"+id, `{"name": "x"}`), "", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")

	// 4. A valid token without a role the operation needs, whatever the request holds besides.
	reader := "Bearer " + testservice.Token(t)
	for _, refused := range []struct {
		method, path, template, body string
	}{
		{http.MethodPost, collection, collection, `{"name": `},
		{http.MethodPut, collection + "/not-a-uuid", item, `{"name": "x"}`},
		{http.MethodPatch, collection + "/" + id, item, `{}`},
		{http.MethodDelete, collection + "/" + absent, item, ""},
	} {
		request := s.request(refused.method, refused.path, refused.body)
		request.Header.Set("Authorization", reader)
		s.send(request, refused.template, http.StatusForbidden, "FORBIDDEN")
	}

	// 5. No body; 6. not JSON; 7. too large, from Content-Length or once a chunked body passes
	// the limit; 8. not one JSON object.
	s.send(s.request(http.MethodPost, collection, ""), collection, http.StatusBadRequest, "VALIDATION_ERROR")
	request := s.request(http.MethodPost, collection, `{"name": "plain"}`)
	request.Header.Set("Content-Type", "text/plain")
	s.send(request, collection, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
	large := `{"name": "` + strings.Repeat("n", 2<<20) + `"}`
	s.send(s.request(http.MethodPost, collection, large), collection, http.StatusRequestEntityTooLarge, "CONTENT_TOO_LARGE")
	request = s.request(http.MethodPut, collection+"/"+id, "")
	request.Body = io.NopCloser(bytes.NewReader([]byte(large))) // no length: sent chunked
	request.Header.Set("Content-Type", "application/json")
	s.send(request, item, http.StatusRequestEntityTooLarge, "CONTENT_TOO_LARGE")
	s.send(s.request(http.MethodPost, collection, `{"name": `), collection, http.StatusBadRequest, "VALIDATION_ERROR")
	s.send(s.request(http.MethodPatch, collection+"/"+id, `[]`), item, http.StatusBadRequest, "VALIDATION_ERROR")

	// 9. A malformed id, a bad parameter or body field.
	s.send(s.request(http.MethodGet, collection+"/not-a-uuid", ""), item, http.StatusBadRequest, "VALIDATION_ERROR")
	s.send(s.request(http.MethodGet, collection+"?page=1&page=2", ""), collection, http.StatusBadRequest, "VALIDATION_ERROR")
	s.send(s.request(http.MethodGet, collection+"?limit=1.0", ""), collection, http.StatusBadRequest, "VALIDATION_ERROR")
	s.send(s.request(http.MethodGet, collection+"?sort=price", ""), collection, http.StatusBadRequest, "VALIDATION_ERROR")
	s.send(s.request(http.MethodGet, collection+"?filter[name]=a%00b", ""), collection, http.StatusBadRequest, "VALIDATION_ERROR")
	for _, body := range []string{
		`{"name": "a\u0000b"}`,
		`{"name": "ok", "description": "\u0000"}`,
		`{"name": "a\ud800"}`,
		`{"name": "ok", "colour": "red"}`,
		`{"name": " \t"}`,
		`{"name": 7}`,
	} {
		s.send(s.request(http.MethodPost, collection, body), collection, http.StatusBadRequest, "VALIDATION_ERROR")
	}

	// 10. No item with that id; 11. the name is taken.
	s.send(s.request(http.MethodGet, collection+"/"+absent, ""), item, http.StatusNotFound, "NOT_FOUND")
	s.send(s.request(http.MethodPatch, collection+"/"+absent, `{}`), item, http.StatusNotFound, "NOT_FOUND")
	s.send(s.request(http.MethodDelete, collection+"/"+absent, ""), item, http.StatusNotFound, "NOT_FOUND")
	s.send(s.request(http.MethodPost, collection, `{"name": "taken"}`), collection, http.StatusConflict, "CONFLICT")
}

func TestTheRateLimitsRefusalKeepsTheContract(t *testing.T) {
	s := startWith(t, func(cfg *config.Config) { cfg.RateLimitRequests = 2 })
	s.send(s.request(http.MethodGet, collection, ""), collection, http.StatusOK, "")
	unauthenticated := s.request(http.MethodGet, collection, "")
	unauthenticated.Header.Del("Authorization")
	s.send(unauthenticated, collection, http.StatusUnauthorized, "UNAUTHORIZED")
	s.send(s.request(http.MethodGet, collection, ""), collection, http.StatusOK, "")
	refused := s.send(s.request(http.MethodGet, collection, ""), collection, http.StatusTooManyRequests, "TOO_MANY_REQUESTS")
	assert.Equal(t, "rate limit of 2 requests per 60 s exceeded", refused["error"].(map[string]any)["message"])
}
