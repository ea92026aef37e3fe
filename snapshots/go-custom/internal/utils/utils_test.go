package utils

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = "a-test-secret-with-at-least-32-characters"

func TestPaginateRoundsTotalPagesUp(t *testing.T) {
	assert.Equal(t, Pagination{Page: 2, Limit: 20, Total: 41, TotalPages: 3}, Paginate(2, 20, 41))
	assert.Equal(t, 0, Paginate(1, 20, 0).TotalPages)
	assert.Equal(t, 1, Paginate(1, 20, 20).TotalPages)
}

func TestAPIErrorsCarryStatusCodeAndTheContractMessage(t *testing.T) {
	problem := FieldProblem{Field: "body.name", Message: "is required"}
	cases := []struct {
		err     *APIError
		status  int
		code    string
		message string
	}{
		{BadRequest(problem), http.StatusBadRequest, "VALIDATION_ERROR", "invalid request"},
		{MissingToken(), http.StatusUnauthorized, "UNAUTHORIZED", "missing bearer token"},
		{InvalidToken(), http.StatusUnauthorized, "UNAUTHORIZED", "invalid bearer token"},
		{Forbidden("requires the role admin"), http.StatusForbidden, "FORBIDDEN", "requires the role admin"},
		{NotFound("gone"), http.StatusNotFound, "NOT_FOUND", "gone"},
		{MethodNotAllowed("no"), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "no"},
		{Conflict("taken"), http.StatusConflict, "CONFLICT", "taken"},
		{ContentTooLarge(1048576), http.StatusRequestEntityTooLarge, "CONTENT_TOO_LARGE", "request body is larger than 1048576 bytes"},
		{UnsupportedMediaType(), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "request body must be application/json"},
		{TooManyRequests("rate limit of 6000 requests per 60 s exceeded"), http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "rate limit of 6000 requests per 60 s exceeded"},
		{SigningKeysUnavailable(), http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "signing keys are unavailable"},
		{TooBusy(), http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "too many requests in progress"},
		{TookTooLong(5 * time.Second), http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "request took longer than 5 s"},
		{Internal(), http.StatusInternalServerError, "INTERNAL_ERROR", "internal server error"},
	}
	for _, c := range cases {
		assert.Equal(t, c.status, c.err.Status)
		assert.Equal(t, c.code, c.err.Code)
		assert.Equal(t, c.message, c.err.Message)
		assert.Equal(t, c.code+": "+c.message, c.err.Error())
	}
	assert.Equal(t, []FieldProblem{problem}, BadRequest(problem).Details)
}

func TestReadableDurationWritesTheUnitThatReadsBest(t *testing.T) {
	for duration, text := range map[time.Duration]string{
		500 * time.Millisecond:  "500 ms",
		5 * time.Second:         "5 s",
		2 * time.Minute:         "2 min",
		90 * time.Second:        "90 s",
		1500 * time.Millisecond: "1.5 s",
		time.Minute:             "1 min",
		time.Hour:               "60 min",
	} {
		assert.Equal(t, text, ReadableDuration(duration), duration.String())
	}
}

func TestFormatTimeWritesUTCWithMilliseconds(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	instant := time.Date(2026, 11, 28, 10, 30, 0, 123456789, paris)
	assert.Equal(t, "2026-11-28T09:30:00.123Z", FormatTime(instant))
	assert.Equal(t, "2026-11-28T09:30:00.000Z", FormatTime(instant.Truncate(time.Second)))
}

func TestTokenRoundTrip(t *testing.T) {
	token, err := CreateAccessToken("user-1", secret, time.Minute, "roles", []string{"editor", "admin"})
	require.NoError(t, err)
	caller, err := NewTokenVerifier(secret, "roles").Verify(token)
	require.NoError(t, err)
	assert.Equal(t, Principal{Subject: "user-1", Roles: []string{"editor", "admin"}}, caller)

	noRole, err := CreateAccessToken("user-1", secret, time.Minute, "roles", nil)
	require.NoError(t, err)
	assert.Equal(t, []any{}, claimsOf(t, noRole)["roles"], "no role: an empty array, not null")
	caller, err = NewTokenVerifier(secret, "roles").Verify(noRole)
	require.NoError(t, err)
	assert.Empty(t, caller.Roles)
}

