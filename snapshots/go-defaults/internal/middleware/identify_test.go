package middleware

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/visiobook/media-service/internal/jwks"
	"github.com/visiobook/media-service/internal/utils"
)

const (
	testSecret   = "a-test-secret-with-at-least-32-characters"
	testIssuer   = "https://idp.example.test/realms/visiobook"
	testAudience = "media-service"
)

var providerKey = func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
}()

// identityProvider serves providerKey's JWKS as kid rsa-1, or 500 while down.
func identityProvider(t *testing.T, down *atomic.Bool) string {
	t.Helper()
	key := map[string]string{
		"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(providerKey.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(providerKey.E)).Bytes()),
	}
	set, err := json.Marshal(map[string]any{"keys": []map[string]string{key}})
	require.NoError(t, err)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(set)
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// authenticated serves GET /api/v1/me, which answers the caller's subject, behind Identify and
// Authenticate, accepting the tokens of the provider at jwksURL.
func authenticated(jwksURL string) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	verifier := utils.NewTokenVerifier(testSecret, "roles").WithIdentityProvider(utils.IdentityProvider{
		Keys:     jwks.New(jwksURL, zap.NewNop(), func(error) {}),
		Issuer:   testIssuer,
		Audience: testAudience,
	})
	engine := gin.New()
	engine.GET("/api/v1/me", Identify(verifier), Authenticate, func(c *gin.Context) {
		caller, _ := Caller(c)
		c.String(http.StatusOK, caller.Subject)
	})
	return engine
}

func providerToken(t *testing.T, kid, audience string) string {
	t.Helper()
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": testIssuer, "aud": []string{audience}, "sub": "user-7", "exp": time.Now().Unix() + 60,
	})
	token.Header["kid"] = kid
	signed, err := token.SignedString(providerKey)
	require.NoError(t, err)
	return signed
}

func get(handler http.Handler, token string) *httptest.ResponseRecorder {
	request := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, request)
	return recorder
}

func errorOf(t *testing.T, recorder *httptest.ResponseRecorder) ErrorDetail {
	t.Helper()
	var body ErrorBody
	require.NoError(t, json.Unmarshal(recorder.Body.Bytes(), &body), recorder.Body.String())
	return body.Error
}

func TestAProviderTokenIs503WhileItsKeyCannotBeFetched(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	handler := authenticated(identityProvider(t, &down))

	answer := get(handler, providerToken(t, "rsa-1", testAudience))
	require.Equal(t, http.StatusServiceUnavailable, answer.Code, answer.Body.String())
	body := errorOf(t, answer)
	assert.Equal(t, "SERVICE_UNAVAILABLE", body.Code)
	assert.Equal(t, "signing keys are unavailable", body.Message)
	assert.Empty(t, answer.Header().Get("Retry-After"))
	assert.Empty(t, answer.Header().Get("WWW-Authenticate"))

	own, err := utils.CreateAccessToken("user-1", testSecret, time.Minute, "roles", nil)
	require.NoError(t, err)
	answer = get(handler, own)
	assert.Equal(t, http.StatusOK, answer.Code, "the service's own tokens need no provider")
	assert.Equal(t, "user-1", answer.Body.String())
}

func TestAProviderTokenIsVerifiedWithTheKeyItsKidNames(t *testing.T) {
	var down atomic.Bool
	handler := authenticated(identityProvider(t, &down))

	answer := get(handler, providerToken(t, "rsa-1", testAudience))
	require.Equal(t, http.StatusOK, answer.Code, answer.Body.String())
	assert.Equal(t, "user-7", answer.Body.String())

	for name, token := range map[string]string{
		"a kid the set lacks": providerToken(t, "rsa-9", testAudience),
		"another audience":    providerToken(t, "rsa-1", "billing-service"),
	} {
		answer := get(handler, token)
		require.Equal(t, http.StatusUnauthorized, answer.Code, name)
		assert.Equal(t, `Bearer error="invalid_token"`, answer.Header().Get("WWW-Authenticate"), name)
		body := errorOf(t, answer)
		assert.Equal(t, "UNAUTHORIZED", body.Code, name)
		assert.Equal(t, "invalid bearer token", body.Message, name)
	}
	answer = get(handler, "")
	assert.Equal(t, http.StatusUnauthorized, answer.Code)
	assert.Equal(t, "Bearer", answer.Header().Get("WWW-Authenticate"))
}

func TestAProviderTokenIs401WithoutAProvider(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.GET("/api/v1/me", Identify(utils.NewTokenVerifier(testSecret, "roles")), Authenticate, func(c *gin.Context) {
		c.Status(http.StatusOK)
	})
	answer := get(engine, providerToken(t, "rsa-1", testAudience))
	assert.Equal(t, http.StatusUnauthorized, answer.Code)
	assert.Equal(t, `Bearer error="invalid_token"`, answer.Header().Get("WWW-Authenticate"))
}
