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

func TestAPIErrorsCarryStatusAndCode(t *testing.T) {
	problem := FieldProblem{Field: "body.name", Message: "is required"}
	cases := []struct {
		err    *APIError
		status int
		code   string
	}{
		{BadRequest("bad", problem), http.StatusBadRequest, "VALIDATION_ERROR"},
		{Unauthorized(), http.StatusUnauthorized, "UNAUTHORIZED"},
		{NotFound("gone"), http.StatusNotFound, "NOT_FOUND"},
		{Conflict("taken"), http.StatusConflict, "CONFLICT"},
		{Internal(), http.StatusInternalServerError, "INTERNAL_ERROR"},
	}
	for _, c := range cases {
		assert.Equal(t, c.status, c.err.Status)
		assert.Equal(t, c.code, c.err.Code)
		assert.Contains(t, c.err.Error(), c.code)
	}
	assert.Equal(t, []FieldProblem{problem}, BadRequest("bad", problem).Details)
	assert.Nil(t, BadRequest("bad").Details)
}

func TestTokenRoundTrip(t *testing.T) {
	token, err := CreateAccessToken("user-1", secret, time.Minute)
	require.NoError(t, err)
	subject, err := VerifyAccessToken(token, secret)
	require.NoError(t, err)
	assert.Equal(t, "user-1", subject)
}

func TestVerifyRefusesBadTokens(t *testing.T) {
	expired, _ := CreateAccessToken("user-1", secret, -time.Minute)
	wrongKey, _ := CreateAccessToken("user-1", "another-secret-with-at-least-32-characters", time.Minute)
	noSubject, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{}).SignedString([]byte(secret))
	otherAlgorithm, _ := jwt.NewWithClaims(jwt.SigningMethodHS384, jwt.RegisteredClaims{Subject: "user-1"}).SignedString([]byte(secret))
	for name, token := range map[string]string{
		"expired": expired, "wrong key": wrongKey, "no subject": noSubject,
		"HS384": otherAlgorithm, "garbage": "not.a.token",
	} {
		_, err := VerifyAccessToken(token, secret)
		assert.Error(t, err, name)
	}
}