func sign(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	key := any([]byte(secret))
	if method == jwt.SigningMethodNone {
		key = jwt.UnsafeAllowNoneSignatureType
	}
	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return token
}

// claimsOf decodes a token's claims without checking it.
func claimsOf(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser().ParseUnverified(token, claims)
	require.NoError(t, err)
	return claims
}

// rolesIn is a valid token whose claim named claim holds value.
func rolesIn(t *testing.T, claim string, value any) string {
	t.Helper()
	return sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "exp": time.Now().Unix() + 60, claim: value})
}

func TestVerifyReadsTheRolesOfEitherShape(t *testing.T) {
	verifier := NewTokenVerifier(secret, "roles")
	for name, test := range map[string]struct {
		value any
		roles []string
	}{
		"an array of names":              {[]string{"editor", "Admin"}, []string{"editor", "Admin"}},
		"an empty array":                 {[]string{}, []string{}},
		"a string of names":              {"  viewer editor  admin ", []string{"viewer", "editor", "admin"}},
		"a string of spaces":             {"   ", []string{}},
		"a string of one name":           {"editor", []string{"editor"}},
		"names split on spaces, no more": {"editor,admin\tviewer", []string{"editor,admin\tviewer"}},
	} {
		caller, err := verifier.Verify(rolesIn(t, "roles", test.value))
		require.NoError(t, err, name)
		assert.Equal(t, test.roles, caller.Roles, name)
	}
	caller, err := verifier.Verify(sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "exp": time.Now().Unix() + 60}))
	require.NoError(t, err, "no roles claim")
	assert.Empty(t, caller.Roles, "no roles claim: no role")
}

func TestVerifyRefusesRolesOfAnyOtherShape(t *testing.T) {
	verifier := NewTokenVerifier(secret, "roles")
	for name, value := range map[string]any{
		"a number":                     7,
		"a boolean":                    true,
		"null":                         nil,
		"an object":                    map[string]any{"editor": true},
		"an array holding a number":    []any{"editor", 1},
		"an array holding null":        []any{"editor", nil},
		"an array holding an array":    []any{[]string{"editor"}},
		"an array holding an object":   []any{map[string]any{"name": "editor"}},
		"an array holding a boolean":   []any{false},
		"an array of arrays of string": []any{[]any{"admin"}},
	} {
		_, err := verifier.Verify(rolesIn(t, "roles", value))
		assert.Error(t, err, name)
	}
}

func TestVerifyReadsTheRolesFromTheConfiguredClaim(t *testing.T) {
	token := sign(t, jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "user-1", "exp": time.Now().Unix() + 60, "groups": []string{"editor"}, "roles": 7,
	})
	caller, err := NewTokenVerifier(secret, "groups").Verify(token)
	require.NoError(t, err, "another claim's value is not read")
	assert.Equal(t, []string{"editor"}, caller.Roles)
	_, err = NewTokenVerifier(secret, "roles").Verify(token)
	assert.Error(t, err)

	written, err := CreateAccessToken("user-1", secret, time.Minute, "groups", []string{"admin"})
	require.NoError(t, err)
	assert.Equal(t, []any{"admin"}, claimsOf(t, written)["groups"])
	assert.NotContains(t, claimsOf(t, written), "roles")
}

func TestAPrincipalHasARoleOnlyByItsExactName(t *testing.T) {
	editor := Principal{Subject: "user-1", Roles: []string{"viewer", "editor"}}
	assert.True(t, editor.HasAnyRole([]string{"editor", "admin"}))
	assert.False(t, editor.HasAnyRole([]string{"admin"}))
	assert.False(t, editor.HasAnyRole([]string{"Editor"}), "case matters")
	assert.False(t, Principal{Subject: "user-1"}.HasAnyRole([]string{"editor", "admin"}))
}

