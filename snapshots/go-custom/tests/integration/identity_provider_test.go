package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/asset-library/internal/config"
	"github.com/visiobook/asset-library/tests/testservice"
)

func TestTheServiceAcceptsItsIdentityProvidersTokens(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	point, err := key.PublicKey.Bytes() // 0x04 || x || y
	require.NoError(t, err)
	jwk := map[string]string{
		"kty": "EC", "kid": "ec-1", "use": "sig", "alg": "ES256", "crv": "P-256",
		"x": base64.RawURLEncoding.EncodeToString(point[1:33]),
		"y": base64.RawURLEncoding.EncodeToString(point[33:]),
	}
	set, err := json.Marshal(map[string]any{"keys": []map[string]string{jwk}})
	require.NoError(t, err)
	var fetches atomic.Int32
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_, _ = w.Write(set)
	}))
	t.Cleanup(provider.Close)

	const issuer, audience = "https://idp.example.test/realms/visiobook", "asset-library"
	api := client{t: t, Service: testservice.StartWith(t, func(cfg *config.Config) {
		cfg.JWTJWKSURL = provider.URL + "/certs"
		cfg.JWTIssuer = issuer
		cfg.JWTAudience = audience
	})}
	status, _ := get(t, api.URL+"/ready", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, int32(0), fetches.Load(), "the key set was fetched before a token needed it")

	token := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": issuer, "aud": audience, "sub": "user-7", "exp": time.Now().Unix() + 60, "roles": []string{},
	})
	token.Header["kid"] = "ec-1"
	api.Token, err = token.SignedString(key)
	require.NoError(t, err)
	for range 3 {
		assert.Equal(t, http.StatusOK, api.call(http.MethodGet, "/api/v1/media-assets", "", nil))
	}
	assert.Equal(t, int32(1), fetches.Load(), "the keys were not kept")

	_, metrics := get(t, api.MetricsURL+"/metrics", "")
	assert.Contains(t, metrics, `jwks_fetches_total{outcome="success"} 1`)
	assert.Contains(t, metrics, `jwks_fetches_total{outcome="failure"} 0`)
}
