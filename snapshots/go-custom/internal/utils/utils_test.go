package utils

import (
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
		{NotFound("gone"), http.StatusNotFound, "NOT_FOUND", "gone"},
		{MethodNotAllowed("no"), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "no"},
		{Conflict("taken"), http.StatusConflict, "CONFLICT", "taken"},
		{ContentTooLarge(1048576), http.StatusRequestEntityTooLarge, "CONTENT_TOO_LARGE", "request body is larger than 1048576 bytes"},
		{UnsupportedMediaType(), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "request body must be application/json"},
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

func TestFormatTimeWritesUTCWithMilliseconds(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	instant := time.Date(2026, 11, 28, 10, 30, 0, 123456789, paris)
	assert.Equal(t, "2026-11-28T09:30:00.123Z", FormatTime(instant))
	assert.Equal(t, "2026-11-28T09:30:00.000Z", FormatTime(instant.Truncate(time.Second)))
}

func TestTokenRoundTrip(t *testing.T) {
	token, err := CreateAccessToken("user-1", secret, time.Minute)
	require.NoError(t, err)
	subject, err := NewTokenVerifier(secret).Verify(token)
	require.NoError(t, err)
	assert.Equal(t, "user-1", subject)
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
	wrongKey, _ := CreateAccessToken("user-1", "another-secret-with-at-least-32-characters", time.Minute)
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
		_, err := NewTokenVerifier(secret).Verify(token)
		assert.Error(t, err, name)
	}
	subject, err := NewTokenVerifier(secret).Verify(sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"nbf": now - 1})))
	require.NoError(t, err, "an nbf in the past is accepted")
	assert.Equal(t, "user-1", subject)
}