func TestVerifyRefusesEveryTokenTheContractRefuses(t *testing.T) {
	now := time.Now().Unix()
	valid := jwt.MapClaims{"sub": "user-1", "exp": now + 60}
	with := func(changes jwt.MapClaims) jwt.MapClaims {
		claims := jwt.MapClaims{}
		for name, value := range valid {
			claims[name] = value
		}
		for name, value := range changes {
			if value == nil {
				delete(claims, name)
			} else {
				claims[name] = value
			}
		}
		return claims
	}
	wrongKey, _ := CreateAccessToken("user-1", "another-secret-with-at-least-32-characters", time.Minute, "roles", nil)
	for name, token := range map[string]string{
		"expired":     sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"exp": now - 1})),
		"no exp":      sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"exp": nil})),
		"nbf ahead":   sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"nbf": now + 60})),
		"no sub":      sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"sub": nil})),
		"empty sub":   sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"sub": ""})),
		"numeric sub": sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"sub": 42})),
		"HS384":       sign(t, jwt.SigningMethodHS384, valid),
		"alg none":    sign(t, jwt.SigningMethodNone, valid),
		"wrong key":   wrongKey,
		"not a JWT":   "not.a.token",
	} {
		_, err := NewTokenVerifier(secret, "roles").Verify(token)
		assert.Error(t, err, name)
	}
	caller, err := NewTokenVerifier(secret, "roles").Verify(sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"nbf": now - 1})))
	require.NoError(t, err, "an nbf in the past is accepted")
	assert.Equal(t, "user-1", caller.Subject)
}

// providerKeys stands in for an identity provider's key set (package jwks tests the real one):
// a key by kid, refused for an algorithm of another type.
type providerKeys map[string]crypto.PublicKey

var errKeysDown = errors.New("signing keys are unavailable")

func (keys providerKeys) Key(kid, algorithm string) (crypto.PublicKey, error) {
	if kid == "down" {
		return nil, errKeysDown
	}
	public, found := keys[kid]
	_, isRSA := public.(*rsa.PublicKey)
	if !found || isRSA != (algorithm == "RS256") {
		return nil, errors.New("no such key")
	}
	return public, nil
}

const (
	issuer   = "https://idp.example.test/realms/visiobook"
	audience = "media-service"
)

var (
	providerRSA = must(rsa.GenerateKey(rand.Reader, 2048))
	providerEC  = must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	keysHeld    = providerKeys{"rsa-1": &providerRSA.PublicKey, "ec-1": &providerEC.PublicKey}
)

func must[T any](value T, err error) T {
	if err != nil {
		panic(err)
	}
	return value
}

func providerVerifier() *TokenVerifier {
	return NewTokenVerifier(secret, "roles").WithIdentityProvider(IdentityProvider{Keys: keysHeld, Issuer: issuer, Audience: audience})
}

// providerClaims are an identity provider's access token for this service; changes replace
// claims (nil drops one).
func providerClaims(changes jwt.MapClaims) jwt.MapClaims {
	claims := jwt.MapClaims{
		"iss": issuer, "aud": []string{audience, "account"}, "sub": "user-7",
		"exp": time.Now().Unix() + 60, "roles": []string{"editor"},
	}
	for name, value := range changes {
		if value == nil {
			delete(claims, name)
		} else {
			claims[name] = value
		}
	}
	return claims
}

// signByProvider signs claims with the private key of the kind method needs, with kid in the
// header (none when empty).
func signByProvider(t *testing.T, method jwt.SigningMethod, kid string, claims jwt.MapClaims) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	var key any = providerRSA
	if _, isEC := method.(*jwt.SigningMethodECDSA); isEC {
		key = providerEC
	}
	signed, err := token.SignedString(key)
	require.NoError(t, err)
	return signed
}

func TestVerifyAcceptsTheProvidersTokensForThisService(t *testing.T) {
	verifier := providerVerifier()
	for name, token := range map[string]string{
		"RS256":           signByProvider(t, jwt.SigningMethodRS256, "rsa-1", providerClaims(nil)),
		"ES256":           signByProvider(t, jwt.SigningMethodES256, "ec-1", providerClaims(nil)),
		"aud as a string": signByProvider(t, jwt.SigningMethodRS256, "rsa-1", providerClaims(jwt.MapClaims{"aud": audience})),
	} {
		caller, err := verifier.Verify(token)
		require.NoError(t, err, name)
		assert.Equal(t, Principal{Subject: "user-7", Roles: []string{"editor"}}, caller, name)
	}
	own, err := CreateAccessToken("user-1", secret, time.Minute, "roles", []string{"admin"})
	require.NoError(t, err)
	caller, err := verifier.Verify(own)
	require.NoError(t, err, "the service's own tokens (no iss, no aud) stopped working")
	assert.Equal(t, "user-1", caller.Subject)
}

func TestVerifyRefusesTheProvidersTokensNotForThisService(t *testing.T) {
	verifier := providerVerifier()
	rs256 := func(kid string, changes jwt.MapClaims) string {
		return signByProvider(t, jwt.SigningMethodRS256, kid, providerClaims(changes))
	}
	// HS256 signed with the provider's public key as the secret: the classic algorithm confusion.
	confused := jwt.NewWithClaims(jwt.SigningMethodHS256, providerClaims(nil))
	confused.Header["kid"] = "rsa-1"
	confusedToken, err := confused.SignedString(providerRSA.N.Bytes())
	require.NoError(t, err)
	for name, token := range map[string]string{
		"another issuer":         rs256("rsa-1", jwt.MapClaims{"iss": "https://other.example.test"}),
		"no issuer":              rs256("rsa-1", jwt.MapClaims{"iss": nil}),
		"a numeric issuer":       rs256("rsa-1", jwt.MapClaims{"iss": 7}),
		"another audience":       rs256("rsa-1", jwt.MapClaims{"aud": "billing-service"}),
		"audiences without it":   rs256("rsa-1", jwt.MapClaims{"aud": []string{"account", "billing"}}),
		"no audience":            rs256("rsa-1", jwt.MapClaims{"aud": nil}),
		"a numeric audience":     rs256("rsa-1", jwt.MapClaims{"aud": 7}),
		"expired":                rs256("rsa-1", jwt.MapClaims{"exp": time.Now().Unix() - 1}),
		"no exp":                 rs256("rsa-1", jwt.MapClaims{"exp": nil}),
		"no sub":                 rs256("rsa-1", jwt.MapClaims{"sub": nil}),
		"unreadable roles":       rs256("rsa-1", jwt.MapClaims{"roles": 7}),
		"no kid":                 rs256("", nil),
		"a kid not held":         rs256("rsa-9", nil),
		"a numeric kid":          signWithHeader(t, jwt.SigningMethodRS256, providerRSA, jwt.MapClaims{"kid": 1}),
		"ES256 naming RSA":       signByProvider(t, jwt.SigningMethodES256, "rsa-1", providerClaims(nil)),
		"RS256 naming EC":        signByProvider(t, jwt.SigningMethodRS256, "ec-1", providerClaims(nil)),
		"RS384":                  signByProvider(t, jwt.SigningMethodRS384, "rsa-1", providerClaims(nil)),
		"PS256":                  signByProvider(t, jwt.SigningMethodPS256, "rsa-1", providerClaims(nil)),
		"ES384":                  signWithHeader(t, jwt.SigningMethodES384, must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)), jwt.MapClaims{"kid": "ec-1"}),
		"HS256 with the RSA key": confusedToken,
	} {
		_, err := verifier.Verify(token)
		assert.Error(t, err, name)
	}
}

func signWithHeader(t *testing.T, method jwt.SigningMethod, key any, header jwt.MapClaims) string {
	t.Helper()
	token := jwt.NewWithClaims(method, providerClaims(nil))
	for name, value := range header {
		token.Header[name] = value
	}
	signed, err := token.SignedString(key)
	require.NoError(t, err)
	return signed
}

func TestVerifyRefusesProviderTokensWithoutAProvider(t *testing.T) {
	_, err := NewTokenVerifier(secret, "roles").Verify(signByProvider(t, jwt.SigningMethodRS256, "rsa-1", providerClaims(nil)))
	assert.Error(t, err)
	_, err = NewTokenVerifier(secret, "roles").Verify(signByProvider(t, jwt.SigningMethodES256, "ec-1", providerClaims(nil)))
	assert.Error(t, err)
}

func TestVerifyPassesOnWhyTheProvidersKeysFailed(t *testing.T) {
	_, err := providerVerifier().Verify(signByProvider(t, jwt.SigningMethodRS256, "down", providerClaims(nil)))
	assert.ErrorIs(t, err, errKeysDown)
}
